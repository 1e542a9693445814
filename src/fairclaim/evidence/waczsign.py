"""The WACZ Signing and Verification spec's anonymous signature (`signedData` in
`datapackage-digest.json`), made and checked.

    {"hash": "sha256:<hex of datapackage.json>", "created": <datapackage.json's "created">,
     "software": "fairclaim x.y", "version": "0.1.0",
     "signature": <base64 ECDSA-SHA256 over the UTF-8 `hash` string, r || s>,
     "publicKey": <base64 DER SubjectPublicKeyInfo of a P-384 key>}

That is exactly what ArchiveWeb.page writes and ReplayWeb.page (wabac.js) verifies: WebCrypto
P-384, SHA-256, IEEE P1363 signatures. `wacz validate` checks the hash and that `created`
equals datapackage.json's; its `--verify-auth` only handles the spec's other (domain-certificate
+ Let's Encrypt + FreeTSA) variant. The signature proves which key signed; our manifest (signed
by the Ed25519 key) names that key (`wacz_signing_key_id`), and the published key list lists it,
so a verifier decides trust from either.

Framework-free: no Django imports.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from fairclaim.evidence.certificates import (
    CURVE_NAMES,
    P384_COORDINATE_BYTES,
    DomainKey,
    WaczKey,
    spki_key_id,
)
from fairclaim.evidence.retry import RetryPolicy
from fairclaim.evidence.timestamp import (
    TimestampError,
    TimeStampResponse,
    check_token,
    request_token,
)

SPEC_VERSION = "0.1.0"  # webrecorder wacz-auth 0.1.0
# The spec: `created` lies within 10 minutes before the timestamp over the signature.
MAX_STAMP_DELAY_SECONDS = 600


def signed_data(key: WaczKey, package_bytes: bytes, created: str, software: str) -> dict[str, Any]:
    digest = "sha256:" + hashlib.sha256(package_bytes).hexdigest()
    return {
        "hash": digest,
        "created": created,
        "software": software,
        "version": SPEC_VERSION,
        "signature": base64.b64encode(key.sign_p1363(digest.encode("utf-8"))).decode("ascii"),
        "publicKey": base64.b64encode(key.public_key_der()).decode("ascii"),
    }


def domain_signed_data(
    key: DomainKey,
    package_bytes: bytes,
    created: str,
    software: str,
    tsa_url: str,
    retry: RetryPolicy | None = None,
    *,
    allow_loopback: bool | None = None,
) -> dict[str, Any]:
    """The spec's domain-identity variant: the domain key signs the hash (DER ECDSA-SHA256), a
    TSA timestamps that signature (`timeSignature`: a base64 TimeStampResp over the SHA-256 of
    the base64 signature text, as authsign checks it). Raises TimestampError without a token."""
    from asn1crypto import cms
    from cryptography import x509

    digest = "sha256:" + hashlib.sha256(package_bytes).hexdigest()
    signature = base64.b64encode(key.sign_der(digest.encode("utf-8"))).decode("ascii")
    token = request_token(
        tsa_url,
        hashlib.sha256(signature.encode("ascii")).digest(),
        retry=retry,
        allow_loopback=allow_loopback,
    )
    content = cms.ContentInfo.load(token)
    response = TimeStampResponse({"status": {"status": "granted"}, "time_stamp_token": content})
    tsa_chain = "".join(
        x509.load_der_x509_certificate(choice.chosen.dump())
        .public_bytes(serialization.Encoding.PEM)
        .decode("ascii")
        for choice in content["content"]["certificates"] or []
        if choice.name == "certificate"
    )
    return {
        "hash": digest,
        "created": created,
        "software": software,
        "version": SPEC_VERSION,
        "signature": signature,
        "domain": key.domain,
        "domainCert": key.chain_pem.decode("ascii"),
        "timeSignature": base64.b64encode(response.dump()).decode("ascii"),
        "timestampCert": tsa_chain,
    }


@dataclass(frozen=True)
class SignedDataCheck:
    ok: bool
    detail: str
    key_id: str | None = None


def check_signed_data(data: Any, package_bytes: bytes, package_created: Any) -> SignedDataCheck:
    """Check an anonymous signedData against datapackage.json's bytes and `created`."""
    if not isinstance(data, dict):
        return SignedDataCheck(False, "signedData is not an object")
    expected = "sha256:" + hashlib.sha256(package_bytes).hexdigest()
    if data.get("hash") != expected:
        return SignedDataCheck(False, f"signed hash {data.get('hash')} is not {expected}")
    if data.get("created") != package_created:
        return SignedDataCheck(
            False, f"signed created {data.get('created')!r} differs from datapackage.json's"
        )
    if "domainCert" in data:
        return _check_domain_signed_data(data, expected, package_created)
    if "publicKey" not in data:
        return SignedDataCheck(False, "signedData has neither publicKey nor domainCert")
    try:
        public = serialization.load_der_public_key(
            base64.b64decode(data["publicKey"], validate=True)
        )
        signature = base64.b64decode(str(data.get("signature", "")), validate=True)
    except (binascii.Error, ValueError, TypeError) as exc:
        return SignedDataCheck(False, f"signedData is malformed: {exc}")
    if not isinstance(public, ec.EllipticCurvePublicKey) or not isinstance(
        public.curve, ec.SECP384R1
    ):
        return SignedDataCheck(
            False, "publicKey is not an ECDSA P-384 key, as the spec's verifiers need"
        )
    key_id = spki_key_id("ecdsa-p384:", public)
    if len(signature) == 2 * P384_COORDINATE_BYTES:  # WebCrypto's r || s
        half = P384_COORDINATE_BYTES
        signature = encode_dss_signature(
            int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big")
        )
    try:
        public.verify(signature, expected.encode("utf-8"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return SignedDataCheck(False, f"ECDSA signature by {key_id} does not hold", key_id)
    return SignedDataCheck(True, f"ECDSA P-384 signature by {key_id} over {expected}", key_id)


def _check_domain_signed_data(data: dict[str, Any], expected: str, created: Any) -> SignedDataCheck:
    """The domain variant: the leaf certificate's key signed the hash, and the TSA token covers
    that signature no later than 10 minutes after `created`. Whether the domain and its CA are
    trusted is the caller's decision (the manifest names the key; authsign checks the roots)."""
    from datetime import datetime

    from asn1crypto import cms
    from cryptography import x509

    try:
        leaf = x509.load_pem_x509_certificates(str(data["domainCert"]).encode("ascii"))[0]
        signature_text = str(data.get("signature", ""))
        signature = base64.b64decode(signature_text, validate=True)
        response = TimeStampResponse.load(base64.b64decode(str(data["timeSignature"])))
        token = response["time_stamp_token"]
        if not isinstance(token, cms.ContentInfo):
            raise ValueError("timeSignature carries no token")
        token_der = token.dump()
    except (KeyError, IndexError, ValueError, TypeError, binascii.Error) as exc:
        return SignedDataCheck(False, f"domain signedData is malformed: {exc}")
    public = leaf.public_key()
    if not isinstance(public, ec.EllipticCurvePublicKey):
        return SignedDataCheck(False, "domainCert's key is not ECDSA")
    curve = CURVE_NAMES.get(public.curve.name, public.curve.name)
    key_id = spki_key_id(f"ecdsa-{curve}:", public)
    try:
        public.verify(signature, expected.encode("utf-8"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return SignedDataCheck(False, f"ECDSA signature by {key_id} does not hold", key_id)
    try:
        stamp = check_token(token_der, hashlib.sha256(signature_text.encode("ascii")).digest())
    except TimestampError as exc:
        return SignedDataCheck(False, f"timeSignature: {exc}", key_id)
    try:
        signed_at = datetime.fromisoformat(str(created).replace("Z", "+00:00"))
    except ValueError:
        return SignedDataCheck(False, f"created {created!r} is not a time", key_id)
    delay = (stamp.gen_time - signed_at).total_seconds()
    if not 0 <= delay <= MAX_STAMP_DELAY_SECONDS:
        return SignedDataCheck(False, f"timestamp {stamp.gen_time} is not just after {created}")
    return SignedDataCheck(
        True,
        f"ECDSA signature by {data.get('domain')} ({key_id}) over {expected}, "
        f"timestamped {stamp.gen_time.isoformat()} by {stamp.tsa_subject}",
        key_id,
    )
