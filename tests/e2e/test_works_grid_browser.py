"""The works grid in Chromium: choose works, tag them and put them in a collection in one go,
filter by tag, archive one from its page and find it under the archived works."""

import pytest
from playwright.sync_api import Page, expect

from tests.cast import PASSWORD, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bulk_tag_collect_and_archive(live_server, page: Page, cast):
    second = register(cast.alice.organisation, cast.alice, seed=12)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/works/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    for work in (cast.work, second):
        page.get_by_label(f"Choose work #{work.pk}").check()
    page.get_by_label("Action", exact=True).select_option("tag")
    page.get_by_label("Tags or collection").fill("Berlin, street")
    page.get_by_role("button", name="Apply to the chosen works").click()
    expect(page.get_by_role("status")).to_contain_text("Done: 2 works changed.")
    expect(page.locator(".work-card .tag", has_text="Berlin")).to_have_count(2)

    page.get_by_label(f"Choose work #{second.pk}").check()
    page.get_by_label("Action", exact=True).select_option("collect")
    page.get_by_label("Tags or collection").fill("Portfolio")
    page.get_by_role("button", name="Apply to the chosen works").click()
    page.get_by_label("Collection", exact=True).select_option(label="Portfolio (1)")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".work-card")).to_have_count(1)
    page.screenshot(path="/work/briefs/shots/works-grid-collection.png", full_page=True)

    page.goto(f"{live_server.url}{cast.work.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Work #{cast.work.pk}")
    expect(page.get_by_role("heading", name="Sightings")).to_be_visible()
    page.get_by_role("button", name="Archive").click()
    expect(page.locator("p.notice")).to_contain_text("no longer matched or searched for")
    page.screenshot(path="/work/briefs/shots/work-page-archived.png", full_page=True)
    page.goto(f"{live_server.url}/works/?archived=1")
    expect(page.locator(".work-card")).to_have_count(1)
    expect(page.locator(".work-card")).to_contain_text("Archived")
