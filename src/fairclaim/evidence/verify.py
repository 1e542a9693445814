"""Verify an evidence bundle: every file hash, the manifest signature, the WACZ spec signature
(`signedData`), any RFC 3161 timestamp, and whether the signing key is a trusted one.

Anyone can run this (the recipient, a court's expert, the law firm): it needs only the bundle and,
to check who signed, the platform's published public key or key list. Each part gets its own
named check so a failure says exactly what no longer holds. A bundle that fails to open, or whose
files cannot be read, yields FAILED checks, never an exception.

Bundles come from strangers (the public `/verify/evidence/` page), so memory stays bounded
whatever the ZIP claims: members are hashed as streams, only the small JSON/index members are
held (each capped), the WARC is read record by record in chunks, and a member count, a total
inflated size and a compression ratio above what a capture can have are refused before any byte
is inflated.

Framework-free: no Django imports.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, BinaryIO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from fairclaim.evidence import wacz
from fairclaim.evidence.bundle import MANIFEST_FORMAT, MANIFEST_PATH, SIGNATURE_PATH, TIMESTAMP_PATH
from fairclaim.evidence.keyring import Keyring
from fairclaim.evidence.keys import SigningKeyError, key_id, load_public_key_pem, signature_holds
from fairclaim.evidence.report import Check, Verification
from fairclaim.evidence.timestamp import TimestampError, check_token
from fairclaim.evidence.waczsign import check_signed_data

# The WACZ signing spec accepts a timestamp within 10 minutes of the stated creation time;
# we hold the manifest's capture time to the same bound.
MAX_TIMESTAMP_DRIFT = timedelta(minutes=10)
# Limits for a hostile upload. A capture has about ten members, a WARC of a few MB, and text
# members that deflate 3-20x; a zip bomb has 1000x and more.
MAX_MEMBERS = 1_000
MAX_MEMBER_BYTES = 1_000_000_000  # one inflated member (the WARC of a very heavy page)
MAX_TOTAL_BYTES = 2_000_000_000  # all members inflated together
MAX_RATIO = 100  # inflated / compressed size of a deflated member
MAX_SMALL_BYTES = 16_000_000  # JSON, index, pages and token members, held in memory to parse
SMALL_MEMBERS = frozenset(
    {wacz.DATAPACKAGE_PATH, wacz.DIGEST_PATH, wacz.INDEX_PATH, wacz.PAGES_PATH, MANIFEST_PATH,
     SIGNATURE_PATH, TIMESTAMP_PATH}
)  # fmt: skip
CHUNK_BYTES = 1 << 20  # streamed reads
PACKAGE_FILES = (wacz.DATAPACKAGE_PATH, wacz.DIGEST_PATH)
SIGNATURE_PART = f"signature ({SIGNATURE_PATH})"
TIMESTAMP_PART = f"timestamp ({TIMESTAMP_PATH})"
WARC_PART = f"{wacz.WARC_PATH} records"
INDEX_PART = f"{wacz.INDEX_PATH} entries"
SPEC_SIGNATURE_PART = f"WACZ signedData ({wacz.DIGEST_PATH})"
TRUST_PART = "trusted key"


@dataclass
class Member:
    """A ZIP member as hashed while streaming; `data` only for the small members we parse."""

    sha256: str
    size: int
    data: bytes | None = None


@dataclass(frozen=True)
class Trust:
    """Whom to trust as the signer: a public key, the published key list, or (asked for) any."""

    public_key: Ed25519PublicKey | None = None
    keyring: Keyring | None = None
    any_key: bool = False


def verify_bundle(
    path: str | os.PathLike[str] | BinaryIO,
    public_key: Ed25519PublicKey | None = None,
    *,
    keyring: Keyring | None = None,
    trust_any_key: bool = False,
) -> Verification:
    """Check a bundle (a path or an open binary file, e.g. an upload). Who signed is checked
    against `public_key` (that key and no other), else `keyring` (a published platform key whose
    period covers the capture); with neither, the bundle's own key is reported and the
    verification fails unless `trust_any_key` (the caller checks the key id elsewhere)."""
    trust = Trust(public_key, keyring, trust_any_key)
    subject = getattr(path, "name", path) if hasattr(path, "read") else path
    result = Verification(kind="bundle", subject=str(subject))
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        result.checks.append(Check("bundle", False, f"cannot open as a ZIP/WACZ file: {exc}"))
        return result
    with archive:
        members = _read_members(archive, result)
        if members is None:
            return result
        _verify_members(archive, members, trust, result)
    return result


def _verify_members(
    archive: zipfile.ZipFile, members: dict[str, Member | None], trust: Trust, result: Verification
) -> None:
    package = _guarded("datapackage.json", result, _check_datapackage, members, result)
    manifest = _guarded(
        MANIFEST_PATH, result, _load_json, members, MANIFEST_PATH, result, "manifest"
    )
    if manifest is not None and manifest.get("format") != MANIFEST_FORMAT:
        result.checks.append(
            Check(MANIFEST_PATH, False, f"unknown format {manifest.get('format')!r}")
        )
        manifest = None
    _guarded("files", result, _check_files, members, package, manifest, result)
    if MANIFEST_PATH in members:
        _guarded(SIGNATURE_PART, result, _check_signature, members, manifest, trust, result)
        _guarded(TIMESTAMP_PART, result, _check_timestamp, members, manifest, result)
    _guarded(SPEC_SIGNATURE_PART, result, _check_spec_signature, members, manifest, result)
    readable_warc = members.get(wacz.WARC_PATH) is not None
    if manifest is not None and readable_warc:
        _guarded(WARC_PART, result, _check_warc, archive, manifest, result)
    if readable_warc and members.get(wacz.INDEX_PATH) is not None:
        _guarded(INDEX_PART, result, _check_index, archive, members, result)
    if manifest is not None:
        result.info |= {
            name: manifest.get(name)
            for name in ("captured_at", "page_url", "image_url", "image_present", "absence_reason")
        }


def _guarded(part: str, result: Verification, check: Any, *args: Any) -> Any:
    """Run one stage; a hostile bundle that breaks a parser yields a FAILED check, not a crash."""
    try:
        return check(*args)
    except Exception as exc:
        result.checks.append(Check(part, False, f"could not be checked: {exc!r}"))
        return None


def _refusal(info: zipfile.ZipInfo) -> str | None:
    """Why a member is not inflated at all (its declared sizes are what the reader enforces:
    zipfile never yields more than `file_size` bytes and checks the CRC at the end)."""
    if info.file_size > MAX_MEMBER_BYTES:
        return f"inflates to {info.file_size} bytes, over the {MAX_MEMBER_BYTES} limit"
    if info.filename in SMALL_MEMBERS and info.file_size > MAX_SMALL_BYTES:
        return f"inflates to {info.file_size} bytes, over the {MAX_SMALL_BYTES} limit for it"
    if info.compress_type != zipfile.ZIP_STORED:
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > MAX_RATIO:
            return f"compression ratio {ratio:.0f}:1 is over {MAX_RATIO}:1 (a zip bomb)"
    return None


def _read_members(
    archive: zipfile.ZipFile, result: Verification
) -> dict[str, Member | None] | None:
    """Hash every member as a stream; keep the bytes of the small ones. None when the archive as
    a whole is refused (too many members, too much inflated data)."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        result.checks.append(
            Check("bundle", False, f"{len(infos)} members, over the {MAX_MEMBERS} limit")
        )
        return None
    declared = sum(info.file_size for info in infos)
    if declared > MAX_TOTAL_BYTES:
        result.checks.append(
            Check(
                "bundle", False, f"inflates to {declared} bytes, over the {MAX_TOTAL_BYTES} limit"
            )
        )
        return None
    members: dict[str, Member | None] = {}
    for info in infos:
        refusal = _refusal(info)
        if refusal:
            result.checks.append(Check(info.filename, False, refusal))
            members[info.filename] = None
            continue
        keep = info.filename in SMALL_MEMBERS
        try:
            members[info.filename] = _hash_member(archive, info, keep)
        except (
            zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, ValueError,
        ) as exc:  # fmt: skip
            # A flipped byte in the raw ZIP shows up here as a CRC or inflate error, or (a
            # header offset gone wrong) as zipfile's "negative seek value".
            result.checks.append(Check(info.filename, False, f"unreadable in the ZIP: {exc}"))
            members[info.filename] = None
    return members


def _hash_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, keep: bool) -> Member:
    digest, size, kept = hashlib.sha256(), 0, bytearray()
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
            if keep:
                kept += chunk
    return Member(digest.hexdigest(), size, bytes(kept) if keep else None)


def _data(members: dict[str, Member | None], name: str) -> bytes | None:
    member = members.get(name)
    return member.data if member is not None else None


def _load_json(
    members: dict[str, Member | None], name: str, result: Verification, what: str
) -> dict[str, Any] | None:
    if name not in members:
        result.checks.append(Check(name, False, f"{what} is missing"))
        return None
    data = _data(members, name)
    if data is None:
        return None  # already reported as unreadable or refused
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        result.checks.append(Check(name, False, f"{what} is not valid JSON: {exc}"))
        return None
    if not isinstance(document, dict):
        result.checks.append(Check(name, False, f"{what} is not a JSON object"))
        return None
    return document


def _check_datapackage(
    members: dict[str, Member | None], result: Verification
) -> dict[str, dict[str, Any]] | None:
    """Check datapackage.json against datapackage-digest.json; return its resources by path."""
    digest_doc = _load_json(members, wacz.DIGEST_PATH, result, "datapackage digest")
    package_bytes = _data(members, wacz.DATAPACKAGE_PATH)
    package = _load_json(members, wacz.DATAPACKAGE_PATH, result, "datapackage")
    if digest_doc is None or package is None or package_bytes is None:
        return None
    actual = "sha256:" + wacz.sha256_hex(package_bytes)
    if digest_doc.get("hash") != actual:
        result.checks.append(
            Check(
                wacz.DATAPACKAGE_PATH,
                False,
                f"hash {actual} does not match {wacz.DIGEST_PATH} ({digest_doc.get('hash')})",
            )
        )
    else:
        result.checks.append(
            Check(wacz.DATAPACKAGE_PATH, True, f"matches {wacz.DIGEST_PATH} ({actual})")
        )
    if package.get("wacz_version") != wacz.WACZ_VERSION:
        result.checks.append(
            Check(wacz.DATAPACKAGE_PATH, False, f"wacz_version is {package.get('wacz_version')!r}")
        )
    resources = package.get("resources")
    if not isinstance(resources, list):
        result.checks.append(Check(wacz.DATAPACKAGE_PATH, False, "no resources list"))
        return None
    return {
        entry["path"]: entry
        for entry in resources
        if isinstance(entry, dict) and isinstance(entry.get("path"), str)
    }


def _check_files(
    members: dict[str, Member | None],
    package: dict[str, dict[str, Any]] | None,
    manifest: dict[str, Any] | None,
    result: Verification,
) -> None:
    """One check per file: its bytes against datapackage.json and (if listed) the manifest."""
    listed: dict[str, dict[str, Any]] = {}
    if manifest is not None:
        for entry in manifest.get("files") or []:
            if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                listed[entry["path"]] = entry
    names = sorted(set(members) | set(package or {}) | set(listed))
    for name in names:
        if name in PACKAGE_FILES:
            continue
        if name not in members:
            result.checks.append(Check(name, False, "listed but missing from the bundle"))
            continue
        member = members[name]
        if member is None:
            continue  # unreadable or refused: already reported
        actual, size = member.sha256, member.size
        problems = []
        if package is not None:
            entry = package.get(name)
            if entry is None:
                problems.append("not listed in datapackage.json")
            elif entry.get("hash") != "sha256:" + actual or entry.get("bytes") != size:
                problems.append(
                    f"sha256 {actual} differs from datapackage.json ({entry.get('hash')})"
                )
        if manifest is not None and name in listed:
            entry = listed[name]
            if entry.get("sha256") != actual or entry.get("bytes") != size:
                problems.append(
                    f"sha256 {actual} differs from the manifest ({entry.get('sha256')})"
                )
        elif manifest is not None and _must_be_in_manifest(name):
            problems.append("not listed in the signed manifest")
        if problems:
            result.checks.append(Check(name, False, "; ".join(problems)))
        else:
            where = "manifest and datapackage" if name in listed else "datapackage"
            result.checks.append(Check(name, True, f"sha256 {actual} matches the {where}"))


def _must_be_in_manifest(name: str) -> bool:
    """Everything except the manifest's own signature/timestamp must be covered by the manifest."""
    return name not in (MANIFEST_PATH, SIGNATURE_PATH, TIMESTAMP_PATH, *PACKAGE_FILES)


def _check_signature(
    members: dict[str, Member | None],
    manifest: dict[str, Any] | None,
    trust: Trust,
    result: Verification,
) -> None:
    manifest_bytes = _data(members, MANIFEST_PATH)
    document = _load_json(members, SIGNATURE_PATH, result, "signature")
    if document is None or manifest_bytes is None:
        return
    declared = document.get("key_id")
    result.key_id = declared if isinstance(declared, str) else None
    try:
        signature = base64.b64decode(document.get("signature", ""), validate=True)
        embedded = load_public_key_pem(str(document.get("public_key_pem", "")).encode("ascii"))
    except (binascii.Error, ValueError, SigningKeyError) as exc:
        result.checks.append(Check(SIGNATURE_PART, False, f"signature file is malformed: {exc}"))
        return
    if manifest is not None and manifest.get("signing_key_id") != declared:
        result.checks.append(
            Check(
                SIGNATURE_PART,
                False,
                f"manifest names key {manifest.get('signing_key_id')}, signature file {declared}",
            )
        )
        return
    if key_id(embedded) != declared:
        result.checks.append(
            Check(SIGNATURE_PART, False, f"key_id {declared} does not name the included key")
        )
        return
    if not signature_holds(embedded, signature, manifest_bytes):
        result.checks.append(
            Check(SIGNATURE_PART, False, f"Ed25519 signature over {MANIFEST_PATH} does not hold")
        )
        return
    result.checks.append(
        Check(SIGNATURE_PART, True, f"Ed25519 signature by {declared} over {MANIFEST_PATH} holds")
    )
    # The period check uses the signed capture time (a timestamp token, when present, is held
    # to within MAX_TIMESTAMP_DRIFT of it by its own check).
    signed_at = _parse_time(manifest.get("captured_at")) if manifest else None
    result.checks.append(_trust_check(declared, signed_at, trust))


def _trust_check(declared: str, signed_at: datetime | None, trust: Trust) -> Check:
    """Whether the key that signed is one the caller trusts (the signature itself is checked)."""
    if trust.public_key is not None:
        given = key_id(trust.public_key)
        if given != declared:
            return Check(
                TRUST_PART, False, f"signed by key {declared}, not by the given key {given}"
            )
        return Check(TRUST_PART, True, f"{declared} is the given public key")
    if trust.keyring is not None:
        entry = trust.keyring.entry(declared)
        if entry is None:
            return Check(TRUST_PART, False, f"key {declared} is not in the published key list")
        if not entry.covers(signed_at):
            return Check(
                TRUST_PART,
                False,
                f"key {declared} signed at {signed_at}, outside its period {entry.period()}",
            )
        return Check(TRUST_PART, True, f"{declared} is a published platform key ({entry.period()})")
    if trust.any_key:
        return Check(
            TRUST_PART,
            True,
            f"signed by {declared}; NOT checked against a trusted key (--trust-any-key)",
        )
    return Check(
        TRUST_PART,
        False,
        f"signed by {declared}, which was not checked against a trusted key: pass "
        "--public-key PEM or --trusted-keys KEYLIST.json (the platform's "
        "/.well-known/fairclaim-signing-keys.json), or --trust-any-key to accept any key",
    )


def _check_spec_signature(
    members: dict[str, Member | None], manifest: dict[str, Any] | None, result: Verification
) -> None:
    """The WACZ spec's signedData, when present: it holds, and its key is the one the signed
    manifest names (so trusting the manifest's key covers it)."""
    digest_doc = _load_json(members, wacz.DIGEST_PATH, result, "datapackage digest")
    package_bytes = _data(members, wacz.DATAPACKAGE_PATH)
    if digest_doc is None or package_bytes is None or "signedData" not in digest_doc:
        named = manifest.get("wacz_signing_key_id") if manifest else None
        if named:  # the manifest promises a spec signature: its removal is tampering
            result.checks.append(Check(SPEC_SIGNATURE_PART, False, "signedData is missing"))
        return
    try:
        created = json.loads(package_bytes).get("created")
    except (ValueError, AttributeError, RecursionError):
        created = None
    check = check_signed_data(digest_doc["signedData"], package_bytes, created)
    if not check.ok:
        result.checks.append(Check(SPEC_SIGNATURE_PART, False, check.detail))
        return
    named = (
        [manifest.get(k) for k in ("wacz_signing_key_id", "wacz_domain_key_id")] if manifest else []
    )
    if manifest is not None and check.key_id not in named:
        names = " or ".join(str(n) for n in named if n) or "no WACZ key"
        result.checks.append(
            Check(
                SPEC_SIGNATURE_PART, False, f"signed by {check.key_id}, the manifest names {names}"
            )
        )
        return
    result.checks.append(Check(SPEC_SIGNATURE_PART, True, check.detail))


def _check_timestamp(
    members: dict[str, Member | None], manifest: dict[str, Any] | None, result: Verification
) -> None:
    if TIMESTAMP_PATH not in members:
        return  # timestamps are optional; the manifest hash check covers a removed one
    token = _data(members, TIMESTAMP_PATH)
    manifest_bytes = _data(members, MANIFEST_PATH)
    if token is None or manifest_bytes is None:
        return
    try:
        info = check_token(token, hashlib.sha256(manifest_bytes).digest())
    except TimestampError as exc:
        result.checks.append(Check(TIMESTAMP_PART, False, str(exc)))
        return
    detail = (
        f"RFC 3161 token over the manifest digest, time {info.gen_time.isoformat()}, "
        f"serial {info.serial_number}, TSA {info.tsa_subject} (cert sha256 {info.tsa_cert_sha256})"
    )
    captured = _parse_time(manifest.get("captured_at") if manifest else None)
    if captured is not None and abs(info.gen_time - captured) > MAX_TIMESTAMP_DRIFT:
        result.checks.append(
            Check(TIMESTAMP_PART, False, f"time {info.gen_time} is far from capture {captured}")
        )
        return
    result.checks.append(Check(TIMESTAMP_PART, True, detail))
    result.info["timestamp"] = info.gen_time.isoformat()


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _check_warc(archive: zipfile.ZipFile, manifest: dict[str, Any], result: Verification) -> None:
    """Every record's WARC digests hold, and the image bytes are the ones the manifest names.
    Records are read in chunks from the ZIP stream: a huge record never sits in memory."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    part = WARC_PART
    image = manifest.get("image") or {}
    image_sha = image.get("sha256")
    image_url = image.get("response_url") or manifest.get("image_url")
    records = 0
    found_image = False
    try:
        with archive.open(wacz.WARC_PATH) as stream:
            for record in ArchiveIterator(stream, check_digests=True):
                payload_sha = hashlib.sha256()
                content = record.content_stream()
                while chunk := content.read(CHUNK_BYTES):
                    payload_sha.update(chunk)
                records += 1
                if record.digest_checker.passed is False:
                    problems = "; ".join(record.digest_checker.problems)
                    target = record.rec_headers.get_header("WARC-Target-URI")
                    result.checks.append(Check(part, False, f"record for {target}: {problems}"))
                    return
                if (
                    image_sha
                    and record.rec_type == "response"
                    and record.rec_headers.get_header("WARC-Target-URI") == image_url
                    and payload_sha.hexdigest() == image_sha
                ):
                    found_image = True
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error) as exc:
        result.checks.append(Check(part, False, f"WARC cannot be read: {exc}"))
        return
    if image_sha and not found_image:
        result.checks.append(
            Check(part, False, f"no response record for {image_url} with sha256 {image_sha}")
        )
        return
    detail = f"{records} records, all WARC digests hold"
    if found_image:
        detail += f"; image bytes sha256 {image_sha} present"
    result.checks.append(Check(part, True, detail))


def _check_index(
    archive: zipfile.ZipFile, members: dict[str, Member | None], result: Verification
) -> None:
    """Each CDXJ line points at a WARC record for its URL with its digest (what replay reads).
    Only each record's headers are read, at its offset in the (stored) WARC member."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    index = _data(members, wacz.INDEX_PATH) or b""
    warc_size = members[wacz.WARC_PATH].size  # type: ignore[union-attr]
    lines = index.decode("utf-8", errors="replace").splitlines()
    with archive.open(wacz.WARC_PATH) as warc:
        for number, line in enumerate(lines, start=1):
            try:
                entry = json.loads(line.split(" ", 2)[2])
                offset, length = int(entry["offset"]), int(entry["length"])
                if not (0 <= offset < warc_size and 0 < length <= warc_size - offset):
                    raise ValueError(f"offset {offset}+{length} is outside the WARC")
                warc.seek(offset)
                record = next(iter(ArchiveIterator(warc)))
                target = record.rec_headers.get_header("WARC-Target-URI")
                digest = record.rec_headers.get_header(
                    "WARC-Payload-Digest"
                ) or record.rec_headers.get_header("WARC-Block-Digest")
            except (
                IndexError, KeyError, ValueError, TypeError, StopIteration, ArchiveLoadFailed,
                OSError, EOFError, zlib.error, RecursionError,
            ) as exc:  # fmt: skip
                result.checks.append(
                    Check(INDEX_PART, False, f"line {number} is unusable: {exc!r}")
                )
                return
            if target != entry.get("url") or digest != entry.get("digest"):
                result.checks.append(
                    Check(
                        INDEX_PART, False, f"line {number} does not point at the record for its URL"
                    )
                )
                return
    result.checks.append(Check(INDEX_PART, True, f"{len(lines)} entries point at their records"))
