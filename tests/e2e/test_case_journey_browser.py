"""The whole journey in Chromium: the rights holder claims a match, the case manager enters the
recipient's e-mail in the app, the send waits for the evidence capture (a real capture of a page on
127.0.0.1), and the notice that goes out through a real SMTP server carries the case's own URLs,
dates and itemised amounts."""

import email
import json
import threading
from datetime import UTC, datetime
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect

from fairclaim.accounts.models import Organisation, User
from fairclaim.cases.claims import case_offers, statement_lines
from fairclaim.cases.log import verify_case_log
from fairclaim.cases.models import Case, Claim, RateCard
from fairclaim.cases.tasks import capture_case_evidence, send_notice
from fairclaim.letters.formats import money
from fairclaim.monitoring.models import Match, Sighting
from fairclaim.portal.signing import platform_signer
from fairclaim.works.actions import do_process_work, do_register_image, upload_limits
from fairclaim.works.intake import check_image
from tests.cast import app_code
from tests.images import photo_bytes
from tests.webserver import free_port, serving

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
EXAMPLE = (
    Path(__file__).resolve().parents[2] / "docs/facts/examples/de-send-shop-missing-credit.json"
)
PASSWORD = "a long test password"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def inbox(settings):
    handler, port = Inbox(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield handler
    controller.stop()


@pytest.fixture
def platform_key(settings, tmp_path):
    settings.FAIRCLAIM_SIGNING_KEY = str(tmp_path / "key.pem")
    settings.FAIRCLAIM_ALLOW_LOOPBACK = True
    platform_signer.cache_clear()
    yield
    platform_signer.cache_clear()


def in_worker(task, *args):
    """Run a task as the worker would, off this thread: the capture drives its own (sync)
    Playwright, which must not share pytest-playwright's event loop."""
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.update(value=task.call(*args)))
    thread.start()
    thread.join(120)
    return outcome.get("value")


def sign_in(page: Page, url: str, username: str) -> None:
    """Password, then (for accounts with an authenticator) the code the app shows."""
    page.goto(url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    if device is not None:
        expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
        page.get_by_label("Code").fill(app_code(device))
        page.get_by_role("button", name="Continue").click()


def test_claim_to_sent_notice_carries_the_cases_own_data(
    live_server, page: Page, browser: Browser, inbox, platform_key
):
    operator = Organisation.objects.create(name="Ops", slug="ops", kind="operator", country="DE")
    studio = Organisation.objects.create(
        name="Ada Lens", slug="ada", kind="rights_holder", country="DE", operator=operator
    )
    User.objects.create_user("ada", password=PASSWORD, role="rights_holder", organisation=studio)
    cm = User.objects.create_user(
        "cm", password=PASSWORD, role="case_manager", organisation=operator
    )
    TOTPDevice.objects.create(user=cm, name="phone", confirmed=True)  # required for their role
    RateCard.objects.create(owner=studio, pricing=json.loads(EXAMPLE.read_text())["pricing"])
    work = do_register_image(studio, None, check_image("h.jpg", photo_bytes(6), upload_limits()))
    do_process_work(work.pk)
    page_html = (
        b'<html><body><h1>Laden</h1><img src="/i/h.jpg" width="900" height="600"></body></html>'
    )
    routes = {"/p/hafen": ("text/html", page_html), "/i/h.jpg": ("image/jpeg", photo_bytes(6))}
    with serving(routes) as site:
        seen = datetime(2026, 6, 1, 8, tzinfo=UTC)
        sighting = Sighting.objects.create(
            organisation=studio, source="crawl", page_domain="laden.example",
            page_url=f"{site}/p/hafen", image_url=f"{site}/i/h.jpg", first_seen=seen,
            last_seen=datetime(2026, 11, 30, 8, tzinfo=UTC), display_width=900,
            display_height=600, context={"company": "Laden GmbH"},
        )  # fmt: skip
        match = Match.objects.create(work=work, sighting=sighting, score=0.97, inliers=150)

        # The rights holder claims, checks and approves; the case goes to review.
        sign_in(page, f"{live_server.url}/matches/", "ada")
        page.get_by_label(f"Select match {match.pk}").check()
        page.get_by_role("button", name="Claim", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("1 claimed")
        page.goto(f"{live_server.url}{Claim.objects.get(match=match).get_absolute_url()}")
        page.get_by_role("button", name="Check claim").click()
        expect(page.get_by_role("heading", name="Result of the check")).to_be_visible()
        expect(page.locator("section.verdict")).to_contain_text("Ready to send")
        page.get_by_role("button", name="Approve claim and open case").click()
        page.get_by_role("button", name="Submit for review").click()
        case = Case.objects.get()
        assert case.state == "review"

        # The manager: no e-mail yet, no capture yet; enters the address in the app.
        manager = browser.new_page()
        sign_in(manager, f"{live_server.url}{case.get_absolute_url()}", "cm")
        gate = manager.locator("section.gate")
        expect(gate).to_contain_text("the recipient's e-mail address is missing.")
        expect(gate).to_contain_text("no finished evidence capture yet.")
        # Without an e-mail address the recipient form is open, prefilled from the imprint.
        expect(manager.get_by_label("Recipient's name")).to_have_value(
            "Laden GmbH"
        )  # from the imprint
        manager.get_by_label("Recipient's e-mail").fill("info@laden.example")
        manager.get_by_role("button", name="Save recipient details").click()
        expect(manager.get_by_role("status").first).to_contain_text("Recipient details saved")
        manager.get_by_role(
            "button", name="Capture evidence, then send to info@laden.example"
        ).click()
        expect(manager.get_by_text("Capturing the evidence first")).to_be_visible()
        assert not case.notices.exists()

        in_worker(capture_case_evidence, case.pk)  # the worker: capture, then the demand
    [notice] = case.notices.all()
    assert in_worker(send_notice, notice.pk) is True

    manager.reload()
    expect(manager.locator("h1 .state")).to_have_text("Notice sent")
    expect(manager.locator("td.evidence-present")).to_have_count(1)
    case.refresh_from_db()
    kinds = list(case.events.order_by("seq").values_list("kind", flat=True))
    assert kinds.index("recipient_changed") < kinds.index("send_requested")
    assert (
        kinds.index("evidence_captured") < kinds.index("notice_queued") < kinds.index("notice_sent")
    )
    assert verify_case_log(case).ok

    [mail] = inbox.messages  # German: the case is under German law, to a German recipient
    assert mail["To"] == "info@laden.example"
    text = mail.get_body(("plain",)).get_content()
    assert f"Seite: {sighting.page_url}" in text
    assert f"Bild: {sighting.image_url}" in text
    assert "Gesehen vom 1. Juni 2026 bis 30. November 2026" in text
    with translation.override("de"):  # the lines as the German letter words them
        lines = statement_lines(case)
    assert lines
    for line in lines:
        assert line["label"] in text
    total = money(case_offers(case)["past_only"].gross, "de_DE")
    assert "Angebot 1: nur bisherige Nutzung" in text
    assert f"Gesamt (brutto): {total}" in text
