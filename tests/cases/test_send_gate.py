"""The send gate in the product: the case page shows it before the button, the demand, the
sending task, the scheduler's reminders, the takedown and the escalation all obey it."""

from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from fairclaim.cases.actions import EscalationNotAllowed, do_escalate
from fairclaim.cases.gate import evaluate
from fairclaim.cases.log import verify_case_log
from fairclaim.cases.models import Case, CaseLine
from fairclaim.cases.sending import (
    NoticeNotAllowed,
    do_create_demand,
    do_create_dmca,
    do_send_notice,
)
from fairclaim.cases.tasks import capture_case_evidence
from fairclaim.ops.schedule import follow_up_missed_deadlines
from fairclaim.rules.send_gate import Code
from fairclaim.works.models import Licence
from tests.cases.sound import case_with_claim
from tests.cast import sign_in

EXAMPLE = "de-send-shop-missing-credit.json"
NO_IMAGE = b"<html><body><h1>Laden</h1><p>Nothing to see.</p></body></html>"


@pytest.fixture(autouse=True)
def _setup(evidence_site, signing):
    """Every test here has the recipient's page on loopback and the platform key."""


def codes(case, kind="demand"):
    return [r.code for r in evaluate(case, kind, timezone.localdate()).reasons]


def act(client, case, **data):
    return client.post(reverse("cases:act", args=[case.reference]), data, follow=True)


def test_the_case_page_names_every_reason_and_the_send_is_refused(client, cast):
    case = case_with_claim(cast, EXAMPLE, capture=False, language="en")
    Case.objects.filter(pk=case.pk).update(recipient_email="")
    sign_in(client, cast.manager)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Before sending the demand: not yet" in page
    assert "the recipient&#x27;s e-mail address is missing." in page
    assert "no finished evidence capture yet." in page
    assert 'value="send_notice"' not in page
    refused = act(client, case, action="send_notice").content.decode()
    assert "Not sent:" in refused
    assert not case.notices.exists()


def test_an_empty_line_like_the_old_demo_case_can_never_produce_a_notice(cast):
    """The old demo's FC-2026-000001: a line with no claim, no amount and no capture."""
    Case.objects.filter(pk=cast.case.pk).update(
        state="review", law_firm=None, recipient_email="info@shop.example"
    )
    CaseLine.objects.filter(case=cast.case).update(match=None)
    case = Case.objects.get(pk=cast.case.pk)
    with pytest.raises(NoticeNotAllowed) as refused:
        do_create_demand(case, now=timezone.now(), actor="manager")
    assert [r.code for r in refused.value.verdict.reasons] == [
        Code.CLAIM_NOT_CHECKED,
        Code.NO_AMOUNT,
        Code.EVIDENCE_WAITING,
    ]
    assert not case.notices.exists()


def test_missing_evidence_is_captured_first_and_the_notice_follows_it(
    client, cast, django_capture_on_commit_callbacks
):
    case = case_with_claim(cast, EXAMPLE, capture=False, language="en")
    sign_in(client, cast.manager)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Capture evidence, then send to info@laden.example" in page
    with django_capture_on_commit_callbacks(execute=True):
        done = act(client, case, action="send_notice").content.decode()
    assert "Capturing the evidence first; the notice follows it." in done
    assert not case.notices.exists()
    case.refresh_from_db()
    assert case.send_requested_by == "manager"

    capture_case_evidence.call(case.pk)  # the worker runs the queued capture

    [notice] = case.notices.all()
    assert notice.kind == "demand"
    kinds = list(case.events.order_by("seq").values_list("kind", flat=True))
    assert kinds.index("send_requested") < kinds.index("evidence_captured")
    assert kinds.index("evidence_captured") < kinds.index("notice_queued")
    times = list(case.events.order_by("seq").values_list("at", flat=True))
    assert times == sorted(times)  # the log reads in time order
    assert verify_case_log(case).ok


def test_evidence_showing_the_image_absent_needs_a_decision(client, cast, evidence_site):
    evidence_site["/p/1"] = ("text/html", NO_IMAGE)
    case = case_with_claim(cast, EXAMPLE, language="en")
    assert codes(case) == [Code.EVIDENCE_ABSENT]
    sign_in(client, cast.manager)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Captured: the image is not on the page" in page
    assert "Record why the earlier evidence stands" in page
    line = case.lines.get()
    client.post(
        reverse("cases:operate", args=[case.reference, "evidence_stands"]),
        {"line": line.pk, "reason": "The page loads the image lazily; the crawl saw it."},
    )
    assert codes(case) == []
    event = case.events.get(kind="evidence_decision")
    assert event.actor == "manager"
    assert event.payload["reason"].startswith("The page loads the image lazily")


def test_the_linter_is_re_run_at_send_time(cast):
    case = case_with_claim(cast, EXAMPLE, language="en")
    assert codes(case) == []
    Licence.objects.create(
        owner=cast.alice.organisation,
        work=cast.work,
        licensee_name="Laden GmbH",
        domains=[urlsplit(cast.site[0]).hostname],  # the recipient's page
        source=Licence.Source.OWN_SALE,
        starts_on=date(2026, 1, 1),
    )
    assert codes(case) == [Code.LINTER_NOT_CLEAR]


def test_the_sending_task_holds_a_queued_notice_the_gate_no_longer_lets_go(cast, inbox):
    case = case_with_claim(cast, EXAMPLE, language="en")
    notice = do_create_demand(case, now=timezone.now(), actor="manager")
    Licence.objects.create(  # a licence turns up after the notice was queued
        owner=cast.alice.organisation,
        work=cast.work,
        licensee_name="Laden GmbH",
        domains=[urlsplit(cast.site[0]).hostname],  # the recipient's page
        source=Licence.Source.OWN_SALE,
        starts_on=date(2026, 1, 1),
    )
    assert do_send_notice(notice.pk, timezone.now()) is False
    notice.refresh_from_db()
    assert notice.status == "held"
    assert notice.last_error.startswith("Held by the send gate:")
    assert inbox.messages == []
    held = case.events.get(kind="notice_held")
    assert held.payload["reasons"][0]["code"] == "linter_not_clear"
    assert do_send_notice(notice.pk, timezone.now() + timedelta(hours=1)) is False  # never later


def test_the_schedulers_reminder_waits_for_a_decision_on_removed_evidence(
    client, cast, evidence_site
):
    case = case_with_claim(cast, EXAMPLE, language="en")
    Case.objects.filter(pk=case.pk).update(state="notice_sent", deadline=date(2026, 12, 14))
    evidence_site["/p/1"] = ("text/html", NO_IMAGE)  # the recipient took it down
    capture_case_evidence.call(case.pk)
    later = datetime(2026, 12, 16, 9, tzinfo=UTC)
    assert follow_up_missed_deadlines(later) == 0
    assert follow_up_missed_deadlines(later + timedelta(hours=1)) == 0
    assert not case.notices.filter(kind="reminder").exists()
    [held] = case.events.filter(kind="reminder_held")  # said once, not on every pass
    assert held.payload["reasons"][0]["code"] == "evidence_absent"

    sign_in(client, cast.manager)
    client.post(
        reverse("cases:operate", args=[case.reference, "evidence_stands"]),
        {"line": case.lines.get().pk, "reason": "Claim is for the past use, seen until now."},
    )
    assert follow_up_missed_deadlines(later + timedelta(hours=2)) == 1
    assert case.notices.filter(kind="reminder").count() == 1


def test_a_takedown_needs_evidence_and_is_never_offered_on_a_closed_case(client, cast):
    case = case_with_claim(cast, EXAMPLE, capture=False, language="en")
    with pytest.raises(NoticeNotAllowed, match="no finished evidence capture yet"):
        do_create_dmca(
            case,
            host_name="Host",
            agent_email="dmca@host.example",
            signatory="Ada",
            now=timezone.now(),
            actor="manager",
        )
    Case.objects.filter(pk=case.pk).update(state="resolved_licensed")
    sign_in(client, cast.manager)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "DMCA" not in page
    assert "Case operations" not in page
    refused = act(
        client, case, action="dmca", host_name="H", agent_email="a@h.example"
    ).content.decode()
    assert "Not sent:" in refused
    assert not case.notices.exists()


def test_an_escalation_is_refused_while_the_case_is_unsound(cast):
    case = case_with_claim(cast, EXAMPLE, capture=False, language="en")
    Case.objects.filter(pk=case.pk).update(state="overdue")
    case.refresh_from_db()
    with pytest.raises(EscalationNotAllowed, match="no finished evidence capture yet"):
        do_escalate(case, cast.lawfirm.organisation, actor="manager", now=timezone.now())
    case.refresh_from_db()
    assert (case.state, case.law_firm_id) == ("overdue", None)
