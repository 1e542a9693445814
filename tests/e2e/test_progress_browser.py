"""Background work shows its progress live and ends with a visible result (Chromium): a page
check that is refused says why, one that succeeds says what it found, with or without
JavaScript; registering photos shows progress until every photo is processed."""

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from fairclaim.monitoring.actions import do_check_page
from fairclaim.monitoring.models import PageCheck
from fairclaim.works.actions import do_process_work, do_register_image, upload_limits
from fairclaim.works.intake import check_image
from fairclaim.works.models import Work
from tests.cast import PASSWORD
from tests.images import photo_bytes
from tests.webserver import serving

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def submit_page(page: Page, live_server, page_url: str) -> PageCheck:
    sign_in(page, f"{live_server.url}/matches/sightings/", "alice")
    page.get_by_label("Page address").fill(page_url)
    page.get_by_role("button", name="Check this page").click()
    expect(page.get_by_role("heading", name="Page check")).to_be_visible()
    return PageCheck.objects.get(page_url=page_url)


def test_a_refused_address_ends_with_its_reason_not_checking_forever(
    live_server, page: Page, cast, settings
):
    settings.FAIRCLAIM_ALLOW_LOOPBACK = False
    check = submit_page(page, live_server, "http://127.0.0.1:9/private")
    result = page.get_by_role("status").filter(has_text="Waiting for a worker")
    expect(result).to_have_attribute("data-progress", "polling")
    do_check_page(check.pk, timezone.now())  # the worker's step
    # The page learns the end by itself (JS polls the status) and shows the reason.
    expect(page.locator(".check-result")).to_contain_text(
        "private or not on the public internet and was not fetched", timeout=15_000
    )
    expect(page.locator(".check-result progress")).to_have_count(0)
    page.screenshot(path="/work/briefs/shots/progress-check-refused.png", full_page=True)


def test_a_checked_page_ends_with_what_was_found(live_server, page: Page, cast, settings):
    settings.FAIRCLAIM_ALLOW_LOOPBACK = True
    routes = {
        "/gallery": ("text/html", b'<html><body><img src="/a.jpg" alt="harbour"></body></html>'),
        "/a.jpg": ("image/jpeg", photo_bytes(71)),
    }
    with serving(routes) as base:
        check = submit_page(page, live_server, f"{base}/gallery")
        expect(page.locator("[data-progress=polling]")).to_be_visible()
        assert do_check_page(check.pk, timezone.now()).status == "done"
    expect(page.locator(".check-result")).to_contain_text(
        "1 image found on the page, 1 new", timeout=15_000
    )
    page.screenshot(path="/work/briefs/shots/progress-check-done.png", full_page=True)


def test_without_javascript_the_check_page_refreshes_until_the_result(
    live_server, browser: Browser, cast, settings
):
    settings.FAIRCLAIM_ALLOW_LOOPBACK = False
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    check = submit_page(page, live_server, "http://10.0.0.1/internal")
    expect(page.locator(".check-result")).to_contain_text("Waiting for a worker")
    do_check_page(check.pk, timezone.now())
    expect(page.locator(".check-result")).to_contain_text("was not fetched", timeout=15_000)
    context.close()


def test_registering_photos_shows_progress_until_each_is_processed(live_server, page: Page, cast):
    pending = [
        do_register_image(
            cast.alice.organisation, cast.alice,
            check_image(f"new-{seed}.jpg", photo_bytes(seed), upload_limits()),
        )
        for seed in (81, 82)
    ]  # fmt: skip
    sign_in(page, f"{live_server.url}/works/", "alice")
    progress = page.get_by_role("region", name="Registration progress")
    expect(progress).to_contain_text("2 waiting")
    expect(progress).to_have_attribute("data-progress", "polling")
    do_process_work(pending[0].pk)
    expect(progress).to_contain_text("1 waiting", timeout=15_000)
    page.screenshot(path="/work/briefs/shots/progress-registration.png", full_page=True)
    do_process_work(pending[1].pk)
    expect(progress).to_have_count(0, timeout=15_000)  # done: reloaded, nothing in flight
    assert not Work.objects.exclude(status="ready").exists()
