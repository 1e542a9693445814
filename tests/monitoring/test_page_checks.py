"""A page submitted by hand shows its progress and ends with a result or the reason it failed
(a refused address used to leave "Checking …" on screen forever)."""

from django.urls import reverse
from django.utils import timezone

from fairclaim.monitoring.actions import do_check_page
from fairclaim.monitoring.models import PageCheck
from tests.cast import sign_in
from tests.monitoring.test_sightings import shop  # noqa: F401 - the fixture


def submit(client, user, page_url) -> PageCheck:
    sign_in(client, user)
    response = client.post(reverse("monitoring:submit_page"), {"page_url": page_url})
    check = PageCheck.objects.latest("pk")
    assert response["Location"] == check.get_absolute_url()
    return check


def test_a_queued_check_reloads_itself_until_it_ends(client, cast):
    check = submit(client, cast.alice, "https://x.example/")
    page = client.get(check.get_absolute_url()).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert "Waiting for a worker" in page


def test_a_private_address_fails_with_its_reason(client, cast, settings):
    settings.FAIRCLAIM_ALLOW_LOOPBACK = False
    check = submit(client, cast.alice, "http://127.0.0.1:9/private")
    check = do_check_page(check.pk, timezone.now())
    assert (check.status, check.failure_kind) == ("failed", "address_refused")
    page = client.get(check.get_absolute_url()).content.decode()
    assert "private or not on the public internet and was not fetched" in page
    assert "http-equiv" not in page  # finished: no more reloading


def test_a_checked_page_reports_the_images_found(client, cast, settings, shop):  # noqa: F811
    settings.FAIRCLAIM_ALLOW_LOOPBACK = True
    base, _ = shop
    check = submit(client, cast.alice, f"{base}/p/1")
    check = do_check_page(check.pk, timezone.now())
    assert (check.status, check.images_found, check.images_new) == ("done", 1, 1)
    assert (
        "1 image found on the page, 1 new" in client.get(check.get_absolute_url()).content.decode()
    )
    assert do_check_page(check.pk, timezone.now()).images_found == 1  # run once only


def test_strangers_get_404_for_a_check(client, cast):
    check = submit(client, cast.alice, "https://x.example/")
    sign_in(client, cast.charlie)
    assert client.get(check.get_absolute_url()).status_code == 404
    sign_in(client, cast.alice_viewer)
    assert client.get(check.get_absolute_url()).status_code == 200


def test_the_status_endpoint_reports_the_end_and_its_reason(client, cast, settings):
    settings.FAIRCLAIM_ALLOW_LOOPBACK = False
    check = submit(client, cast.alice, "http://127.0.0.1:9/private")
    status_url = reverse("monitoring:check_status", args=[check.pk])
    assert client.get(status_url).json()["finished"] is False
    do_check_page(check.pk, timezone.now())
    state = client.get(status_url).json()
    assert (state["status"], state["finished"], state["failure_kind"]) == (
        "failed", True, "address_refused",
    )  # fmt: skip
    assert "was not fetched" in state["message"]
    sign_in(client, cast.charlie)
    assert client.get(status_url).status_code == 404


def test_a_check_whose_worker_died_is_retaken_or_ends_with_that_reason(client, cast, settings):
    from datetime import timedelta

    settings.FAIRCLAIM_ALLOW_LOOPBACK = False
    check = submit(client, cast.alice, "http://127.0.0.1:9/private")
    long_ago = timezone.now() - timedelta(days=1)
    PageCheck.objects.filter(pk=check.pk).update(status="running", started_at=long_ago)
    # The task's retry takes the stale check again and finishes it.
    assert do_check_page(check.pk, timezone.now()).failure_kind == "address_refused"
    # No retry came: the page says so instead of "Checking" forever.
    PageCheck.objects.filter(pk=check.pk).update(status="running", started_at=long_ago)
    state = client.get(reverse("monitoring:check_status", args=[check.pk])).json()
    assert (state["status"], state["failure_kind"]) == ("failed", "worker_stopped")
    # A check running now is left alone.
    PageCheck.objects.filter(pk=check.pk).update(status="running", started_at=timezone.now())
    assert do_check_page(check.pk, timezone.now()).status == "running"
