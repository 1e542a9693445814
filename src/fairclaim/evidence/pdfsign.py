"""PAdES signatures on the PDFs we issue, and their check, with pyHanko.

`sign_pdf` adds one invisible PAdES baseline signature (ETSI.CAdES.detached, SHA-256) by the
platform's document certificate as an incremental update, so the PDF/A-3b file WeasyPrint wrote
keeps its bytes, tags, XMP and attachments; with a TSA URL the signature carries an RFC 3161
signature timestamp (PAdES-B-T). Any PDF reader (Acrobat, Okular, `pdfsig`) shows the signer and
whether the document changed since; `check_pdf` is the same check done here with pyHanko's
validator, against the platform certificates a caller trusts (the published key list).

Framework-free: no Django imports.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from fairclaim.evidence.certificates import DocumentKey
from fairclaim.evidence.keyring import Keyring
from fairclaim.evidence.report import Check, Verification
from fairclaim.evidence.timestamp import post_query

if TYPE_CHECKING:
    from pyhanko.sign.timestamps.api import TimeStamper

SIGNATURE_FIELD = "fairclaim-platform-signature"
DIGEST = "sha256"
MAX_PDF_BYTES = 50_000_000  # our letters are < 1 MB; a bigger upload is not one of ours


class PdfSigningError(Exception):
    """The PDF could not be signed (unreadable input, TSA refused or unreachable)."""


P = ParamSpec("P")
T = TypeVar("T")


def _guarded_timestamper(tsa_url: str, allow_loopback: bool | None) -> TimeStamper:
    """pyHanko's timestamp client, asking the TSA through `timestamp.post_query` instead of its
    own HTTP client, so the address guard, timeouts and size cap apply as to every other call."""
    from asn1crypto import tsp
    from pyhanko.sign.timestamps.api import TimeStamper

    class GuardedTimeStamper(TimeStamper):
        async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
            answer = await asyncio.to_thread(
                post_query, tsa_url, req.dump(), allow_loopback=allow_loopback
            )
            return tsp.TimeStampResp.load(answer)

    return GuardedTimeStamper()  # type: ignore[no-untyped-call]  # pyHanko's own __init__


def _off_loop(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Call one of pyHanko's synchronous functions. They wrap `asyncio.run`, which refuses to
    start inside a thread whose event loop is running (Playwright's sync API keeps one in the
    worker that also captures pages); there the call goes to a short-lived thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def sign_pdf(
    pdf: bytes,
    key: DocumentKey,
    *,
    reason: str,
    location: str | None = None,
    contact: str | None = None,
    tsa_url: str | None = None,
    allow_loopback: bool | None = None,
) -> bytes:
    """Return `pdf` with an embedded PAdES signature by `key` (and a timestamp with a TSA,
    asked through the one guarded way out: `timestamp.post_query`)."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    certificate = asn1_x509.Certificate.load(
        key.certificate.public_bytes(serialization.Encoding.DER)
    )
    private = asn1_keys.PrivateKeyInfo.load(
        key.private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    signer = signers.SimpleSigner(
        signing_cert=certificate,
        signing_key=private,
        cert_registry=SimpleCertificateStore.from_certs([certificate]),  # type: ignore[no-untyped-call]
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        reason=reason,
        location=location,
        contact_info=contact,
        md_algorithm=DIGEST,
        subfilter=SigSeedSubFilter.PADES,
    )
    timestamper = _guarded_timestamper(tsa_url, allow_loopback) if tsa_url else None
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        output = _off_loop(
            signers.sign_pdf, writer, metadata, signer=signer, timestamper=timestamper
        )
    except Exception as exc:  # pyHanko raises its own, requests', and ValueError alike
        raise PdfSigningError(f"could not sign the PDF: {exc}") from exc
    signed: bytes = output.getvalue()
    return signed


@dataclass
class PdfCheck:
    """What one PDF's signature check found; `ok` when it is ours, intact and whole."""

    signed: bool = False
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    covers_whole_file: bool = False
    signer_subject: str = ""
    signer_certificate_sha256: str = ""
    signing_time: datetime | None = None
    timestamp_time: datetime | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.signed and self.intact and self.valid and self.trusted and self.covers_whole_file
        )


def check_pdf(pdf: bytes, trusted: list[x509.Certificate]) -> PdfCheck:
    """Check the PDF's signatures: exactly one, intact, covering the whole file, by one of the
    `trusted` certificates (the platform's current and retired document certificates)."""
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    result = PdfCheck()
    if len(pdf) > MAX_PDF_BYTES:
        result.problems.append(f"larger than {MAX_PDF_BYTES} bytes: not a document we issued")
        return result
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        result.problems.append(f"not a readable PDF: {exc}")
        return result
    if not signatures:
        result.problems.append("the PDF carries no signature")
        return result
    if len(signatures) > 1:
        result.problems.append(f"{len(signatures)} signatures; ours carry exactly one")
    roots = [
        asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in trusted
    ]
    signature = signatures[-1]
    context = ValidationContext(trust_roots=roots, allow_fetching=False)
    try:
        status = _off_loop(validate_pdf_signature, signature, context)
    except Exception as exc:  # a damaged signature can break the CMS parser anywhere
        result.signed = True
        result.problems.append(f"the signature cannot be read: {exc}")
        return result
    result.signed = True
    result.intact, result.valid, result.trusted = status.intact, status.valid, status.trusted
    result.covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    cert = x509.load_der_x509_certificate(status.signing_cert.dump())
    result.signer_subject = cert.subject.rfc4514_string()
    result.signer_certificate_sha256 = cert.fingerprint(hashes.SHA256()).hex()
    result.signing_time = status.signer_reported_dt
    if status.timestamp_validity is not None:
        result.timestamp_time = status.timestamp_validity.timestamp
    if not status.intact:
        result.problems.append("the document changed after it was signed (digest differs)")
    elif not status.valid:
        result.problems.append("the signature does not hold for the signer's certificate")
    if not status.trusted:
        result.problems.append(
            f"signed by {result.signer_subject} (certificate sha256 "
            f"{result.signer_certificate_sha256}), not a platform certificate"
        )
    if not result.covers_whole_file:
        result.problems.append("content was added after the signature")
    return result


PDF_SIGNATURE_PART = "PDF signature (PAdES)"
PDF_TRUST_PART = "trusted key"


def verify_pdf(
    pdf: bytes, *, keyring: Keyring | None = None, trust_any_key: bool = False, subject: str = ""
) -> Verification:
    """The `fairclaim evidence verify` checks of a PDF: its signature is intact and covers the
    whole file, and (with the published key list) its certificate is a platform certificate whose
    period covers the signing time. Without a key list the signer is named, not trusted."""
    result = Verification(kind="pdf", subject=subject)
    certificates = keyring.certificates() if keyring else []
    check = check_pdf(pdf, certificates)
    whole = check.signed and check.intact and check.valid and check.covers_whole_file
    if not whole:
        problems = [p for p in check.problems if "not a platform certificate" not in p]
        result.checks.append(Check(PDF_SIGNATURE_PART, False, "; ".join(problems)))
        return result
    when = check.timestamp_time or check.signing_time
    result.checks.append(
        Check(
            PDF_SIGNATURE_PART,
            True,
            f"intact, covers the whole file, signed by {check.signer_subject} at {when}",
        )
    )
    result.key_id = f"certificate sha256 {check.signer_certificate_sha256}"
    if check.timestamp_time:
        result.info["timestamp"] = check.timestamp_time.isoformat()
    entry = None
    if keyring is not None:
        entry = next(
            (
                e
                for e in keyring.keys
                if e.certificate_pem
                and _fingerprint(e.certificate_pem) == check.signer_certificate_sha256
            ),
            None,
        )
    if entry is not None and check.trusted and entry.covers(when):
        result.checks.append(
            Check(PDF_TRUST_PART, True, f"platform certificate {entry.key_id} ({entry.period()})")
        )
    elif entry is not None:
        result.checks.append(
            Check(PDF_TRUST_PART, False, f"signed at {when}, outside {entry.period()}")
        )
    elif keyring is not None:
        result.checks.append(
            Check(PDF_TRUST_PART, False, "the signing certificate is not in the published key list")
        )
    elif trust_any_key:
        result.checks.append(
            Check(PDF_TRUST_PART, True, "NOT checked against a trusted key (--trust-any-key)")
        )
    else:
        result.checks.append(
            Check(
                PDF_TRUST_PART,
                False,
                f"signed by certificate sha256 {check.signer_certificate_sha256}, not checked "
                "against a trusted key: pass --trusted-keys KEYLIST.json or --trust-any-key",
            )
        )
    return result


def verify_pdf_file(
    path: str, *, keyring: Keyring | None = None, trust_any_key: bool = False
) -> Verification:
    try:
        with open(path, "rb") as handle:
            pdf = handle.read(MAX_PDF_BYTES + 1)
    except OSError as exc:
        return Verification(kind="pdf", subject=path, checks=[Check(path, False, str(exc))])
    return verify_pdf(pdf, keyring=keyring, trust_any_key=trust_any_key, subject=path)


def _fingerprint(certificate_pem: str) -> str:
    certificate = x509.load_pem_x509_certificate(certificate_pem.encode("ascii"))
    return certificate.fingerprint(hashes.SHA256()).hex()
