"""After a missed deadline: the next reminder, or the case becomes overdue (policy-bound: each
reminder gives longer, at most the jurisdiction's number; a held reminder says why once)."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction

from fairclaim.letters.render import render_notice
from fairclaim.rules.case_events import LogKind
from fairclaim.rules.case_states import CaseEvent as FlowEvent
from fairclaim.rules.case_states import CaseState
from fairclaim.rules.deadlines import cadence_for, reminder_deadline
from fairclaim.rules.send_gate import NoticeKind, Verdict

from .access_codes import one_time_link_token
from .actions import do_transition
from .claim_facts import recipient_calendar
from .gate import evaluate
from .log import append_event
from .models import Case, Notice
from .notice_context import build_context
from .outbox import enqueue_notice, store_notice


def do_follow_up(case_id: int, now: datetime) -> str:
    """After a missed deadline: the next reminder (each giving longer, at most
    `cadence_for(case.jurisdiction).max_reminders`),
    or, when they are used up, the case becomes overdue. A case whose clock is paused (licence or
    defence under review) is never in `notice_sent`, so it is never reminded. The deadline is
    claimed with a conditional UPDATE: two schedulers never send two reminders."""
    case = Case.objects.get(pk=case_id)
    today = now.date()
    if case.state != CaseState.NOTICE_SENT or case.deadline is None or case.deadline >= today:
        return "nothing"
    sent = case.notices.filter(kind=Notice.Kind.REMINDER).count()
    cadence = cadence_for(case.jurisdiction)
    if sent >= cadence.max_reminders:
        do_transition(
            case,
            FlowEvent.DEADLINE_PASSED,
            actor="system",
            now=now,
            payload={"deadline": case.deadline.isoformat(), "reminders": sent},
        )
        return "overdue"
    verdict = evaluate(case, NoticeKind.REMINDER, today)
    if not verdict.go:
        _log_reminder_held(case, verdict, now)
        return "held"
    due = reminder_deadline(today, sent + 1, recipient_calendar(case), cadence)
    if not Case.objects.filter(pk=case.pk, deadline=case.deadline).update(deadline=due):
        return "nothing"
    case.deadline = due
    _queue_reminder(case, sent + 1, due, now)
    return "reminded"


def _log_reminder_held(case: Case, verdict: Verdict, now: datetime) -> None:
    """Say once why the reminder waits (the scheduler asks again on every pass)."""
    payload = verdict.as_json()
    last = case.events.order_by("-seq").first()
    if last is not None and last.kind == LogKind.REMINDER_HELD and last.payload == payload:
        return
    append_event(case, LogKind.REMINDER_HELD, payload, actor="system", at=now)


def _queue_reminder(case: Case, number: int, due: date, now: datetime) -> Notice:
    context = build_context(
        case, access_code="", link_token=one_time_link_token(case), today=now.date()
    )
    rendered = render_notice(context, kind="reminder")
    with transaction.atomic():
        filename = f"{case.reference}-reminder-{number}.pdf"
        notice = store_notice(
            case, Notice.Kind.REMINDER, filename, rendered, context.language, due, now
        )
        do_transition(
            case,
            FlowEvent.REMINDER_SENT,
            actor="system",
            now=now,
            payload={
                "notice": notice.pk,
                "number": number,
                "deadline": due.isoformat(),
                "pdf_sha256": rendered.pdf_sha256,
            },
        )
        transaction.on_commit(lambda: enqueue_notice(notice.pk))
    return notice


def cases_past_deadline(today: date) -> list[int]:
    return list(
        Case.objects.filter(state=CaseState.NOTICE_SENT, deadline__lt=today).values_list(
            "pk", flat=True
        )
    )
