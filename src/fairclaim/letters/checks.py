"""System checks: production must not start without what it needs to sign evidence and notices."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, register

from fairclaim.evidence.certificates import DOCUMENT_CERT_FILE, DOCUMENT_KEY_FILE, WACZ_KEY_FILE


@register(Tags.security, deploy=True)
def signing_key_present(app_configs, **kwargs):
    """The Ed25519 key and, beside it, the document certificate and the WACZ key (the WSGI
    application refuses to start without them as well; this says so before a deploy)."""
    path = Path(settings.FAIRCLAIM_SIGNING_KEY)
    if not settings.PRODUCTION:
        return []
    wanted = [path] + [
        path.parent / name for name in (DOCUMENT_KEY_FILE, DOCUMENT_CERT_FILE, WACZ_KEY_FILE)
    ]
    missing = [str(item) for item in wanted if not item.is_file()]
    if not missing:
        return []
    return [
        Error(
            f"The platform signing key file(s) {', '.join(missing)} do not exist.",
            hint=(
                "Create them once with `fairclaim evidence public-key --key PATH` (the Ed25519 "
                "key, the PDF certificate and the WACZ key, in one folder), keep a backup, and "
                "point FAIRCLAIM_SIGNING_KEY at the Ed25519 key. A new key makes every earlier "
                "signature unverifiable against the published key."
            ),
            id="fairclaim.E001",
        )
    ]
