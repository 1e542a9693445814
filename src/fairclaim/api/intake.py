"""Registering works from image URLs: fetched through discovery's guarded `fetch` (address policy
after DNS resolution, redirects re-checked, byte and pixel caps), then the same intake checks and
action as an upload."""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from django.conf import settings

from fairclaim.accounts.models import Organisation, User
from fairclaim.discovery.errors import DiscoveryError
from fairclaim.discovery.fetch import DEFAULT_LIMITS, fetch
from fairclaim.works.actions import UploadOutcome, do_register_image, upload_limits
from fairclaim.works.intake import UploadRefused, check_image


def filename_from_url(url: str) -> str:
    name = PurePosixPath(urlsplit(url).path).name
    return name or "image"


def do_register_from_urls(owner: Organisation, user: User, urls: list[str]) -> UploadOutcome:
    """Fetch each URL and register the photo it serves; each failure is a refusal naming why."""
    limits = upload_limits()
    fetch_limits = replace(
        DEFAULT_LIMITS,
        max_bytes=limits.max_bytes,
        max_pixels=limits.max_pixels,
    )
    outcome = UploadOutcome()
    for url in urls:
        try:
            fetched = fetch(
                url, limits=fetch_limits, expect="image",
                allow_loopback=settings.FAIRCLAIM_ALLOW_LOOPBACK,
            )  # fmt: skip
            image = check_image(filename_from_url(fetched.final_url), fetched.body, limits)
            outcome.registered.append(do_register_image(owner, user, image))
        except DiscoveryError as exc:
            outcome.refused.append(UploadRefused(url, f"could not fetch it: {exc}"))
        except UploadRefused as refusal:
            outcome.refused.append(UploadRefused(url, refusal.reason))
    return outcome
