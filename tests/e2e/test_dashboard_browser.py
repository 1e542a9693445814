"""The rights holder's home, its charts and lists, and a payout statement, in Chromium, as a
photographer and as an agency; a case manager drafts and makes final a payout run.

Set FAIRCLAIM_SCREENSHOTS=<folder> to keep the screenshots (the closing note's pictures)."""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from fairclaim.accounts.models import Organisation, User
from fairclaim.dashboard.history import pay_last_month, seed_history
from fairclaim.payments.ledger import record_fact, resettle
from fairclaim.payments.models import Agreement, Payment, PayoutRun
from fairclaim.works.actions import do_register_image, upload_limits
from fairclaim.works.intake import check_image
from tests.cast import app_code
from tests.images import photo_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long test password"


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("FAIRCLAIM_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def world():
    cache.clear()  # chart series are cached per user id, and ids repeat between tests
    now = timezone.now()
    operator = Organisation.objects.create(name="Ops", slug="ops", kind="operator")
    Organisation.objects.create(name="Kanzlei", slug="kanzlei", kind="law_firm")
    people = {}
    for slug, name, iban, seed in [
        ("ada", "Ada Lens Photography", "DE02120300000000202051", 7),
        ("agency", "Picture Agency", "DE02100500000054540402", 11),
    ]:
        org = Organisation.objects.create(
            name=name, slug=slug, kind="rights_holder", operator=operator
        )
        people[slug] = User.objects.create_user(slug, password=PASSWORD, role="rights_holder",
                                                organisation=org)  # fmt: skip
        for n in range(3):
            image = check_image(f"{slug}{n}.jpg", photo_bytes(seed + n), upload_limits())
            do_register_image(org, None, image, title=f"{name} photo {n + 1}")
        seed_history(org, now=now, iban=iban, holder=name, seed=seed)
        Agreement.objects.filter(organisation=org).update(minimum_payout=Decimal("20.00"))
    pay_last_month(operator, now)
    # This month so far: the rest of a part-paid instalment arrives two days ago.
    payment = Payment.objects.filter(status="part_paid", case__rights_holder__slug="ada").first()
    with transaction.atomic():
        record_fact(
            payment,
            key="bank:rest",
            kind="receipt",
            amount=payment.outstanding,
            currency="EUR",
            source="bank",
            now=now - timedelta(days=2),
            actor="bank",
        )
        resettle(payment, now=now - timedelta(days=2), actor="bank")  # fmt: skip
    people["manager"] = User.objects.create_user("manager", password=PASSWORD, role="case_manager",
                                                 organisation=operator)  # fmt: skip
    TOTPDevice.objects.create(user=people["manager"], name="phone", confirmed=True)
    return people


def sign_in(page: Page, base: str, username: str, path: str = "/"):
    """Password, then (for accounts with an authenticator) the code the app shows."""
    page.goto(f"{base}{path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    if device is not None:
        expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
        page.get_by_label("Code").fill(app_code(device))
        page.get_by_role("button", name="Continue").click()


@pytest.mark.parametrize("who", ["ada", "agency"])
def test_rights_holder_reads_dashboard_and_statement(live_server, page: Page, world, who, shots):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, who)
    expect(page.get_by_role("heading", name="Your overview")).to_be_visible()
    expect(page.get_by_role("link", name="new matches to review")).to_be_visible()
    expect(page.get_by_role("img", name="Matches found per week")).to_be_visible()
    expect(page.get_by_role("img", name="How cases ended")).to_be_visible()
    page.screenshot(path=shots / f"dashboard-{who}.png", full_page=True)

    # The text alternative of a chart, then the list behind one of its bars.
    page.get_by_text("How cases ended as a table").click()
    page.get_by_role("row", name="Resolved: paid").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Cases")).to_be_visible()
    states = page.locator("tbody .state").all_inner_texts()
    assert states
    assert set(states) == {"Resolved: paid"}

    page.get_by_role("link", name="Payouts").click()
    page.locator("a", has_text="#").first.click()
    expect(page.get_by_role("heading", name="Payout statement")).to_be_visible()
    expect(page.get_by_text("Balance carried in from earlier statements")).to_be_visible()
    expect(page.get_by_role("row", name="Carried forward")).to_be_visible()
    page.screenshot(path=shots / f"statement-{who}.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").click()
    pdf = shots / f"statement-{who}.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_printing_the_dashboard_keeps_the_charts(live_server, page: Page, world):
    sign_in(page, live_server.url, "ada")
    page.emulate_media(media="print")
    expect(page.get_by_role("img", name="Money collected per month (EUR)")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()


def test_manager_drafts_reviews_and_makes_final_a_payout_run(live_server, page: Page, world, shots):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server.url, "manager", "/payments/payouts/")
    page.get_by_role("button", name="Draft payout run").click()
    expect(page.get_by_role("heading", name="Payout run")).to_contain_text("Draft")
    expect(page.get_by_role("row", name="Ada Lens Photography")).to_contain_text("Paid")
    page.screenshot(path=shots / "payout-run-draft.png", full_page=True)
    page.get_by_role("button", name="Make final and write the SEPA file").click()
    expect(page.get_by_role("status")).to_contain_text("The payout run is final")
    expect(page.get_by_role("link", name="pain.001")).to_be_visible()
    page.screenshot(path=shots / "payout-run-final.png", full_page=True)
    run = PayoutRun.objects.filter(status="final").latest("pk")
    assert run.created_by == "manager"
    expect(page.get_by_role("button", name="Make final and write the SEPA file")).to_have_count(0)
