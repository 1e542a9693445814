"""A page submitted by hand: fetch that one page (and its images) and return its sightings.

Thin shell over fetch() and the pure extraction in context.py/records.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fairclaim.discovery.addresses import Resolver, system_resolver
from fairclaim.discovery.context import ImageOnPage, extract_page
from fairclaim.discovery.errors import DiscoveryError
from fairclaim.discovery.fetch import DEFAULT_LIMITS, FetchLimits, fetch
from fairclaim.discovery.imagemeta import read_image_facts
from fairclaim.discovery.records import (
    ImageFetch,
    SightingRecord,
    sighting_for_image,
    sightings_from_page,
    utc_iso,
)

MAX_IMAGES_FETCHED = 200  # per submitted page: a gallery, not a site; bounds one request's work


def fetch_image(
    url: str, *, limits: FetchLimits, allow_loopback: bool, resolver: Resolver = system_resolver
) -> ImageFetch:
    """Fetch one image and read its facts; failures come back as ImageFetch(error=kind)."""
    try:
        result = fetch(
            url, limits=limits, allow_loopback=allow_loopback, resolver=resolver, expect="image"
        )
        facts = read_image_facts(result.body, max_pixels=limits.max_pixels)
    except DiscoveryError as exc:
        return ImageFetch(error=exc.kind)
    return ImageFetch(sha256=result.sha256, facts=facts)


def fetch_page_sightings(
    page_url: str,
    image_url: str | None = None,
    *,
    limits: FetchLimits = DEFAULT_LIMITS,
    allow_loopback: bool = False,
    resolver: Resolver = system_resolver,
    fetch_images: bool = True,
    now: datetime | None = None,
) -> list[SightingRecord]:
    """Fetch `page_url`, extract its images with context, and return one record per image.

    With `image_url`, only that image is returned; if the page does not show it (e.g. it is
    loaded by script), a record is still returned with the page's context and kind "submitted".
    Raises DiscoveryError when the page itself cannot be fetched; image failures are recorded in
    each record's `image_error`.
    """
    seen = utc_iso(now or datetime.now(UTC))
    result = fetch(
        page_url, limits=limits, allow_loopback=allow_loopback, resolver=resolver, expect="html"
    )
    page = extract_page(
        result.body, result.final_url, content_type=result.headers.get("content-type", "")
    )
    if image_url is None:
        wanted = list(page.images)
    else:
        wanted = [i for i in page.images if image_url == i.url or image_url in i.alternates]
        if not wanted:
            wanted = [ImageOnPage(url=image_url, kind="submitted")]
    fetched = {}
    if fetch_images:
        for image in wanted[:MAX_IMAGES_FETCHED]:
            fetched[image.url] = fetch_image(
                image.url, limits=limits, allow_loopback=allow_loopback, resolver=resolver
            )
    if image_url is None:
        return sightings_from_page(page, first_seen=seen, source="manual", fetched=fetched)
    return [
        sighting_for_image(
            page, image, first_seen=seen, source="manual", fetched=fetched.get(image.url)
        )
        for image in wanted
    ]
