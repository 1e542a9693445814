"""A recipient on a phone, in English and in German, opens the case from the e-mail's own link
(the app served on a random, non-default port), chooses a payment, still raises a defence, and
gets the decision by e-mail (a real SMTP server on loopback)."""

import os
import re
import threading

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from fairclaim.cases.models import Defence, Notification
from fairclaim.cases.notifications import do_send_notification
from fairclaim.cases.responses import do_decide_defence
from fairclaim.cases.sending import do_create_demand, do_send_notice
from tests.cases.conftest import evidence_site, inbox, signing  # noqa: F401  (fixtures)
from tests.cases.sound import case_with_claim

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
WORDS = {
    "en": {"received": "Your defence has been received", "subject": "your defence was rejected"},
    "de": {"received": "Ihr Einwand ist eingegangen", "subject": "Ihr Einwand wurde abgelehnt"},
}


def shot(page, name):
    """Screenshots for a person to look at, when FAIRCLAIM_SCREENSHOTS names a folder."""
    folder = os.environ.get("FAIRCLAIM_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, name), full_page=True)


@pytest.mark.parametrize("language", ["en", "de"])
def test_from_the_mail_link_a_defence_after_choosing_a_payment_and_the_decision_by_mail(
    live_server,
    browser: Browser,
    settings,
    cast,
    inbox,  # noqa: F811
    signing,  # noqa: F811
    evidence_site,  # noqa: F811
    language,
):
    assert not live_server.url.endswith(":8000")
    settings.FAIRCLAIM_PUBLIC_URL = live_server.url
    # The evidence capture drives its own Chromium (sync API): on a thread of its own, since this
    # thread already runs the test's browser.
    made = {}
    worker = threading.Thread(
        target=lambda: made.setdefault(
            "case",
            case_with_claim(
                cast, "de-send-shop-missing-credit.json", language=language, jurisdiction="DE"
            ),
        )
    )
    worker.start()
    worker.join(120)
    case = made["case"]
    notice = do_create_demand(case, now=timezone.now(), actor="manager")
    assert do_send_notice(notice.pk, timezone.now())
    [mail] = inbox.messages
    html = mail.get_body(("html",)).get_content()
    link = re.search(r'<a class="button" href="([^"]+)"', html)[1]
    assert link.startswith(live_server.url + "/portal/link/")

    context = browser.new_context(**PHONE, locale="de-DE" if language == "de" else "en-GB")
    page = context.new_page()
    page.goto(link)
    expect(page.locator("h1")).to_contain_text(case.reference)
    shot(page, f"{language}-1-case.png")
    # Choose a payment plan (bank transfer, 3 instalments), seeing each instalment first.
    page.locator("a.button[href$='/pay/']").click()
    expect(page.locator("#instalments")).to_be_visible()
    shot(page, f"{language}-2-pay.png")
    page.locator("input[value='past_and_future']").check()
    page.select_option("select[name=instalments]", "3")
    page.locator("input[value='bank_transfer']").check()
    page.locator("form.stacked button[type=submit]").click()
    expect(page.locator("code").first).to_be_visible()  # the IBAN / reference
    page.goto(f"{live_server.url}/portal/{case.reference}/")
    expect(page.locator("#plan")).to_be_visible()
    # The choice blocks nothing: raise a defence.
    page.locator("nav.steps a[href$='/defence/']").click()
    page.locator("input[value='fair_use']").check()
    page.locator("textarea[name=statement]").fill("It is a quotation in a review.")
    page.locator("form button[type=submit]").last.click()
    expect(page.locator(".messages")).to_contain_text(WORDS[language]["received"])
    shot(page, f"{language}-3-defence-received.png")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px phone"
    context.close()

    defence = Defence.objects.get(case=case)
    do_decide_defence(
        defence, uphold=False, reasons="A shop banner is not a quotation.", user=cast.manager,
        now=timezone.now(),
    )  # fmt: skip
    [told] = Notification.objects.filter(case=case, audience="recipient")
    assert do_send_notification(told.pk, timezone.now())
    decision = inbox.messages[-1]
    assert WORDS[language]["subject"] in decision["Subject"]
    text = decision.get_body(("plain",)).get_content()
    assert "A shop banner is not a quotation." in text
    assert live_server.url + "/portal/link/" in text
