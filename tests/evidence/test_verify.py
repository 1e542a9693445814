"""Tamper checks: change any part of a real bundle and verify must fail, naming that part."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import zipfile

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fairclaim.evidence.bundle import encode_manifest, signature_document
from fairclaim.evidence.keys import Signer
from fairclaim.evidence.verify import verify_bundle

pytestmark = pytest.mark.browser  # the bundle comes from a real Chromium capture


def rewrite(source, target, changes):
    """Copy a ZIP, replacing members: changes maps name -> new bytes (None deletes it)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename in changes:
                data = changes[info.filename]
                if data is None:
                    continue
            new.writestr(info, data)
        for name, data in changes.items():
            if name not in old.namelist() and data is not None:
                new.writestr(name, data)


def flip_byte(data: bytes) -> bytes:
    changed = bytearray(data)
    changed[len(changed) // 2] ^= 0x01
    return bytes(changed)


def member(path, name):
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def failed_parts(verification):
    return [check.part for check in verification.checks if not check.ok]


@pytest.mark.parametrize(
    ("name", "expected_part"),
    [
        ("archive/data.warc.gz", "archive/data.warc.gz"),
        ("indexes/index.cdx", "indexes/index.cdx"),
        ("pages/pages.jsonl", "pages/pages.jsonl"),
        ("fairclaim/screenshot-full.png", "fairclaim/screenshot-full.png"),
        ("fairclaim/screenshot-viewport.png", "fairclaim/screenshot-viewport.png"),
        ("fairclaim/dom.html", "fairclaim/dom.html"),
        ("fairclaim/manifest.json", "fairclaim/manifest.json"),
        ("fairclaim/manifest.sig.json", "fairclaim/manifest.sig.json"),
        ("fairclaim/manifest.tsr", "fairclaim/manifest.tsr"),
        ("datapackage.json", "datapackage.json"),
        ("datapackage-digest.json", "datapackage"),
    ],
)
def test_flipped_byte_in_any_part_fails_naming_that_part(
    static_capture, tmp_path, name, expected_part
):
    _, source = static_capture
    target = tmp_path / "tampered.wacz"
    rewrite(source, target, {name: flip_byte(member(source, name))})
    verification = verify_bundle(target)
    assert not verification.ok
    assert any(expected_part in part for part in failed_parts(verification)), verification.lines()


def test_flipped_manifest_byte_also_breaks_the_signature(static_capture, tmp_path):
    _, source = static_capture
    target = tmp_path / "tampered.wacz"
    manifest = member(source, "fairclaim/manifest.json")
    rewrite(
        source,
        target,
        {"fairclaim/manifest.json": manifest.replace(b"Static page", b"Static pagE")},
    )
    parts = failed_parts(verify_bundle(target))
    assert "signature (fairclaim/manifest.sig.json)" in parts
    assert "timestamp (fairclaim/manifest.tsr)" in parts


def test_swapped_screenshot_with_recomputed_datapackage_fails_on_the_signed_manifest(
    static_capture, tmp_path
):
    """An attacker who also rewrites datapackage.json and its digest is still caught."""
    _, source = static_capture
    target = tmp_path / "forged.wacz"
    forged = member(source, "fairclaim/screenshot-full.png") + b"\x00"
    package = json.loads(member(source, "datapackage.json"))
    for entry in package["resources"]:
        if entry["path"] == "fairclaim/screenshot-full.png":
            entry["hash"] = "sha256:" + hashlib.sha256(forged).hexdigest()
            entry["bytes"] = len(forged)
    package_bytes = json.dumps(package).encode()
    digest = {
        "path": "datapackage.json",
        "hash": "sha256:" + hashlib.sha256(package_bytes).hexdigest(),
    }
    rewrite(
        source,
        target,
        {
            "fairclaim/screenshot-full.png": forged,
            "datapackage.json": package_bytes,
            "datapackage-digest.json": json.dumps(digest).encode(),
        },
    )
    verification = verify_bundle(target, trust_any_key=True)
    assert failed_parts(verification) == [
        "fairclaim/screenshot-full.png",
        "WACZ signedData (datapackage-digest.json)",  # the forger dropped the spec signature
    ]
    assert "manifest" in verification.failed[0].detail


def test_bundle_re_signed_by_another_key_fails_against_the_published_key(
    static_capture, tmp_path, signer
):
    _, source = static_capture
    target = tmp_path / "resigned.wacz"
    manifest = json.loads(member(source, "fairclaim/manifest.json"))
    other = Signer(Ed25519PrivateKey.generate())
    manifest["image_present"] = False
    manifest["signing_key_id"] = other.key_id
    manifest_bytes = encode_manifest(manifest)
    rewrite(
        source,
        target,
        {
            "fairclaim/manifest.json": manifest_bytes,
            "fairclaim/manifest.sig.json": signature_document(other, manifest_bytes),
            "fairclaim/manifest.tsr": None,
        },
    )
    published = signer.private_key.public_key()
    verification = verify_bundle(target, published)
    assert "trusted key" in failed_parts(verification)
    assert verification.key_id == other.key_id
    assert f"not by the given key {signer.key_id}" in " ".join(verification.lines())


def test_signature_file_naming_another_key_than_the_manifest_fails(static_capture, tmp_path):
    _, source = static_capture
    target = tmp_path / "mixed.wacz"
    manifest_bytes = member(source, "fairclaim/manifest.json")
    other = Signer(Ed25519PrivateKey.generate())
    rewrite(
        source,
        target,
        {"fairclaim/manifest.sig.json": signature_document(other, manifest_bytes)},
    )
    verification = verify_bundle(target)
    details = {check.part: check.detail for check in verification.failed}
    assert "manifest names key" in details["signature (fairclaim/manifest.sig.json)"]


def test_forged_signature_value_fails_the_signature_check(static_capture, tmp_path):
    _, source = static_capture
    target = tmp_path / "forged-signature.wacz"
    document = json.loads(member(source, "fairclaim/manifest.sig.json"))
    signature = bytearray(base64.b64decode(document["signature"]))
    signature[0] ^= 0x80
    document["signature"] = base64.b64encode(bytes(signature)).decode()
    rewrite(source, target, {"fairclaim/manifest.sig.json": json.dumps(document).encode()})
    verification = verify_bundle(target)
    assert "signature (fairclaim/manifest.sig.json)" in failed_parts(verification)
    assert any("does not hold" in check.detail for check in verification.failed)


def test_removed_and_added_files_are_reported(static_capture, tmp_path):
    _, source = static_capture
    target = tmp_path / "changed.wacz"
    rewrite(source, target, {"fairclaim/dom.html": None, "fairclaim/extra.txt": b"hello"})
    verification = verify_bundle(target)
    details = {check.part: check.detail for check in verification.failed}
    assert "missing" in details["fairclaim/dom.html"]
    assert "not listed" in details["fairclaim/extra.txt"]


def test_flipped_byte_in_the_raw_zip_is_reported_not_raised(static_capture, tmp_path):
    _, source = static_capture
    target = tmp_path / "raw.wacz"
    shutil.copy(source, target)
    with zipfile.ZipFile(target) as archive:
        info = archive.getinfo("fairclaim/screenshot-viewport.png")
    data = bytearray(target.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0x01
    target.write_bytes(bytes(data))
    verification = verify_bundle(target)
    assert "fairclaim/screenshot-viewport.png" in failed_parts(verification)


def test_a_file_that_is_not_a_zip_fails_cleanly(tmp_path):
    target = tmp_path / "garbage.wacz"
    target.write_bytes(b"not a zip at all")
    verification = verify_bundle(target)
    assert failed_parts(verification) == ["bundle"]


def test_index_entry_pointing_at_the_wrong_record_is_reported(static_capture, tmp_path):
    _, source = static_capture
    target = tmp_path / "bad-index.wacz"
    lines = member(source, "indexes/index.cdx").decode().splitlines()
    first, second = (json.loads(line.split(" ", 2)[2]) for line in lines[:2])
    swapped = lines[0].replace(f'"offset": "{first["offset"]}"', f'"offset": "{second["offset"]}"')
    swapped = swapped.replace(f'"length": "{first["length"]}"', f'"length": "{second["length"]}"')
    rewrite(
        source, target, {"indexes/index.cdx": ("\n".join([swapped, *lines[1:]]) + "\n").encode()}
    )
    assert "indexes/index.cdx entries" in failed_parts(verify_bundle(target))


def test_an_uploaded_file_object_verifies_like_a_path(static_capture):
    _, source = static_capture
    with open(source, "rb") as upload:
        verification = verify_bundle(upload, trust_any_key=True)
    assert verification.ok
    assert verification.subject == str(source)
