"""Matching sightings against a rights holder's works: the Django side of `fairclaim.matching`.

The candidate index is per rights holder, built from the fingerprints stored on `Work` rows and
kept in memory per worker process until a work is added or changed (a cheap check on each use).
Verification features are read from the database only for the candidates a query turns up.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from threading import Lock

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Max, Sum

from fairclaim.discovery.errors import DiscoveryError
from fairclaim.discovery.fetch import DEFAULT_LIMITS, fetch
from fairclaim.matching.errors import ImageDecodeError
from fairclaim.matching.fingerprint import LocalFeatures, WorkFingerprint
from fairclaim.matching.index import MatchIndex
from fairclaim.matching.matcher import Matcher
from fairclaim.works.models import Work

from .models import Match, Sighting
from .triage import suppression_for

log = logging.getLogger(__name__)


@dataclass
class _Cached:
    version: tuple
    matcher: Matcher


_matchers: dict[int, _Cached] = {}
# Art-directed renditions of one <picture> fetched and matched besides its main image: pages
# use two or three (phone, tablet, desktop crops); more would be a page abusing the markup.
MAX_ART_DIRECTED = 3
_lock = Lock()


def matchable_works(owner_id: int):
    """The works a new sighting is compared with: fingerprinted and not archived."""
    return Work.objects.filter(
        owner_id=owner_id, fingerprint__isnull=False, archived_at__isnull=True
    )


def index_version(owner_id: int) -> tuple:
    # The id sum changes when archiving one work and restoring another keeps the count.
    stats = matchable_works(owner_id).aggregate(
        n=Count("pk"), last=Max("fingerprinted_at"), ids=Sum("pk")
    )
    return stats["n"], stats["last"], stats["ids"]


def matcher_for(owner_id: int) -> Matcher:
    """The owner's matcher, rebuilt only when its works changed since the last build."""
    version = index_version(owner_id)
    with _lock:
        cached = _matchers.get(owner_id)
        if cached and cached.version == version:
            return cached.matcher
    index = MatchIndex()
    rows = matchable_works(owner_id)
    for pk, blob in rows.values_list("pk", "fingerprint").iterator(chunk_size=500):
        index.add(str(pk), WorkFingerprint.from_bytes(bytes(blob)))
    matcher = Matcher(index, load_features=_load_features(owner_id))
    with _lock:
        _matchers[owner_id] = _Cached(version, matcher)
    return matcher


def _load_features(owner_id: int):
    def load(work_id: str) -> LocalFeatures:
        blob = Work.objects.filter(owner_id=owner_id, pk=int(work_id)).values_list(
            "fingerprint", flat=True
        )[0]
        return WorkFingerprint.from_bytes(bytes(blob)).features

    return load


def do_match_sighting(sighting_id: int, now: datetime) -> list[Match]:
    """Fetch the sighting's image (through the one guarded fetch), match it against its rights
    holder's works, and store a Match per verified work with its report and picture. A
    `<picture>`'s art-directed renditions (another crop, maybe another picture; the record's
    `art_directed`) are fetched and matched too. Re-running updates the same rows. A known
    licence or a whitelisted domain settles a match at once."""
    from fairclaim.matching.decode import decode_image
    from fairclaim.matching.matcher import QUERY_DECODE_MIN_SIDE

    sighting = Sighting.objects.select_related("organisation").get(pk=sighting_id)
    renditions = [
        u for u in (sighting.context or {}).get("art_directed") or [] if isinstance(u, str)
    ]
    urls = [sighting.image_url, *renditions[:MAX_ART_DIRECTED]]
    stored: dict[int, Match] = {}
    notes: list[str] = []
    for number, url in enumerate(urls):
        try:
            fetched = fetch(
                url,
                limits=DEFAULT_LIMITS,
                allow_loopback=settings.FAIRCLAIM_ALLOW_LOOPBACK,
                expect="image",
            )
            decoded = decode_image(
                fetched.body, max_pixels=settings.FAIRCLAIM_MAX_IMAGE_PIXELS,
                min_side=QUERY_DECODE_MIN_SIDE,
            )  # fmt: skip
        except (DiscoveryError, ImageDecodeError) as exc:
            notes.append(
                f"not matched: {exc}" if number == 0 else f"rendition {url} not matched: {exc}"
            )
            continue
        if number == 0:
            Sighting.objects.filter(pk=sighting.pk).update(image_sha256=fetched.sha256)
        result = matcher_for(sighting.organisation_id).match_decoded(decoded)
        notes += [n if number == 0 else f"rendition {url}: {n}" for n in result.notes]
        for report in result.matches:
            work = Work.objects.get(pk=int(report.work_id), owner_id=sighting.organisation_id)
            if work.archived_at is not None:
                continue  # archived since this process built its index: no new matches
            if work.pk not in stored:  # the main image's report wins over a rendition's
                stored[work.pk] = _store_match(work, sighting, report, decoded, url, number)
    _note(sighting, "; ".join(notes))
    return list(stored.values())


def _store_match(work, sighting, report, decoded, url: str, number: int) -> Match:
    """Create or update the Match of `work` in `sighting` with its report and pictures; a match
    found in an art-directed rendition names that rendition's URL in its report."""
    from fairclaim.matching.overlay import render_overlay_png
    from fairclaim.matching.report import render_report_png

    data = report.to_json()
    if number:
        data["found_image_url"] = url
    with transaction.atomic():
        match, created = Match.objects.update_or_create(
            work=work,
            sighting=sighting,
            defaults={"score": report.score, "inliers": report.inliers, "report": data},
        )
        if created:
            settled = suppression_for(work, sighting.page_domain)
            if settled:
                Match.objects.filter(pk=match.pk).update(status=settled)
                match.status = settled
        if report.transform is not None:
            features = WorkFingerprint.from_bytes(bytes(work.fingerprint)).features
            thumb = features.thumb_rgb()
            png = render_report_png(report, thumb, decoded.rgb)
            match.report_image.save("report.png", ContentFile(png), save=False)
            overlay = render_overlay_png(report, thumb, decoded.rgb)
            match.overlay_image.save("overlay.png", ContentFile(overlay), save=False)
            match.save(update_fields=["report_image", "overlay_image"])
    return match


def _note(sighting: Sighting, note: str) -> None:
    context = dict(sighting.context or {})
    context["matching_note"] = note
    Sighting.objects.filter(pk=sighting.pk).update(context=context)


def enqueue_matching(sighting_ids: list[int]) -> None:
    from .tasks import match_sighting

    for pk in sighting_ids:
        transaction.on_commit(lambda pk=pk: match_sighting.enqueue(pk))
