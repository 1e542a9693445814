"""A bounded fuzz run over the parsers that take hostile input (issue 16, "Done when").

Hypothesis drives each parser with arbitrary values and with mutations of valid input (flipped,
cut and inserted bytes); the property is always the same: a typed refusal or a result, never
another exception. The budget is fixed (examples per test, derandomized), so `make test` spends
a bounded, repeatable time here; raise FAIRCLAIM_FUZZ_EXAMPLES for a longer run.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fairclaim.cases.proofs import CheckedProof, ProofRefused, check_proof
from fairclaim.discovery.fetch import sniff_type
from fairclaim.discovery.records import ScanCounts
from fairclaim.discovery.warc import read_warc
from fairclaim.rules.facts import InvalidFacts, parse_facts
from fairclaim.works.intake import CheckedImage, Limits, UploadRefused, check_image, expand_zip
from tests.discovery.test_warc import write_warc
from tests.images import photo_bytes

EXAMPLES = int(os.environ.get("FAIRCLAIM_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
EXAMPLE_FACTS = sorted((Path(__file__).resolve().parents[2] / "docs/facts/examples").glob("*.json"))
LIMITS = Limits(max_bytes=2_000_000, max_pixels=4_000_000, max_zip_members=20)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=30,
)


def outcome(call, refusal: type[Exception]):
    """The call's result, or the typed refusal it raised (any other exception fails the test)."""
    try:
        return call()
    except refusal as refused:
        return refused


@st.composite
def mutated(draw, seed: bytes) -> bytes:
    """`seed` with a few bytes flipped, a slice cut out, or junk inserted."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "cut", "insert", "truncate"]))
        if action == "flip":
            data[at] ^= draw(st.integers(1, 255))
        elif action == "cut":
            del data[at : at + draw(st.integers(1, 64))]
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=32))
        else:
            del data[at:]
    return bytes(data)


def _facts_seed(facts: dict, path: tuple, value) -> dict:
    target = facts
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return facts


@FUZZ
@given(st.sampled_from(EXAMPLE_FACTS), json_values, st.data())
def test_the_facts_parser_validates_or_names_the_bad_field(path, value, data):
    facts = json.loads(path.read_text(encoding="utf-8"))
    keys = [key for key in facts if isinstance(key, str)]
    facts = _facts_seed(facts, (data.draw(st.sampled_from(keys)),), value)
    result = outcome(lambda: parse_facts(facts), InvalidFacts)
    assert not isinstance(result, InvalidFacts) or result.field


@FUZZ
@given(st.binary(max_size=2048) | json_values.map(lambda v: json.dumps(v).encode()))
def test_the_facts_parser_takes_any_bytes(raw):
    result = outcome(lambda: parse_facts(raw), InvalidFacts)
    assert not isinstance(result, InvalidFacts) or result.field


def _warc_seed(gzip: bool) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "seed.warc"
        write_warc(path, gzip=gzip, pages=3)
        return path.read_bytes()


WARC_SEEDS = {True: _warc_seed(True), False: _warc_seed(False)}


@FUZZ
@given(st.booleans().flatmap(lambda gz: mutated(WARC_SEEDS[gz])) | st.binary(max_size=4096))
def test_the_warc_reader_counts_damage_and_never_crashes(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.warc"
        path.write_bytes(data)
        counts = ScanCounts()
        for record in read_warc(path, counts=counts):
            assert record.page_url


IMAGE_SEEDS = [photo_bytes(41, size=(64, 48)), photo_bytes(42, size=(64, 48), fmt="PNG")]


@FUZZ
@given(st.sampled_from(IMAGE_SEEDS).flatmap(mutated) | st.binary(max_size=1024))
def test_the_image_check_accepts_or_refuses_with_a_reason(data):
    result = outcome(lambda: check_image("fuzz", data, LIMITS), UploadRefused)
    assert isinstance(result, CheckedImage) or result.reason
    assert isinstance(sniff_type(data, "application/octet-stream"), str)


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n" + b" " * 64 + b"%%EOF\n"


@FUZZ
@given(st.sampled_from([*IMAGE_SEEDS, PDF]).flatmap(mutated) | st.binary(max_size=1024))
def test_the_proof_check_accepts_or_refuses_with_a_reason(data):
    result = outcome(lambda: check_proof("fuzz", data), ProofRefused)
    assert isinstance(result, CheckedProof) or str(result)


def _zip_seed() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.jpg", IMAGE_SEEDS[0])
        archive.writestr("b.png", IMAGE_SEEDS[1])
    return out.getvalue()


ZIP_SEED = _zip_seed()


@FUZZ
@given(mutated(ZIP_SEED))
def test_a_damaged_zip_yields_only_photos_and_refusals(data):
    for item in expand_zip("fuzz.zip", io.BytesIO(data), LIMITS):
        assert isinstance(item, CheckedImage | UploadRefused)


def _wacz_seed() -> tuple[bytes, object]:
    from fairclaim.evidence.keys import Signer
    from tests.evidence.test_timestamp import synthetic_bundle

    folder = Path(tempfile.mkdtemp(prefix="fuzz-wacz-"))
    signer = Signer.from_path(folder / "signing-ed25519.pem")
    synthetic_bundle(folder / "seed.wacz", signer)
    return (folder / "seed.wacz").read_bytes(), signer.private_key.public_key()


WACZ_SEED, WACZ_KEY = _wacz_seed()
with zipfile.ZipFile(io.BytesIO(WACZ_SEED)) as _seed:
    WACZ_MEMBERS = {info.filename: _seed.read(info) for info in _seed.infolist()}


def _rezipped(name: str, data: bytes) -> bytes:
    """The seed bundle with one member's bytes replaced (the zip itself stays well formed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in WACZ_MEMBERS.items():
            archive.writestr(member, data if member == name else content)
    return out.getvalue()


@FUZZ
@given(mutated(WACZ_SEED))
def test_the_wacz_verifier_takes_a_damaged_zip_without_crashing(data):
    from fairclaim.evidence.verify import verify_bundle

    assert verify_bundle(io.BytesIO(data), WACZ_KEY).lines()


@FUZZ
@given(st.sampled_from(sorted(WACZ_MEMBERS)).flatmap(
    lambda name: mutated(WACZ_MEMBERS[name]).map(lambda data: (name, data))))  # fmt: skip
def test_the_wacz_verifier_refuses_any_changed_member(change):
    from fairclaim.evidence.verify import verify_bundle

    name, data = change
    verification = verify_bundle(io.BytesIO(_rezipped(name, data)), WACZ_KEY)
    assert verification.lines()
    assert not verification.ok or _same_meaning(name, data), (name, _diff(name, data))


def _same_meaning(name: str, data: bytes) -> bool:
    """Unchanged, or (for the JSON documents that carry a signature rather than being covered by
    one) the same JSON written with other whitespace."""
    if data == WACZ_MEMBERS[name]:
        return True
    try:
        new, old = json.loads(data), json.loads(WACZ_MEMBERS[name])
    except ValueError:
        return False
    if name == "datapackage-digest.json" and isinstance(new, dict):
        # What a verifier relies on: the hash, and the spec signature's hash, signature and key;
        # the rest (software, version) is information the signature does not cover.
        signed = ("hash", "signature", "publicKey")
        try:
            return new["hash"] == old["hash"] and all(
                new["signedData"][key] == old["signedData"][key] for key in signed
            )
        except (KeyError, TypeError):
            return False
    return new == old


def _diff(name: str, data: bytes) -> list[str]:
    import difflib

    return list(difflib.unified_diff(
        WACZ_MEMBERS[name].decode(errors="replace").splitlines(),
        data.decode(errors="replace").splitlines(), lineterm="", n=0))  # fmt: skip
