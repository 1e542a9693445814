"""The platform's two standard-format keys, beside the Ed25519 manifest key (keys.py).

- The **document key** (RSA 3072) with a self-signed X.509 certificate signs every PDF we issue
  (PAdES, pdfsign.py). RSA, not Ed25519 or ECDSA: poppler's `pdfsig` and most PDF readers do not
  check Ed25519 in PDF signatures, and pyHanko marks an ECDSA-signed PDF as PDF 2.0 (ISO 32002),
  which a PDF/A-3 file (based on PDF 1.7) must not claim.
- The **WACZ key** (ECDSA P-384) signs `datapackage-digest.json` as the WACZ Signing and
  Verification spec's anonymous signature: its verifiers (ReplayWeb.page / wabac.js,
  ArchiveWeb.page) import the public key as P-384 SPKI and check ECDSA-SHA256.

Both live as PEM files (PKCS#8, mode 0600) in the key folder beside the Ed25519 key; the
certificate is public. Key ids name each key the way keys.py names the Ed25519 key: algorithm
prefix + SHA-256 hex of the DER SubjectPublicKeyInfo.

Framework-free: no Django imports.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

DOCUMENT_KEY_FILE = "document-rsa3072.pem"
DOCUMENT_CERT_FILE = "document-rsa3072.crt"
WACZ_KEY_FILE = "wacz-ecdsa-p384.pem"
KEY_FILE_MODE = 0o600
RSA_BITS = 3072  # NIST SP 800-57: 128-bit security, valid beyond 2030
# A document certificate outlives its use: a PDF reader checks that the signing time falls inside
# the validity, so a key retired after a year keeps old PDFs valid for years after.
CERTIFICATE_LIFETIME = timedelta(days=10 * 365)
CERTIFICATE_BACKDATE = timedelta(minutes=5)  # clock skew between the signer and a reader
P384_COORDINATE_BYTES = 48


class CertificateError(Exception):
    """A key or certificate file is missing (and may not be created), unreadable or wrong."""


def spki_key_id(prefix: str, public_key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey) -> str:
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return prefix + hashlib.sha256(der).hexdigest()


def _write_exclusive(path: Path, data: bytes, mode: int) -> bool:
    """Write a new file (O_EXCL); False when another process created it first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return True


def _private_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


PrivateKey = TypeVar("PrivateKey", rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)


def _load_private(
    path: Path,
    kind: type[PrivateKey],
    *,
    create: bool,
    generate: Callable[[], PrivateKey] | None,
) -> PrivateKey:
    if not path.exists():
        if not create:
            raise CertificateError(
                f"key file {path} does not exist; production never creates one (restore it from "
                "the backup, or create it deliberately with `fairclaim evidence public-key --key "
                "PATH-OF-THE-ED25519-KEY`)"
            )
        if generate is None:
            raise CertificateError(f"key file {path} does not exist")
        created = generate()
        if _write_exclusive(path, _private_pem(created), KEY_FILE_MODE):
            return created
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise CertificateError(f"cannot load key {path}: {exc}") from exc
    if not isinstance(key, kind):
        raise CertificateError(f"key {path} is a {type(key).__name__}, expected {kind.__name__}")
    return key


def _same_key(one: CertificatePublicKeyTypes, other: CertificatePublicKeyTypes) -> bool:
    """Whether two public keys are the same key (compared as SubjectPublicKeyInfo)."""
    der, spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    return one.public_bytes(der, spki) == other.public_bytes(der, spki)


def self_signed_certificate(
    key: rsa.RSAPrivateKey, *, common_name: str, organisation: str, now: datetime
) -> x509.Certificate:
    """An end-entity certificate for document signing (digitalSignature + nonRepudiation)."""
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        ]
    )
    public = key.public_key()
    usage = x509.KeyUsage(
        digital_signature=True, content_commitment=True, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CERTIFICATE_BACKDATE)
        .not_valid_after(now + CERTIFICATE_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


@dataclass(frozen=True)
class DocumentKey:
    """RSA key + its certificate: the signer of every PDF we issue."""

    private_key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @classmethod
    def from_folder(
        cls, folder: str | os.PathLike[str], *, create: bool, now: datetime,
        common_name: str = "fairclaim platform document signing", organisation: str = "fairclaim",
    ) -> DocumentKey:  # fmt: skip
        folder = Path(folder)
        key = _load_private(
            folder / DOCUMENT_KEY_FILE, rsa.RSAPrivateKey, create=create,
            generate=lambda: rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS),
        )  # fmt: skip
        cert_path = folder / DOCUMENT_CERT_FILE
        if not cert_path.exists():
            if not create:
                raise CertificateError(f"certificate {cert_path} does not exist")
            cert = self_signed_certificate(
                key, common_name=common_name, organisation=organisation, now=now
            )
            _write_exclusive(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)
        try:
            certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
        except (OSError, ValueError) as exc:
            raise CertificateError(f"cannot load certificate {cert_path}: {exc}") from exc
        if not _same_key(certificate.public_key(), key.public_key()):
            raise CertificateError(f"certificate {cert_path} is not for key {DOCUMENT_KEY_FILE}")
        return cls(key, certificate)

    @property
    def key_id(self) -> str:
        return spki_key_id("rsa:", self.private_key.public_key())

    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def fingerprint(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex()


@dataclass(frozen=True)
class WaczKey:
    """ECDSA P-384 key for the WACZ spec's anonymous signature."""

    private_key: ec.EllipticCurvePrivateKey

    @classmethod
    def from_folder(cls, folder: str | os.PathLike[str], *, create: bool) -> WaczKey:
        key = _load_private(
            Path(folder) / WACZ_KEY_FILE, ec.EllipticCurvePrivateKey, create=create,
            generate=lambda: ec.generate_private_key(ec.SECP384R1()),
        )  # fmt: skip
        if not isinstance(key.curve, ec.SECP384R1):
            raise CertificateError(f"{WACZ_KEY_FILE} is on {key.curve.name}, expected P-384")
        return cls(key)

    @property
    def key_id(self) -> str:
        return spki_key_id("ecdsa-p384:", self.private_key.public_key())

    def public_key_der(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def public_key_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign_p1363(self, data: bytes) -> bytes:
        """ECDSA-SHA256 as WebCrypto returns it (r || s, 48 bytes each), which wabac.js checks."""
        r, s = decode_dss_signature(self.private_key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(P384_COORDINATE_BYTES, "big") + s.to_bytes(P384_COORDINATE_BYTES, "big")


WACZ_DOMAIN_KEY_FILE = "wacz-domain.pem"
WACZ_DOMAIN_CHAIN_FILE = "wacz-domain-chain.pem"
CURVE_NAMES = {"secp256r1": "p256", "secp384r1": "p384"}


@dataclass(frozen=True)
class DomainKey:
    """Optional: an ECDSA key with a certificate chain (leaf first) for the platform's domain,
    for the WACZ spec's domain-identity signature (the variant `wacz validate --verify-auth` and
    authsign check; it also needs a TSA). Never created here: the operator places the files, e.g.
    from the ACME client that renews the domain's certificate."""

    private_key: ec.EllipticCurvePrivateKey
    chain_pem: bytes
    certificate: x509.Certificate

    @classmethod
    def from_folder(cls, folder: str | os.PathLike[str]) -> DomainKey | None:
        key_path = Path(folder) / WACZ_DOMAIN_KEY_FILE
        chain_path = Path(folder) / WACZ_DOMAIN_CHAIN_FILE
        if not key_path.exists() and not chain_path.exists():
            return None
        key = _load_private(key_path, ec.EllipticCurvePrivateKey, create=False, generate=None)
        try:
            chain_pem = chain_path.read_bytes()
            certificate = x509.load_pem_x509_certificates(chain_pem)[0]
        except (OSError, ValueError, IndexError) as exc:
            raise CertificateError(f"cannot load certificate chain {chain_path}: {exc}") from exc
        if not _same_key(certificate.public_key(), key.public_key()):
            raise CertificateError(f"{chain_path} does not start with the certificate of its key")
        return cls(key, chain_pem, certificate)

    @property
    def domain(self) -> str:
        names = self.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(names[0].value) if names else ""

    @property
    def key_id(self) -> str:
        curve = CURVE_NAMES.get(self.private_key.curve.name, self.private_key.curve.name)
        return spki_key_id(f"ecdsa-{curve}:", self.private_key.public_key())

    def sign_der(self, data: bytes) -> bytes:
        return self.private_key.sign(data, ec.ECDSA(hashes.SHA256()))
