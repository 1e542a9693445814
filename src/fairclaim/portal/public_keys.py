"""Public key material, published where verifiers look for it (no login, cacheable, CORS open):

- /.well-known/fairclaim-signing-key              the current Ed25519 key (PEM; DESIGN contract)
- /.well-known/fairclaim-signing-keys.json        every platform key ever used, with its period
                                                  (`fairclaim evidence verify --trusted-keys`)
- /.well-known/fairclaim-signing-certificate.pem  the document certificates (current first, then
                                                  retired), to trust in a PDF reader
"""

from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .signing import platform_signer, published_keyring

PUBLIC_MAX_AGE = 3600  # keys change only at a rotation; an hour of caching is harmless


def _public(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
def signing_key(request):
    """The public half of the current Ed25519 key: checks evidence bundles and notice digests."""
    signer = platform_signer()
    response = HttpResponse(signer.public_key_pem(), content_type="application/x-pem-file")
    response["X-Fairclaim-Key-Id"] = signer.key_id
    return _public(response)


@require_GET
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
def signing_keys(request):
    """The published key list (current and retired keys with their periods)."""
    keyring = published_keyring()
    return _public(HttpResponse(keyring.to_json_bytes(), content_type="application/json"))


@require_GET
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
def signing_certificate(request):
    """Every document-signing certificate, current first, as one PEM file."""
    keyring = published_keyring()
    entries = sorted(
        (entry for entry in keyring.keys if entry.certificate_pem),
        key=lambda entry: (entry.valid_until is not None, entry.valid_from),
    )
    body = "".join(entry.certificate_pem for entry in entries).encode("ascii")
    response = HttpResponse(body, content_type="application/x-pem-file")
    response["Content-Disposition"] = 'inline; filename="fairclaim-signing-certificate.pem"'
    return _public(response)
