"""The platform's keys as the web app and the workers use them (Ed25519 manifest key, document
certificate, WACZ key: see fairclaim.evidence.keys and .certificates), and the published key list.

Production never creates a key: a missing key file is an error at start-up (`check_platform_keys`,
called by the WSGI application) and at first use, because a silently new key would make every
earlier notice and bundle fail against the published key.
"""

from datetime import UTC, datetime
from functools import cache

from django.conf import settings

from fairclaim.evidence.keyring import Keyring, platform_keyring
from fairclaim.evidence.keys import Signer


@cache
def platform_signer(path: str | None = None) -> Signer:
    """Loaded once per process; created on first use in development only."""
    return Signer.from_path(path or settings.FAIRCLAIM_SIGNING_KEY, create=not settings.PRODUCTION)


def published_keyring() -> Keyring:
    """Every platform key ever used with its period (current keys added on first use)."""
    return platform_keyring(platform_signer(), datetime.now(UTC))


def check_platform_keys() -> None:
    """Load every platform key now; raises (SigningKeyError, CertificateError) when one is
    missing in production, so a process refuses to start instead of signing with a new key."""
    signer = platform_signer()
    _ = signer.document, signer.wacz, signer.wacz_domain


def document_certificates() -> list[dict]:
    """The document certificates a reader can trust, current first: key id, SHA-256
    fingerprint (what a PDF reader shows) and the period each signed in."""
    from cryptography.hazmat.primitives import hashes

    keyring = published_keyring()
    rows = []
    for entry, certificate in zip(
        [e for e in keyring.keys if e.certificate_pem], keyring.certificates(), strict=True
    ):
        fingerprint = certificate.fingerprint(hashes.SHA256()).hex(":").upper()
        rows.append(
            {
                "key_id": entry.key_id,
                "subject": certificate.subject.rfc4514_string(),
                "sha256": fingerprint,
                # Two lines of 16 bytes: a fingerprint is compared by eye, half by half.
                "sha256_lines": [fingerprint[:47], fingerprint[48:]],
                "valid_from": entry.valid_from,
                "valid_until": entry.valid_until,
            }
        )
    return sorted(rows, key=lambda row: (row["valid_until"] is not None, row["valid_from"]))
