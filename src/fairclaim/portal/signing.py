"""The platform's signing key, as the web app and the workers use it."""

from functools import cache

from django.conf import settings

from fairclaim.evidence.keys import Signer


@cache
def platform_signer(path: str | None = None) -> Signer:
    """Loaded once per process; created on first use in development (production checks that it
    exists, see `checks.py`, so a lost key is noticed at start-up, not at the first notice)."""
    return Signer.from_path(path or settings.FAIRCLAIM_SIGNING_KEY)
