"""Watch lists are re-scanned on their schedule by a real crawl, and gone images are marked."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from fairclaim.monitoring.actions import claim_due_watch_lists, do_scan_watch_list
from fairclaim.monitoring.models import Sighting, WatchList
from tests.images import photo_bytes
from tests.webserver import serving


def site_routes(with_image: bool) -> dict:
    body = b'<html><body><img src="/a.jpg" alt="A"><a href="/b">b</a></body></html>'
    routes = {
        "/": ("text/html", body),
        "/b": ("text/html", b"<html><body><p>Credit: Ada</p></body></html>"),
        "/robots.txt": ("text/plain", b"User-agent: *\nAllow: /\n"),
        "/a.jpg": ("image/jpeg", photo_bytes(3)),
    }
    if not with_image:
        routes["/"] = ("text/html", b"<html><body>Gone.</body></html>")
    return routes


def test_only_due_watch_lists_are_claimed_and_only_once(cast):
    now = timezone.now()
    org = cast.alice.organisation
    due = WatchList.objects.create(
        organisation=org, name="due", next_scan_at=now, interval_hours=24
    )
    WatchList.objects.create(
        organisation=org, name="later", next_scan_at=now + dt.timedelta(hours=1)
    )
    WatchList.objects.create(organisation=org, name="off", next_scan_at=now, enabled=False)
    assert claim_due_watch_lists(now) == [due.pk]
    assert claim_due_watch_lists(now) == []
    due.refresh_from_db()
    assert due.next_scan_at == now + dt.timedelta(hours=24)


@pytest.mark.django_db(transaction=True)
def test_a_scheduled_rescan_finds_images_and_later_marks_them_gone(cast, settings):
    settings.FAIRCLAIM_ALLOW_LOOPBACK = True
    routes = site_routes(with_image=True)
    with serving(routes) as base:
        watch = WatchList.objects.create(
            organisation=cast.alice.organisation, name="shop", start_urls=[f"{base}/"],
            max_pages=10, next_scan_at=timezone.now(),
        )  # fmt: skip
        call_command("run_scheduler", "--once", verbosity=0)
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        sighting = Sighting.objects.get(organisation=watch.organisation, image_url=f"{base}/a.jpg")
        assert sighting.gone_at is None
        watch.refresh_from_db()
        assert watch.last_scan_summary["new"] == 1

        routes.update(site_routes(with_image=False))
        summary = do_scan_watch_list(watch.pk, timezone.now())
        assert summary["gone"] == 1
        sighting.refresh_from_db()
        assert sighting.gone_at is not None
