"""Reverse image search for registered works, through the providers enabled by API keys.

Each provider hit names a page; the page is then fetched like a hand-submitted one, so the
sighting carries the same page context (credit, licence link, imprint) as a crawled one.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from fairclaim.discovery.errors import DiscoveryError
from fairclaim.discovery.providers.base import ReverseImageSearchProvider
from fairclaim.discovery.providers.google_vision import GoogleVisionProvider
from fairclaim.discovery.providers.tineye import TinEyeProvider
from fairclaim.discovery.submitted import fetch_page_sightings
from fairclaim.works.models import Work

from .actions import Recorded, do_record_sightings, enqueue_matching

log = logging.getLogger(__name__)

# How often each work is searched again: providers charge per search, and the web changes slowly.
SEARCH_INTERVAL = timedelta(days=30)
MAX_PAGES_PER_SEARCH = 50  # pages fetched for context per work and search; the rest wait


def enabled_providers() -> list[ReverseImageSearchProvider]:
    """One adapter per provider whose API key is configured."""
    allow = settings.FAIRCLAIM_ALLOW_LOOPBACK
    providers: list[ReverseImageSearchProvider] = []
    if settings.FAIRCLAIM_TINEYE_API_KEY:
        providers.append(TinEyeProvider(settings.FAIRCLAIM_TINEYE_API_KEY,
                                        base_url=settings.FAIRCLAIM_TINEYE_URL or None,
                                        allow_loopback=allow))  # fmt: skip
    if settings.FAIRCLAIM_GOOGLE_VISION_API_KEY:
        providers.append(GoogleVisionProvider(settings.FAIRCLAIM_GOOGLE_VISION_API_KEY,
                                              base_url=settings.FAIRCLAIM_GOOGLE_VISION_URL or None,
                                              allow_loopback=allow))  # fmt: skip
    return providers


def do_search_providers(work_id: int, now: datetime) -> Recorded:
    """Ask every enabled provider where the work appears; record each page as a sighting."""
    work = Work.objects.select_related("owner").get(pk=work_id)
    with work.file.open("rb") as handle:
        data = handle.read()
    hits = []
    for provider in enabled_providers():
        try:
            hits.extend(provider.search(image_bytes=data))
        except DiscoveryError as exc:  # ProviderError is one: log and go on with the others
            log.warning("provider %s failed for work %s: %s", provider.name, work_id, exc)
    records, pages = [], set()
    for hit in hits:
        if not hit.page_url or hit.page_url in pages or len(pages) >= MAX_PAGES_PER_SEARCH:
            continue
        pages.add(hit.page_url)
        try:
            found = fetch_page_sightings(
                hit.page_url, hit.image_url or None,
                allow_loopback=settings.FAIRCLAIM_ALLOW_LOOPBACK, now=now,
            )  # fmt: skip
            records.extend(replace(r, source=f"provider:{hit.provider}") for r in found)
        except DiscoveryError:
            records.append(hit.to_sighting(now))  # the page is gone or refused: keep the hit
    recorded = do_record_sightings(work.owner, records, now=now)
    enqueue_matching([s.pk for s in recorded.all])
    return recorded


def claim_due_searches(now: datetime) -> list[int]:
    """Works due for a provider search, each claimed by moving its next search forward."""
    if not enabled_providers():
        return []
    claimed = []
    due = Work.objects.filter(
        status=Work.Status.READY, next_provider_search_at__lte=now, archived_at__isnull=True
    )
    for pk, next_at in due.values_list("pk", "next_provider_search_at")[:500]:
        if Work.objects.filter(pk=pk, next_provider_search_at=next_at).update(
            next_provider_search_at=now + SEARCH_INTERVAL
        ):
            claimed.append(pk)
    return claimed


def enqueue_due_searches(now: datetime) -> int:
    from .tasks import search_providers

    with transaction.atomic():
        claimed = claim_due_searches(now)
        for pk in claimed:
            transaction.on_commit(lambda pk=pk: search_providers.enqueue(pk))
    return len(claimed)
