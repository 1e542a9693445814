"""Reminders that listen: none while a defence, licence proof or payment plan is open or a
recipient's message is unanswered (the send gate's `recipient_engaged` reason); the text says
what happened; each carries a working one-time link. Delivered through a real SMTP server."""

import re
from datetime import UTC, date, datetime

import pytest
from django.test import Client
from django.utils import timezone

from fairclaim.cases.gate import evaluate
from fairclaim.cases.models import Case, Defence
from fairclaim.cases.responses import do_decide_defence, do_post_message, do_raise_defence
from fairclaim.cases.sending import do_follow_up, do_send_notice
from fairclaim.rules.send_gate import Code
from tests.cases.sound import case_with_claim

PUBLIC = "http://127.0.0.1:8444"
DEADLINE = date(2026, 12, 14)


@pytest.fixture(autouse=True)
def _site(evidence_site):
    """Reminders, like notices, need the recipient's page captured."""


def at(day):
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


@pytest.fixture
def sent_case(cast, signing, settings):
    settings.FAIRCLAIM_PUBLIC_URL = PUBLIC
    case = case_with_claim(cast, "de-send-shop-missing-credit.json", language="en")
    Case.objects.filter(pk=case.pk).update(
        state="notice_sent", deadline=DEADLINE, recipient_country="DE"
    )
    case.refresh_from_db()
    return case


def deliver_reminder(case, inbox):
    [notice] = case.notices.filter(kind="reminder", status="queued")
    assert do_send_notice(notice.pk, timezone.now())
    return inbox.messages[-1]


def test_an_unanswered_message_holds_the_reminder_until_answered(cast, sent_case, inbox):
    asked = do_post_message(sent_case, "Who are you?", author_kind="recipient", author=None,
                            now=at(date(2026, 12, 10)))  # fmt: skip
    assert do_follow_up(sent_case.pk, at(date(2026, 12, 15))) == "held"
    [held] = sent_case.events.filter(kind="reminder_held")
    assert [r["code"] for r in held.payload["reasons"]] == [Code.RECIPIENT_ENGAGED]
    assert "unanswered message" in held.payload["reasons"][0]["message"]
    assert not sent_case.notices.filter(kind="reminder").exists()
    do_post_message(sent_case, "We act for Alice.", author_kind="case_manager",
                    author=cast.manager, now=at(date(2026, 12, 11)))  # fmt: skip
    assert do_follow_up(sent_case.pk, at(date(2026, 12, 15))) == "reminded"
    mail = deliver_reminder(sent_case, inbox)
    text = mail.get_body(("plain",)).get_content()
    day = asked.created_at.date()
    assert f"Thank you for your message of {day.day} {day:%B %Y}" in text
    assert "have not heard from you" not in text
    link = re.search(rf"{re.escape(PUBLIC)}/portal/link/\S+/", text)[0]
    opened = Client().get(link.removeprefix(PUBLIC))
    assert opened.status_code == 302
    assert opened["Location"].endswith(f"/portal/{sent_case.reference}/")


def test_an_open_payment_plan_holds_the_reminder(sent_case):
    from fairclaim.cases.claims import case_offers
    from fairclaim.payments.actions import do_cancel_plan, do_choose_offer

    offer = case_offers(sent_case)["past_only"]
    do_choose_offer(sent_case, offer, 2, at(date(2026, 12, 10)))
    verdict = evaluate(sent_case, "reminder", date(2026, 12, 15))
    assert [r.code for r in verdict.reasons] == [Code.RECIPIENT_ENGAGED]
    assert "payment plan" in verdict.summary()
    assert do_follow_up(sent_case.pk, at(date(2026, 12, 15))) == "held"
    do_cancel_plan(sent_case, at(date(2026, 12, 15)))
    assert evaluate(sent_case, "reminder", date(2026, 12, 15)).go


def test_a_rejected_defence_is_named_in_the_next_reminder_with_its_reasons(cast, sent_case, inbox):
    do_raise_defence(sent_case, "fair_use", "It is a quotation.", None, at(date(2026, 12, 10)))
    sent_case.refresh_from_db()
    assert do_follow_up(sent_case.pk, at(date(2026, 12, 15))) == "nothing"  # the clock is paused
    defence = Defence.objects.get(case=sent_case)
    do_decide_defence(defence, uphold=False, reasons="A shop banner is not a quotation.",
                      user=cast.manager, now=at(date(2026, 12, 11)))  # fmt: skip
    sent_case.refresh_from_db()
    late = sent_case.deadline.toordinal() + 1
    assert do_follow_up(sent_case.pk, at(date.fromordinal(late))) == "reminded"
    mail = deliver_reminder(sent_case, inbox)
    text = mail.get_body(("plain",)).get_content()
    assert "Your defence was rejected on 11 December 2026 for these reasons:" in text
    assert "A shop banner is not a quotation." in text
    html = mail.get_body(("html",)).get_content()
    assert re.search(rf'<a class="button" href="{re.escape(PUBLIC)}/portal/link/', html)
