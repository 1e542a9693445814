"""A rights holder triages matches with the keyboard and with bulk buttons (Chromium)."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from fairclaim.accounts.models import Organisation, User
from fairclaim.monitoring.models import Match, Sighting, WhitelistedDomain
from fairclaim.works.actions import do_register_image, upload_limits
from fairclaim.works.intake import check_image
from tests.images import photo_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_triage_by_keyboard_and_in_bulk(live_server, page: Page):
    org = Organisation.objects.create(name="Ada", slug="ada", kind="rights_holder")
    User.objects.create_user("ada", password="a long test password", role="rights_holder",
                             organisation=org)  # fmt: skip
    work = do_register_image(org, None, check_image("w.jpg", photo_bytes(3), upload_limits()))
    now = timezone.now()
    matches = []
    for i, domain in enumerate(["a.example", "b.example", "c.example"]):
        sighting = Sighting.objects.create(
            organisation=org, source="crawl", page_domain=domain, page_url=f"https://{domain}/",
            image_url=f"https://{domain}/{i}.jpg", first_seen=now, last_seen=now,
        )  # fmt: skip
        matches.append(Match.objects.create(work=work, sighting=sighting, score=0.9 - i / 10))

    page.goto(f"{live_server.url}/matches/?sort=score")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("a long test password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("tr[data-match]")).to_have_count(3)
    expect(page.locator("form#triage")).to_have_attribute("data-keys", "ready")

    page.keyboard.press("i")  # ignore the focused (first) row
    expect(page.get_by_role("status")).to_contain_text("Done: 1 ignored.")
    assert Match.objects.get(pk=matches[0].pk).status == "ignored"
    expect(page.locator("tr[data-match]")).to_have_count(2)
    expect(page.locator("form#triage")).to_have_attribute("data-keys", "ready")

    page.keyboard.press("j")
    page.keyboard.press("x")  # select the second open row
    page.get_by_label(f"Select match {matches[1].pk}").check()
    page.get_by_role("button", name="Whitelist domain").click()
    expect(page.get_by_role("status")).to_contain_text("whitelisted")
    assert set(WhitelistedDomain.objects.values_list("domain", flat=True)) == {
        "b.example", "c.example"
    }  # fmt: skip
