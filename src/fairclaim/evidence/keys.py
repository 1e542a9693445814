"""The platform's Ed25519 signing key: load or create it, publish it, name it, sign and check.

The private key lives in a PEM file (PKCS#8, unencrypted, mode 0600); the Django layer passes its
path from settings, the CLI from `--key` or `FAIRCLAIM_SIGNING_KEY`. The public key is published
at `/.well-known/fairclaim-signing-key` as the PEM that `public_key_pem()` returns, and every
signature names the key by `key_id()`: "ed25519:" + the SHA-256 hex of the 32 raw public-key bytes,
so a verifier can tell which published key to fetch and check the one it has.

Framework-free: no Django imports.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

if TYPE_CHECKING:
    from fairclaim.evidence.certificates import DocumentKey, DomainKey, WaczKey

SIGNING_KEY_ENV = "FAIRCLAIM_SIGNING_KEY"
DEFAULT_KEY_PATH = Path("var/keys/signing-ed25519.pem")  # relative to the working directory
KEY_FILE_MODE = 0o600  # the private key is readable by its owner only
KEY_ID_PREFIX = "ed25519:"


class SigningKeyError(Exception):
    """A key file is missing, unreadable, or not an Ed25519 key."""


def key_id(public_key: Ed25519PublicKey) -> str:
    """Stable name of a public key: "ed25519:" + sha256 hex of its 32 raw bytes."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return KEY_ID_PREFIX + hashlib.sha256(raw).hexdigest()


def public_key_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The SubjectPublicKeyInfo PEM of a key (what the web app publishes)."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_public_key_pem(data: bytes) -> Ed25519PublicKey:
    """Parse a public key PEM (or a private key PEM, taking its public half)."""
    try:
        if b"PRIVATE KEY" in data:
            key = serialization.load_pem_private_key(data, password=None)
            public = key.public_key()
        else:
            public = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(f"not a PEM key: {exc}") from exc
    if not isinstance(public, Ed25519PublicKey):
        raise SigningKeyError(f"not an Ed25519 key ({type(public).__name__})")
    return public


def load_public_key(path: str | os.PathLike[str]) -> Ed25519PublicKey:
    """Read a public key PEM file."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SigningKeyError(f"cannot read public key {path}: {exc}") from exc
    return load_public_key_pem(data)


def load_or_create_private_key(
    path: str | os.PathLike[str], *, create: bool = True
) -> Ed25519PrivateKey:
    """Load the Ed25519 private key at `path`, or create it there (mode 0600) on first use.

    Creation is exclusive (O_EXCL): two processes starting at once cannot both write a key; the
    loser loads the winner's key. With `create=False` (production) a missing file is an error:
    a silently new key would make every earlier signature fail against the published key.
    """
    path = Path(path)
    if not path.exists() and not create:
        raise SigningKeyError(
            f"signing key {path} does not exist; production never creates one "
            "(restore it from the backup, or create it deliberately with "
            "`fairclaim evidence public-key --key PATH`)"
        )
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, KEY_FILE_MODE)
        except FileExistsError:
            pass  # created meanwhile by another process: load it below
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
                handle.flush()
                os.fsync(handle.fileno())
            return key
    try:
        data = path.read_bytes()
        loaded = serialization.load_pem_private_key(data, password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise SigningKeyError(f"cannot load signing key {path}: {exc}") from exc
    if not isinstance(loaded, Ed25519PrivateKey):
        raise SigningKeyError(f"signing key {path} is not Ed25519 ({type(loaded).__name__})")
    return loaded


@dataclass(frozen=True)
class Signer:
    """An Ed25519 private key with its published name, and (when loaded from a key folder) the
    platform's document key and WACZ key kept beside it (certificates.py), loaded on first use."""

    private_key: Ed25519PrivateKey
    path: Path | None = field(default=None, compare=False)
    create: bool = field(default=True, compare=False)

    @classmethod
    def from_path(cls, path: str | os.PathLike[str], *, create: bool = True) -> Signer:
        return cls(load_or_create_private_key(path, create=create), Path(path), create)

    @property
    def folder(self) -> Path | None:
        return self.path.parent if self.path is not None else None

    @cached_property
    def document(self) -> DocumentKey | None:
        """RSA key + X.509 certificate that signs PDFs (PAdES); None without a key folder."""
        from fairclaim.evidence.certificates import DocumentKey

        if self.folder is None:
            return None
        return DocumentKey.from_folder(self.folder, create=self.create, now=datetime.now(UTC))

    @cached_property
    def wacz(self) -> WaczKey | None:
        """ECDSA P-384 key for the WACZ spec's signedData; None without a key folder."""
        from fairclaim.evidence.certificates import WaczKey

        if self.folder is None:
            return None
        return WaczKey.from_folder(self.folder, create=self.create)

    @property
    def wacz_domain(self) -> DomainKey | None:
        """The optional domain key + certificate chain for the WACZ spec's domain signature,
        read at each use: its certificate is renewed often (authsign accepts one at most seven
        days old), and a running worker must pick up the renewed files."""
        from fairclaim.evidence.certificates import DomainKey

        return DomainKey.from_folder(self.folder) if self.folder is not None else None

    @property
    def key_id(self) -> str:
        return key_id(self.private_key.public_key())

    def public_key_pem(self) -> bytes:
        return public_key_pem(self.private_key)

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data)


def signature_holds(public_key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    """True when `signature` is `public_key`'s Ed25519 signature of `data`."""
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return False
    return True
