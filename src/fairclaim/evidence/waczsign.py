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

from fairclaim.evidence.certificates import P384_COORDINATE_BYTES, WaczKey, spki_key_id

SPEC_VERSION = "0.1.0"  # webrecorder wacz-auth 0.1.0


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
    if "publicKey" not in data:
        return SignedDataCheck(False, "signedData has no publicKey (domain signatures unsupported)")
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
