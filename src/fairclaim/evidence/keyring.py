"""The published key list: every platform key ever used, with the period it signed in.

Published at `/.well-known/fairclaim-signing-keys.json` and kept as `keyring.json` in the key
folder. A rotation (`rotate`) ends the current keys' period, moves their private files to
`retired/`, creates new keys and adds them; old entries stay, so a document or bundle signed
before a rotation still verifies after it: its key is in the list, and its signing time falls in
that key's period. A verifier that trusts this list (fetched over HTTPS from the platform, or
kept from an earlier fetch) needs nothing else.

Document shape (JSON)::

    {"format": "fairclaim-keyring/1",
     "keys": [{"key_id": "ed25519:…", "algorithm": "Ed25519", "use": "…",
               "public_key_pem": "…", "certificate_pem": "…" (document key only),
               "certificate_sha256": "…" (document key only),
               "valid_from": "2026-12-04T17:00:00+00:00", "valid_until": null}, …]}

Framework-free: no Django imports.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from fairclaim.evidence.certificates import (
    DOCUMENT_CERT_FILE,
    DOCUMENT_KEY_FILE,
    WACZ_KEY_FILE,
    CertificateError,
)
from fairclaim.evidence.keys import Signer, load_public_key_pem

KEYRING_FILE = "keyring.json"
KEYRING_FORMAT = "fairclaim-keyring/1"
RETIRED_FOLDER = "retired"
MAX_KEYRING_BYTES = 1_000_000  # a few dozen keys are a few hundred kB at most


class KeyringError(Exception):
    """The key list is unreadable or not a fairclaim key list."""


@dataclass(frozen=True)
class KeyEntry:
    key_id: str
    algorithm: str
    use: str
    public_key_pem: str
    valid_from: datetime
    valid_until: datetime | None = None
    certificate_pem: str | None = None

    def covers(self, moment: datetime | None) -> bool:
        """True when `moment` falls in this key's signing period (None: any time)."""
        if moment is None:
            return True
        if moment < self.valid_from:
            return False
        return self.valid_until is None or moment <= self.valid_until

    def period(self) -> str:
        until = self.valid_until.isoformat() if self.valid_until else "now"
        return f"{self.valid_from.isoformat()} to {until}"

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "key_id": self.key_id,
            "algorithm": self.algorithm,
            "use": self.use,
            "public_key_pem": self.public_key_pem,
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
        }
        if self.certificate_pem:
            certificate = x509.load_pem_x509_certificate(self.certificate_pem.encode("ascii"))
            document["certificate_pem"] = self.certificate_pem
            document["certificate_sha256"] = certificate.fingerprint(hashes.SHA256()).hex()
        return document


def _time(value: Any, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise KeyringError(f"{name} {value!r} is not an ISO 8601 time") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class Keyring:
    keys: list[KeyEntry] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: bytes | str) -> Keyring:
        try:
            document = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise KeyringError(f"key list is not JSON: {exc}") from exc
        if not isinstance(document, dict) or document.get("format") != KEYRING_FORMAT:
            raise KeyringError(f"not a {KEYRING_FORMAT} key list")
        entries = []
        for raw in document.get("keys") or []:
            if not isinstance(raw, dict):
                raise KeyringError("a key entry is not an object")
            try:
                entries.append(
                    KeyEntry(
                        key_id=str(raw["key_id"]),
                        algorithm=str(raw["algorithm"]),
                        use=str(raw.get("use", "")),
                        public_key_pem=str(raw["public_key_pem"]),
                        valid_from=_time(raw["valid_from"], "valid_from"),  # type: ignore[arg-type]
                        valid_until=_time(raw.get("valid_until"), "valid_until"),
                        certificate_pem=raw.get("certificate_pem"),
                    )
                )
            except KeyError as exc:
                raise KeyringError(f"a key entry lacks {exc}") from exc
        return cls(entries)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Keyring:
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_KEYRING_BYTES + 1)
        except OSError as exc:
            raise KeyringError(f"cannot read key list {path}: {exc}") from exc
        if len(data) > MAX_KEYRING_BYTES:
            raise KeyringError(f"key list {path} exceeds {MAX_KEYRING_BYTES} bytes")
        return cls.from_json(data)

    def to_json_bytes(self) -> bytes:
        document = {"format": KEYRING_FORMAT, "keys": [entry.to_json() for entry in self.keys]}
        return (json.dumps(document, indent=2) + "\n").encode("utf-8")

    def entry(self, key_id: str | None) -> KeyEntry | None:
        return next((entry for entry in self.keys if entry.key_id == key_id), None)

    def ed25519_key(self, key_id: str | None) -> Any:
        entry = self.entry(key_id)
        return load_public_key_pem(entry.public_key_pem.encode("ascii")) if entry else None

    def certificates(self) -> list[x509.Certificate]:
        return [
            x509.load_pem_x509_certificate(entry.certificate_pem.encode("ascii"))
            for entry in self.keys
            if entry.certificate_pem
        ]

    def current(self) -> list[KeyEntry]:
        return [entry for entry in self.keys if entry.valid_until is None]


def _created(path: Path | None, now: datetime) -> datetime:
    """When a key file was written (its mtime), at most `now`: the start of the key's period for
    an install that signed before it kept a key list."""
    try:
        moment = datetime.fromtimestamp(path.stat().st_mtime, UTC) if path else now
    except OSError:
        return now.replace(microsecond=0)
    # Whole seconds: PDF signing times and capture times carry no fractions of a second.
    return min(moment, now).replace(microsecond=0)


def _optional(load: Any) -> Any:
    """A document or WACZ key, or None for an install from before they existed."""
    try:
        return load()
    except CertificateError:
        return None


def current_entries(signer: Signer, now: datetime) -> list[KeyEntry]:
    """Entries for the signer's keys, each valid from its file's creation (at most `now`)."""
    folder = signer.folder
    document = _optional(lambda: signer.document)
    spec = _optional(lambda: signer.wacz)
    entries = [
        KeyEntry(
            key_id=signer.key_id,
            algorithm="Ed25519",
            use="evidence manifests (fairclaim/manifest.sig.json), notice PDF digests",
            public_key_pem=signer.public_key_pem().decode("ascii"),
            valid_from=_created(signer.path, now),
        )
    ]
    if document is not None:
        entries.append(
            KeyEntry(
                key_id=document.key_id,
                algorithm="RSA-3072",
                use="PDF signatures (PAdES) on every document the platform issues",
                public_key_pem=document.certificate.public_key()
                .public_bytes(
                    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
                )
                .decode("ascii"),
                valid_from=_created(folder / DOCUMENT_KEY_FILE if folder else None, now),
                certificate_pem=document.certificate_pem().decode("ascii"),
            )
        )
    if spec is not None:
        entries.append(
            KeyEntry(
                key_id=spec.key_id,
                algorithm="ECDSA-P384",
                use="WACZ signedData in datapackage-digest.json (anonymous signing)",
                public_key_pem=spec.public_key_pem().decode("ascii"),
                valid_from=_created(folder / WACZ_KEY_FILE if folder else None, now),
            )
        )
    return entries


def platform_keyring(signer: Signer, now: datetime) -> Keyring:
    """The key list of the signer's folder, with the signer's current keys added if missing
    (a first start, or an install from before key lists). Written back when it changed."""
    if signer.folder is None:
        return Keyring(current_entries(signer, now))
    path = signer.folder / KEYRING_FILE
    keyring = Keyring.load(path) if path.exists() else Keyring()
    missing = [
        entry for entry in current_entries(signer, now) if keyring.entry(entry.key_id) is None
    ]
    if missing:
        keyring.keys.extend(missing)
        # A read-only key folder (a mounted secret): publish the list from memory.
        with contextlib.suppress(OSError):
            write_atomically(path, keyring.to_json_bytes())
    return keyring


def write_atomically(path: Path, data: bytes) -> None:
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def rotate(key_path: str | os.PathLike[str], now: datetime) -> tuple[Keyring, Signer]:
    """End the current keys' period at `now`, keep their private files under retired/, create
    new keys. Processes that loaded the old keys keep signing with them until restarted, which
    is why the old period ends at `now` but the list keeps them."""
    key_path = Path(key_path)
    folder = key_path.parent
    old = Signer.from_path(key_path, create=False)
    keyring = platform_keyring(old, now)
    retired = folder / RETIRED_FOLDER / now.strftime("%Y%m%dT%H%M%S%fZ")
    retired.mkdir(parents=True, exist_ok=False)
    for name in (key_path.name, DOCUMENT_KEY_FILE, DOCUMENT_CERT_FILE, WACZ_KEY_FILE):
        if (folder / name).exists():
            shutil.move(str(folder / name), str(retired / name))
    current = {entry.key_id for entry in current_entries(old, now)}
    keyring.keys = [
        KeyEntry(**{**entry.__dict__, "valid_until": now})
        if entry.key_id in current and entry.valid_until is None
        else entry
        for entry in keyring.keys
    ]
    new = Signer.from_path(key_path, create=True)
    keyring.keys.extend(current_entries(new, now))
    write_atomically(folder / KEYRING_FILE, keyring.to_json_bytes())
    return keyring, new
