"""The platform's public signing key is published where verifiers look for it."""

from cryptography.hazmat.primitives.serialization import load_pem_public_key

from fairclaim.evidence.keys import key_id, signature_holds
from fairclaim.portal.signing import platform_signer


def test_publishes_the_public_key_that_verifies_platform_signatures(client, settings, tmp_path):
    settings.FAIRCLAIM_SIGNING_KEY = str(tmp_path / "signing.pem")
    platform_signer.cache_clear()
    response = client.get("/.well-known/fairclaim-signing-key")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-pem-file"
    public = load_pem_public_key(response.content)
    assert b"PRIVATE" not in response.content
    assert response["X-Fairclaim-Key-Id"] == key_id(public)
    signer = platform_signer()
    assert signature_holds(public, signer.sign(b"notice FC-2026-000001"), b"notice FC-2026-000001")
    platform_signer.cache_clear()
