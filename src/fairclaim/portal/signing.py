"""The platform's signing keys: defined in the letters app (the lowest app that signs), used here
for the public key pages and the verifiers."""

from fairclaim.letters.signing import (
    check_platform_keys,
    document_certificates,
    platform_signer,
    published_keyring,
)

__all__ = ["check_platform_keys", "document_certificates", "platform_signer", "published_keyring"]
