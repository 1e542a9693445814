"""Storing what discovery finds as Sightings, and the scans that find it.

Discovery itself is framework-free (`fairclaim.discovery`); this module turns its records into rows
and runs crawls in a child process (Scrapy's reactor starts once per process, and a hostile site
must never take the worker down with it).
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from fairclaim.accounts.models import Organisation, User
from fairclaim.discovery.domains import host_of, registrable_domain
from fairclaim.discovery.records import SightingRecord

from .models import PageCheck, ScanStatus, Sighting, WatchList, sighting_key

log = logging.getLogger(__name__)

SCAN_TIMEOUT = 60 * 60  # seconds; a watch-list crawl that takes longer is stopped and reported


@dataclass
class Recorded:
    new: list[Sighting]
    seen_again: list[Sighting]

    @property
    def all(self) -> list[Sighting]:
        return self.new + self.seen_again


def enqueue_matching(sighting_ids: list[int]) -> None:
    """Queue matching after commit (imported late: the matcher loads OpenCV and FAISS)."""
    from . import matching

    matching.enqueue_matching(sighting_ids)


def source_of(record: SightingRecord) -> str:
    prefix = record.source.split(":", 1)[0]
    return prefix if prefix in Sighting.Source.values else Sighting.Source.CRAWL


def do_record_sightings(
    organisation: Organisation,
    records: Iterable[SightingRecord],
    *,
    now: datetime,
    user: User | None = None,
) -> Recorded:
    """Create a Sighting per new (page, image) pair; for known pairs update last seen and clear
    `gone_at`. Idempotent: recording the same records twice changes only `last_seen`."""
    recorded = Recorded([], [])
    for record in records:
        seen = parse_datetime(record.first_seen) or now
        context = record.to_dict()
        with transaction.atomic():
            sighting, created = Sighting.objects.select_for_update().get_or_create(
                organisation=organisation,
                key=sighting_key(record.page_url, record.image_url),
                defaults={
                    "source": source_of(record),
                    "page_url": record.page_url,
                    "image_url": record.image_url,
                    "page_domain": record.page_domain[:253],
                    "image_sha256": record.sha256,
                    "display_width": record.display_width,
                    "display_height": record.display_height,
                    "hotlinked": record.hotlinked,
                    "context": context,
                    "first_seen": seen,
                    "last_seen": seen,
                    "submitted_by": user,
                },
            )
            if not created:
                sighting.last_seen = max(sighting.last_seen, seen)
                sighting.gone_at = None
                sighting.context = context
                if record.sha256:
                    sighting.image_sha256 = record.sha256
                sighting.save(update_fields=["last_seen", "gone_at", "context", "image_sha256"])
        (recorded.new if created else recorded.seen_again).append(sighting)
    return recorded


def do_mark_gone(organisation: Organisation, page_domains: set[str], seen_ids: set[int], now):
    """After a re-scan of `page_domains`: sightings there that were not seen again are gone."""
    return (
        Sighting.objects.filter(
            organisation=organisation, page_domain__in=page_domains, gone_at__isnull=True
        )
        .exclude(pk__in=seen_ids)
        .update(gone_at=now)
    )


def do_submit_page(
    organisation: Organisation, user: User | None, page_url: str, image_url: str | None, now
) -> Recorded:
    """A page (and optionally one image on it) submitted by hand: fetch it now and record what
    it shows. Raises `DiscoveryError` (with a `kind` and a readable message) when the page cannot
    be fetched or is refused by the address policy."""
    from fairclaim.discovery.submitted import fetch_page_sightings

    records = fetch_page_sightings(
        page_url, image_url, allow_loopback=settings.FAIRCLAIM_ALLOW_LOOPBACK, now=now
    )
    recorded = do_record_sightings(organisation, records, now=now, user=user)
    enqueue_matching([s.pk for s in recorded.all])
    return recorded


def run_crawl(start_urls: list[str], max_pages: int) -> tuple[list[SightingRecord], dict]:
    """Crawl in a child `fairclaim scan` process; returns its records and counts."""
    with tempfile.TemporaryDirectory(prefix="fairclaim-scan-") as folder:
        out, counts = Path(folder) / "sightings.jsonl", Path(folder) / "counts.json"
        argv = [
            sys.executable, "-m", "fairclaim.cli", "scan",
            "--max-pages", str(max_pages), "--out", str(out), "--counts", str(counts),
            "--fetch-images", "--in-process", "--no-progress",
            "--", *start_urls,  # a watch-list URL can never be read as an option
        ]  # fmt: skip
        env = None
        if settings.FAIRCLAIM_ALLOW_LOOPBACK:
            import os

            env = {**os.environ, "FAIRCLAIM_ALLOW_LOOPBACK": "1"}
        done = subprocess.run(argv, capture_output=True, text=True, timeout=SCAN_TIMEOUT, env=env)
        if done.returncode != 0 and not out.exists():
            raise RuntimeError(f"scan failed: {done.stderr.strip()[-500:]}")
        records = [
            SightingRecord.from_dict(json.loads(line))
            for line in out.read_text().splitlines()
            if line.strip()
        ]
        summary = json.loads(counts.read_text()) if counts.exists() else {}
    return records, summary


def do_scan_watch_list(watch_list_id: int, now: datetime) -> dict:
    """Crawl one watch list and record what it shows; the watch list says how the scan goes
    (running, then done with its counts, or failed with the reason the rights holder reads)."""
    WatchList.objects.filter(pk=watch_list_id).update(
        scan_status=ScanStatus.RUNNING, scan_started_at=now, scan_error=""
    )
    watch = WatchList.objects.select_related("organisation").get(pk=watch_list_id)
    try:
        records, counts = run_crawl(watch.start_urls, watch.max_pages)
    except (RuntimeError, subprocess.TimeoutExpired) as problem:
        reason = (
            f"The scan took longer than {SCAN_TIMEOUT // 60} minutes and was stopped."
            if isinstance(problem, subprocess.TimeoutExpired)
            else f"The scan stopped: {problem}"
        )
        _scan_failed(watch, reason[:500])
        return {"failed": reason}
    except Exception:
        _scan_failed(watch, "The scan stopped on an unexpected error; it has been logged.")
        raise
    recorded = do_record_sightings(watch.organisation, records, now=now)
    # The sites the watch list covers, whether or not this scan still found images there.
    domains = {registrable_domain(host_of(url)) for url in watch.start_urls if host_of(url)}
    domains |= {s.page_domain for s in recorded.all}
    nothing_read = not counts.get("pages") and not records and counts.get("errors")
    # Nothing could be read: the sightings there are not gone, we just could not look.
    gone = (
        0
        if nothing_read
        else do_mark_gone(watch.organisation, domains, {s.pk for s in recorded.all}, now)
    )
    summary = {
        "new": len(recorded.new),
        "seen_again": len(recorded.seen_again),
        "gone": gone,
        "counts": counts,
    }
    WatchList.objects.filter(pk=watch.pk).update(
        last_scan_at=now,
        last_scan_summary=summary,
        scan_status=ScanStatus.FAILED if nothing_read else ScanStatus.DONE,
        scan_error=scan_failure_reason(counts.get("errors") or {}) if nothing_read else "",
    )
    enqueue_matching([s.pk for s in recorded.all])
    return summary


def _scan_failed(watch: WatchList, reason: str) -> None:
    WatchList.objects.filter(pk=watch.pk).update(scan_status=ScanStatus.FAILED, scan_error=reason)


def scan_failure_reason(errors: dict) -> str:
    """What the rights holder reads when no start address could be read, from the crawl's
    error counts by kind (e.g. {"address_refused": 1})."""
    parts = [
        CHECK_FAILURES.get(kind, f"{kind.replace('_', ' ').capitalize()}.")
        + (f" ({count} addresses)" if count > 1 else "")
        for kind, count in sorted(errors.items())
    ]
    return ("Nothing could be read. " + " ".join(parts))[:500]


# A running scan or check not heard of for this long after its start has lost its worker for
# good: each retry restarts the clock (the lease recovery runs on the scheduler's next step).
STALE_MARGIN = timedelta(minutes=10)
STALE_SCAN_REASON = "The scan stopped before it finished (its worker ended); start it again."


def task_lease() -> timedelta:
    """The task lease (task_leases.py): after it a worker is presumed dead and its task retried."""
    return timedelta(seconds=settings.FAIRCLAIM_TASK_LEASE_SECONDS)


def stale_scan_before(now: datetime) -> datetime:
    # A crawl is stopped after SCAN_TIMEOUT; its task's lease is longer than that (or the lease).
    honest = max(timedelta(seconds=SCAN_TIMEOUT), task_lease())
    return now - honest - STALE_MARGIN


def do_settle_stale_scan(watch: WatchList, now: datetime) -> WatchList:
    """A scan whose worker stopped for good ends as failed with that reason, instead of
    showing "Scanning" forever; returns the watch list as it now is."""
    if WatchList.objects.filter(
        pk=watch.pk, scan_status=ScanStatus.RUNNING, scan_started_at__lt=stale_scan_before(now)
    ).update(scan_status=ScanStatus.FAILED, scan_error=STALE_SCAN_REASON):
        watch.refresh_from_db()
    return watch


def do_request_scan(watch: WatchList, now: datetime) -> bool:
    """Queue a scan of `watch` now; False when one is already waiting or running."""
    from .tasks import scan_watch_list  # tasks import this module

    do_settle_stale_scan(watch, now)
    with transaction.atomic():
        queued = (
            WatchList.objects.filter(pk=watch.pk)
            .exclude(scan_status__in=[ScanStatus.QUEUED, ScanStatus.RUNNING])
            .update(scan_status=ScanStatus.QUEUED, scan_queued_at=now, scan_error="")
        )
        if queued:
            transaction.on_commit(lambda: scan_watch_list.enqueue(watch.pk))
    return bool(queued)


def claim_due_watch_lists(now: datetime) -> list[int]:
    """Watch lists due for a scan, each claimed by moving its next scan forward (a conditional
    UPDATE), so two schedulers never start the same scan."""
    claimed = []
    due = WatchList.objects.filter(enabled=True, next_scan_at__lte=now).values_list(
        "pk", "interval_hours", "next_scan_at"
    )
    for pk, hours, next_at in due:
        if WatchList.objects.filter(pk=pk, next_scan_at=next_at).update(
            next_scan_at=now + timedelta(hours=hours),
            scan_status=ScanStatus.QUEUED,
            scan_queued_at=now,
        ):
            claimed.append(pk)
    return claimed


# What the rights holder reads when a check fails, per DiscoveryError kind (the error's own
# message follows it, naming the limit or cause).
CHECK_FAILURES = {
    "address_refused": "This address is private or not on the public internet and was not fetched.",
    "bad_url": "This is not a web address that can be checked.",
}


def do_settle_stale_check(check: PageCheck, now: datetime) -> PageCheck:
    """A check whose worker stopped for good (its retries too) ends as failed with that reason
    instead of showing "Checking" forever; returns the check as it now is."""
    if PageCheck.objects.filter(
        pk=check.pk,
        status=PageCheck.Status.RUNNING,
        started_at__lt=now - task_lease() - STALE_MARGIN,
    ).update(
        status=PageCheck.Status.FAILED,
        failure_kind="worker_stopped",
        reason="The check stopped before it finished (its worker ended); submit the page again.",
        finished_at=now,
    ):
        check.refresh_from_db()
    return check


def do_check_page(check_id: int, now: datetime) -> PageCheck:
    """Run one queued page check and record its outcome on the check: the images found, or the
    reason it failed. Idempotent: only a queued check (or one whose worker died, after the task
    lease) is started, with a conditional UPDATE."""
    from fairclaim.discovery.errors import DiscoveryError

    # A check whose worker died is taken again by the task's retry (after the same lease).
    started = PageCheck.objects.filter(
        Q(status=PageCheck.Status.QUEUED)
        | Q(status=PageCheck.Status.RUNNING, started_at__lt=now - task_lease()),
        pk=check_id,
    ).update(status=PageCheck.Status.RUNNING, started_at=now)
    check = PageCheck.objects.select_related("organisation", "requested_by").get(pk=check_id)
    if not started:
        return check
    try:
        recorded = do_submit_page(
            check.organisation, check.requested_by, check.page_url, check.image_url or None, now
        )
    except DiscoveryError as problem:
        check.status = PageCheck.Status.FAILED
        check.failure_kind = problem.kind
        lead = CHECK_FAILURES.get(problem.kind, "The page could not be checked.")
        check.reason = f"{lead} ({problem})"[:500]
    except Exception:
        check.status = PageCheck.Status.FAILED
        check.failure_kind = "internal"
        check.reason = "The check stopped on an unexpected error; it has been logged."
        check.finished_at = timezone.now()
        check.save(update_fields=["status", "failure_kind", "reason", "finished_at"])
        raise
    else:
        check.status = PageCheck.Status.DONE
        check.images_found = len(recorded.all)
        check.images_new = len(recorded.new)
    check.finished_at = timezone.now()
    check.save(
        update_fields=[
            "status", "images_found", "images_new", "failure_kind", "reason", "finished_at"
        ]
    )  # fmt: skip
    return check
