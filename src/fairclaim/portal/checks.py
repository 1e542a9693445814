"""System checks: production must not start without what it needs to sign evidence and notices."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def signing_key_present(app_configs, **kwargs):
    path = Path(settings.FAIRCLAIM_SIGNING_KEY)
    if not settings.PRODUCTION or path.is_file():
        return []
    return [
        Error(
            f"The platform signing key {path} does not exist.",
            hint=(
                "Create it once with `fairclaim evidence public-key --key PATH` (generated on "
                "first use), keep a backup, and point FAIRCLAIM_SIGNING_KEY at it. A new key "
                "makes every earlier signature unverifiable against the published key."
            ),
            id="fairclaim.E001",
        )
    ]
