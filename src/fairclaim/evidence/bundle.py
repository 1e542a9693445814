"""Assemble an evidence bundle: WACZ members, the signed manifest, an optional RFC 3161 token.

Layout of a bundle (a WACZ 1.1.1 file)::

    archive/data.warc.gz          page, image and sub-resource responses (+ requests), screenshots
                                  and DOM as resource records, capture metadata record
    indexes/index.cdx            CDXJ index of the WARC
    pages/pages.jsonl             the captured page
    fairclaim/screenshot-full.png       full page as the visitor saw it
    fairclaim/screenshot-viewport.png   viewport with the image scrolled into view and outlined
    fairclaim/dom.html                  rendered DOM after scripts ran
    fairclaim/manifest.json       every file above with sha256 and size; capture time (UTC), URLs,
                                  user agent, server IP, HTTP status and headers, image_present
    fairclaim/manifest.sig.json   Ed25519 signature over the manifest bytes, the key id, the key
    fairclaim/manifest.tsr        optional RFC 3161 token over sha256(manifest bytes)
    datapackage.json              every file (including the three above) with sha256 and size
    datapackage-digest.json       sha256 of datapackage.json, and `signedData`: the WACZ signing
                                  spec's anonymous ECDSA P-384 signature over that hash
                                  (waczsign.py), which ReplayWeb.page and other WACZ tools check

The signature covers the manifest, and the manifest covers every evidence file, so one signature
check plus the file hashes proves the whole capture; datapackage.json is the WACZ's own fixity
list, checked as well.

Framework-free: no Django imports.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fairclaim import __version__
from fairclaim.evidence import wacz
from fairclaim.evidence.keys import Signer
from fairclaim.evidence.retry import RetryPolicy
from fairclaim.evidence.timestamp import TimestampError, request_token
from fairclaim.evidence.waczsign import domain_signed_data, signed_data

MANIFEST_FORMAT = "fairclaim-evidence-manifest/1"
SIGNATURE_FORMAT = "fairclaim-evidence-signature/1"
MANIFEST_PATH = "fairclaim/manifest.json"
SIGNATURE_PATH = "fairclaim/manifest.sig.json"
TIMESTAMP_PATH = "fairclaim/manifest.tsr"
SOFTWARE = f"fairclaim {__version__}"


@dataclass(frozen=True)
class BundleWritten:
    path: str
    manifest: dict[str, Any]
    manifest_sha256: str
    key_id: str
    timestamped: bool
    timestamp_error: str | None = None


def encode_manifest(manifest: dict[str, Any]) -> bytes:
    """The manifest bytes that are signed: sorted keys, indented for people, UTF-8."""
    return (json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


def signature_document(signer: Signer, manifest_bytes: bytes) -> bytes:
    document = {
        "format": SIGNATURE_FORMAT,
        "algorithm": "Ed25519",
        "key_id": signer.key_id,
        "public_key_pem": signer.public_key_pem().decode("ascii"),
        "signed_file": MANIFEST_PATH,
        "signed_sha256": hashlib.sha256(manifest_bytes).hexdigest(),
        "signature": base64.b64encode(signer.sign(manifest_bytes)).decode("ascii"),
    }
    return json.dumps(document, indent=2).encode("utf-8")


def write_bundle(
    out_path: str,
    *,
    exchanges: Sequence[wacz.HttpExchange],
    attachments: Sequence[wacz.Attachment],
    facts: dict[str, Any],
    signer: Signer,
    created: datetime,
    page_url: str,
    title: str,
    tsa_url: str | None = None,
    tsa_retry: RetryPolicy | None = None,
    tsa_allow_loopback: bool | None = None,
) -> BundleWritten:
    """Package, sign, optionally timestamp, and atomically write one capture.

    The TSA is asked through the guarded fetch; `tsa_allow_loopback` (default: the
    FAIRCLAIM_ALLOW_LOOPBACK variable) lets it be on 127.0.0.1, as in tests and the demo.

    `facts` is the capture description (URLs, statuses, headers, user agent, image_present...);
    it goes into the manifest and into the WARC's metadata record as-is.
    """
    warc = wacz.write_warc(
        exchanges, attachments, facts, software=SOFTWARE, created=created, page_url=page_url
    )
    page_id = hashlib.sha256(f"{page_url} {created.isoformat()}".encode()).hexdigest()[:16]
    evidence_files: dict[str, bytes] = {
        wacz.WARC_PATH: warc.data,
        wacz.INDEX_PATH: wacz.cdxj(warc.index_lines),
        wacz.PAGES_PATH: wacz.pages_jsonl(page_url, title, created, page_id),
    }
    roles = {wacz.WARC_PATH: "warc", wacz.INDEX_PATH: "cdxj-index", wacz.PAGES_PATH: "pages"}
    for attachment in attachments:
        evidence_files[attachment.path] = attachment.data
        roles[attachment.path] = attachment.role

    manifest = {
        "format": MANIFEST_FORMAT,
        "software": {"name": "fairclaim", "version": __version__},
        "signing_key_id": signer.key_id,
        # The key of the WACZ signedData: named under the Ed25519 signature, so trusting that
        # key trusts this one for this bundle.
        **({"wacz_signing_key_id": signer.wacz.key_id} if signer.wacz else {}),
        **({"wacz_domain_key_id": signer.wacz_domain.key_id} if signer.wacz_domain else {}),
        **facts,
        "files": [
            {"path": path, "role": roles[path], "sha256": wacz.sha256_hex(data), "bytes": len(data)}
            for path, data in evidence_files.items()
        ],
    }
    manifest_bytes = encode_manifest(manifest)
    manifest_digest = hashlib.sha256(manifest_bytes).digest()
    members = dict(evidence_files)
    members[MANIFEST_PATH] = manifest_bytes
    members[SIGNATURE_PATH] = signature_document(signer, manifest_bytes)
    timestamp_error = None
    if tsa_url:
        # A TSA outage must not lose the capture (the page may change): the bundle is written
        # without a token and the caller is told, so it can ask for a timestamp again later.
        try:
            members[TIMESTAMP_PATH] = request_token(
                tsa_url, manifest_digest, retry=tsa_retry, allow_loopback=tsa_allow_loopback
            )
        except TimestampError as exc:
            timestamp_error = str(exc)

    package = wacz.datapackage(
        members, title=title, created=created, software=SOFTWARE, page_url=page_url
    )
    members[wacz.DATAPACKAGE_PATH] = package
    spec_signature = (
        signed_data(signer.wacz, package, wacz.rfc3339(created), SOFTWARE) if signer.wacz else None
    )
    if signer.wacz_domain and tsa_url:
        # The domain variant when the platform has a domain certificate: the one authsign and
        # `wacz validate --verify-auth` check. Without a timestamp the anonymous one stays.
        with contextlib.suppress(TimestampError):
            spec_signature = domain_signed_data(
                signer.wacz_domain,
                package,
                wacz.rfc3339(created),
                SOFTWARE,
                tsa_url,
                tsa_retry,
                allow_loopback=tsa_allow_loopback,
            )
    members[wacz.DIGEST_PATH] = wacz.datapackage_digest(package, spec_signature)
    wacz.write_zip_atomically(out_path, members, created)
    return BundleWritten(
        path=str(out_path),
        manifest=manifest,
        manifest_sha256=manifest_digest.hex(),
        key_id=signer.key_id,
        timestamped=TIMESTAMP_PATH in members,
        timestamp_error=timestamp_error,
    )
