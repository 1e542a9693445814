"""A scan of a watched site shows its progress and ends with a visible result: the counts, or
the reason it failed ("this address is private and was not fetched"), never "scanning" forever."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from fairclaim.monitoring.actions import do_request_scan, do_scan_watch_list
from fairclaim.monitoring.models import Sighting, WatchList
from tests.cast import sign_in
from tests.monitoring.test_watch_lists import site_routes
from tests.webserver import serving


def add_list(client, user, url: str) -> WatchList:
    sign_in(client, user)
    body = {"name": "Shop", "start_urls_text": url, "max_pages": 5, "interval_hours": 168}
    response = client.post(reverse("monitoring:watch_lists"), body)
    watch = WatchList.objects.latest("pk")
    assert response["Location"] == watch.get_absolute_url()
    return watch


def test_adding_a_site_queues_its_first_scan_and_the_page_follows_it(client, cast):
    watch = add_list(client, cast.alice, "https://shop.example/")
    assert (watch.scan_status, watch.start_urls) == ("queued", ["https://shop.example/"])
    page = client.get(watch.get_absolute_url()).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert reverse("monitoring:scan_status", args=[watch.pk]) in page
    state = client.get(reverse("monitoring:scan_status", args=[watch.pk])).json()
    assert (state["status"], state["finished"]) == ("queued", False)
    assert not do_request_scan(watch, timezone.now())  # one scan at a time


def test_a_private_address_fails_with_its_reason_and_marks_nothing_gone(client, cast, settings):
    settings.FAIRCLAIM_ALLOW_LOOPBACK = False
    Sighting.objects.filter(pk=cast.sighting.pk).update(page_domain="127.0.0.1")
    watch = add_list(client, cast.alice, "http://127.0.0.1:9/")
    do_scan_watch_list(watch.pk, timezone.now())
    watch.refresh_from_db()
    assert watch.scan_status == "failed"
    assert "private or not on the public internet and was not fetched" in watch.scan_error
    page = client.get(watch.get_absolute_url()).content.decode()
    assert "The scan failed." in page
    assert "http-equiv" not in page
    state = client.get(reverse("monitoring:scan_status", args=[watch.pk])).json()
    assert state["finished"] is True
    assert "was not fetched" in state["message"]
    cast.sighting.refresh_from_db()
    assert cast.sighting.gone_at is None  # we could not look, so nothing is "taken down"


def test_a_scanned_site_ends_with_its_counts(client, cast, settings):
    settings.FAIRCLAIM_ALLOW_LOOPBACK = True
    with serving(site_routes(with_image=True)) as base:
        watch = add_list(client, cast.alice, f"{base}/")
        do_scan_watch_list(watch.pk, timezone.now())
    watch.refresh_from_db()
    assert watch.scan_status == "done"
    page = client.get(watch.get_absolute_url()).content.decode()
    assert "2 pages read, 1 new image" in page
    listing = client.get(reverse("monitoring:watch_lists")).content.decode()
    assert watch.get_absolute_url() in listing


def test_who_may_follow_start_and_add_scans(client, cast):
    watch = add_list(client, cast.alice, "https://shop.example/")
    WatchList.objects.filter(pk=watch.pk).update(scan_status="done")
    sign_in(client, cast.alice_viewer)
    assert client.get(watch.get_absolute_url()).status_code == 200
    assert client.post(reverse("monitoring:scan_now", args=[watch.pk])).status_code == 403
    body = {"name": "x", "start_urls_text": "https://x.example/", "max_pages": 5,
            "interval_hours": 24}  # fmt: skip
    assert client.post(reverse("monitoring:watch_lists"), body).status_code == 403
    sign_in(client, cast.charlie)
    for url in (
        watch.get_absolute_url(),
        reverse("monitoring:scan_status", args=[watch.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("monitoring:scan_now", args=[watch.pk])).status_code == 404
    assert (
        watch.get_absolute_url()
        not in client.get(reverse("monitoring:watch_lists")).content.decode()
    )
    sign_in(client, cast.manager)
    assert client.post(reverse("monitoring:scan_now", args=[watch.pk])).status_code == 302
    watch.refresh_from_db()
    assert watch.scan_status == "queued"


def test_bad_addresses_are_refused_with_a_clear_error(client, cast):
    sign_in(client, cast.alice)
    body = {"name": "x", "start_urls_text": "not an address\n", "max_pages": 5,
            "interval_hours": 24}  # fmt: skip
    response = client.post(reverse("monitoring:watch_lists"), body)
    assert response.status_code == 400
    assert "Enter a valid URL" in response.content.decode()
    assert not WatchList.objects.exists()


def test_a_scan_whose_worker_stopped_for_good_ends_as_failed_and_can_start_again(client, cast):
    watch = add_list(client, cast.alice, "https://shop.example/")
    long_ago = timezone.now() - timedelta(days=1)
    WatchList.objects.filter(pk=watch.pk).update(scan_status="running", scan_started_at=long_ago)
    state = client.get(reverse("monitoring:scan_status", args=[watch.pk])).json()
    assert (state["status"], state["finished"]) == ("failed", True)
    assert "stopped before it finished" in state["reason"]
    assert do_request_scan(watch, timezone.now())
    # A scan that is running now is left alone.
    WatchList.objects.filter(pk=watch.pk).update(
        scan_status="running", scan_started_at=timezone.now()
    )
    assert client.get(watch.get_absolute_url()).content.decode().count("http-equiv") == 1
