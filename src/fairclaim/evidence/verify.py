"""Verify an evidence bundle: every file hash, the manifest signature, any RFC 3161 timestamp.

Anyone can run this (the recipient, a court's expert, the law firm): it needs only the bundle and,
to check who signed, the platform's published public key. Each part gets its own named check so a
failure says exactly what no longer holds. A bundle that fails to open, or whose files cannot be
read, yields FAILED checks, never an exception.

Framework-free: no Django imports.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import os
import zipfile
import zlib
from datetime import datetime, timedelta
from typing import Any, BinaryIO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from fairclaim.evidence import wacz
from fairclaim.evidence.bundle import MANIFEST_FORMAT, MANIFEST_PATH, SIGNATURE_PATH, TIMESTAMP_PATH
from fairclaim.evidence.keys import SigningKeyError, key_id, load_public_key_pem, signature_holds
from fairclaim.evidence.report import Check, Verification
from fairclaim.evidence.timestamp import TimestampError, check_token

# The WACZ signing spec accepts a timestamp within 10 minutes of the stated creation time;
# we hold the manifest's capture time to the same bound.
MAX_TIMESTAMP_DRIFT = timedelta(minutes=10)
MAX_MEMBER_BYTES = 2_000_000_000  # refuse to inflate anything bigger (a zip bomb, not a capture)
PACKAGE_FILES = (wacz.DATAPACKAGE_PATH, wacz.DIGEST_PATH)
SIGNATURE_PART = f"signature ({SIGNATURE_PATH})"
TIMESTAMP_PART = f"timestamp ({TIMESTAMP_PATH})"
WARC_PART = f"{wacz.WARC_PATH} records"
INDEX_PART = f"{wacz.INDEX_PATH} entries"


def verify_bundle(
    path: str | os.PathLike[str] | BinaryIO, public_key: Ed25519PublicKey | None = None
) -> Verification:
    """Check a bundle (a path or an open binary file, e.g. an upload); with `public_key`, also
    that this key (and no other) signed it."""
    subject = getattr(path, "name", path) if hasattr(path, "read") else path
    result = Verification(kind="bundle", subject=str(subject))
    members = _read_members(path, result)
    if members is None:
        return result
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
        _guarded(SIGNATURE_PART, result, _check_signature, members, manifest, public_key, result)
        _guarded(TIMESTAMP_PART, result, _check_timestamp, members, manifest, result)
    if manifest is not None and wacz.WARC_PATH in members:
        _guarded(WARC_PART, result, _check_warc, members[wacz.WARC_PATH], manifest, result)
    if wacz.WARC_PATH in members and wacz.INDEX_PATH in members:
        _guarded(INDEX_PART, result, _check_index, members, result)
    if manifest is not None:
        result.info |= {
            name: manifest.get(name)
            for name in ("captured_at", "page_url", "image_url", "image_present", "absence_reason")
        }
    return result


def _guarded(part: str, result: Verification, check: Any, *args: Any) -> Any:
    """Run one stage; a hostile bundle that breaks a parser yields a FAILED check, not a crash."""
    try:
        return check(*args)
    except Exception as exc:
        result.checks.append(Check(part, False, f"could not be checked: {exc!r}"))
        return None


def _read_members(
    path: str | os.PathLike[str] | BinaryIO, result: Verification
) -> dict[str, bytes | None] | None:
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        result.checks.append(Check("bundle", False, f"cannot open as a ZIP/WACZ file: {exc}"))
        return None
    members: dict[str, bytes | None] = {}
    with archive:
        for info in archive.infolist():
            if info.file_size > MAX_MEMBER_BYTES:
                result.checks.append(Check(info.filename, False, "member too large to check"))
                members[info.filename] = None
                continue
            try:
                members[info.filename] = archive.read(info)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
                # A flipped byte in the raw ZIP shows up here as a CRC or inflate error.
                result.checks.append(Check(info.filename, False, f"unreadable in the ZIP: {exc}"))
                members[info.filename] = None
    return members


def _load_json(
    members: dict[str, bytes | None], name: str, result: Verification, what: str
) -> dict[str, Any] | None:
    data = members.get(name)
    if name not in members:
        result.checks.append(Check(name, False, f"{what} is missing"))
        return None
    if data is None:
        return None  # already reported as unreadable
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        result.checks.append(Check(name, False, f"{what} is not valid JSON: {exc}"))
        return None
    if not isinstance(document, dict):
        result.checks.append(Check(name, False, f"{what} is not a JSON object"))
        return None
    return document


def _check_datapackage(
    members: dict[str, bytes | None], result: Verification
) -> dict[str, dict[str, Any]] | None:
    """Check datapackage.json against datapackage-digest.json; return its resources by path."""
    digest_doc = _load_json(members, wacz.DIGEST_PATH, result, "datapackage digest")
    package_bytes = members.get(wacz.DATAPACKAGE_PATH)
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
    members: dict[str, bytes | None],
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
        data = members[name]
        if data is None:
            continue  # unreadable: already reported
        actual = wacz.sha256_hex(data)
        problems = []
        if package is not None:
            entry = package.get(name)
            if entry is None:
                problems.append("not listed in datapackage.json")
            elif entry.get("hash") != "sha256:" + actual or entry.get("bytes") != len(data):
                problems.append(
                    f"sha256 {actual} differs from datapackage.json ({entry.get('hash')})"
                )
        if manifest is not None and name in listed:
            entry = listed[name]
            if entry.get("sha256") != actual or entry.get("bytes") != len(data):
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
    members: dict[str, bytes | None],
    manifest: dict[str, Any] | None,
    public_key: Ed25519PublicKey | None,
    result: Verification,
) -> None:
    manifest_bytes = members.get(MANIFEST_PATH)
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
    key = public_key or embedded
    if public_key is not None and key_id(public_key) != declared:
        result.checks.append(
            Check(
                SIGNATURE_PART,
                False,
                f"signed by key {declared}, not by the given key {key_id(public_key)}",
            )
        )
        return
    if not signature_holds(key, signature, manifest_bytes):
        result.checks.append(
            Check(SIGNATURE_PART, False, f"Ed25519 signature over {MANIFEST_PATH} does not hold")
        )
        return
    source = (
        "the given public key"
        if public_key is not None
        else "the key included in the bundle (pass --public-key to check it is the published one)"
    )
    result.checks.append(
        Check(SIGNATURE_PART, True, f"Ed25519 signature by {declared} holds for {source}")
    )


def _check_timestamp(
    members: dict[str, bytes | None], manifest: dict[str, Any] | None, result: Verification
) -> None:
    if TIMESTAMP_PATH not in members:
        return  # timestamps are optional; the manifest hash check covers a removed one
    token = members[TIMESTAMP_PATH]
    manifest_bytes = members.get(MANIFEST_PATH)
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


def _check_warc(data: bytes | None, manifest: dict[str, Any], result: Verification) -> None:
    """Every record's WARC digests hold, and the image bytes are the ones the manifest names."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    if data is None:
        return
    part = WARC_PART
    image = manifest.get("image") or {}
    image_sha = image.get("sha256")
    image_url = image.get("response_url") or manifest.get("image_url")
    records = 0
    found_image = False
    try:
        iterator = ArchiveIterator(io.BytesIO(data), check_digests=True)
        for record in iterator:
            payload = record.content_stream().read()
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
                and hashlib.sha256(payload).hexdigest() == image_sha
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


def _check_index(members: dict[str, bytes | None], result: Verification) -> None:
    """Each CDXJ line points at a WARC record for its URL with its digest (what replay reads)."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    warc, index = members[wacz.WARC_PATH], members[wacz.INDEX_PATH]
    if warc is None or index is None:
        return
    lines = index.decode("utf-8", errors="replace").splitlines()
    for number, line in enumerate(lines, start=1):
        try:
            entry = json.loads(line.split(" ", 2)[2])
            offset, length = int(entry["offset"]), int(entry["length"])
            chunk = warc[offset : offset + length]
            record = next(iter(ArchiveIterator(io.BytesIO(chunk))))
            target = record.rec_headers.get_header("WARC-Target-URI")
            digest = record.rec_headers.get_header(
                "WARC-Payload-Digest"
            ) or record.rec_headers.get_header("WARC-Block-Digest")
        except (IndexError, KeyError, ValueError, StopIteration, ArchiveLoadFailed) as exc:
            result.checks.append(Check(INDEX_PART, False, f"line {number} is unusable: {exc!r}"))
            return
        if target != entry.get("url") or digest != entry.get("digest"):
            result.checks.append(
                Check(INDEX_PART, False, f"line {number} does not point at the record for its URL")
            )
            return
    result.checks.append(Check(INDEX_PART, True, f"{len(lines)} entries point at their records"))
