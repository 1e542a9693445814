"""Sending a demand: the send gate asked, the deadline set, the access code made, the demand
rendered and queued in the outbox (`outbox`); or, when only the evidence is missing, the capture
first and the demand after it. Reminders (`reminders`), takedown notices (`takedown`) and the
receipts after payment (`receipts`) live beside it; their names stay importable from here."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import transaction

from fairclaim.letters.render import render_notice
from fairclaim.rules.case_events import LogKind
from fairclaim.rules.deadlines import cadence_for, deadline
from fairclaim.rules.send_gate import NoticeKind

from .access_codes import new_access_code, one_time_link_token
from .claim_facts import recipient_calendar
from .gate import evaluate
from .log import append_event
from .models import Case, Notice
from .notice_context import build_context
from .outbox import (
    BACKOFF_BASE,
    GATED_KINDS,
    MAX_ATTEMPTS,
    STALE_SENDING,
    NoticeNotAllowed,
    claim_for_sending,
    do_send_notice,
    due_notices,
    enqueue_notice,
    message_id_for,
    record_failed_attempt,
    require_gate,
    stale_sending,
    store_notice,
    verify_notice_pdf,
)
from .receipts import do_issue_settlement
from .reminders import cases_past_deadline, do_follow_up
from .takedown import do_create_dmca

__all__ = [
    "BACKOFF_BASE",
    "GATED_KINDS",
    "MAX_ATTEMPTS",
    "STALE_SENDING",
    "NoticeNotAllowed",
    "cases_past_deadline",
    "claim_for_sending",
    "do_create_demand",
    "do_create_dmca",
    "do_follow_up",
    "do_issue_settlement",
    "do_request_demand",
    "do_send_notice",
    "due_notices",
    "message_id_for",
    "record_failed_attempt",
    "require_gate",
    "send_after_capture",
    "stale_sending",
    "verify_notice_pdf",
]


def do_create_demand(case: Case, *, now: datetime, actor: str) -> Notice:
    """Render, sign and queue the demand for a case in review. The case's access code is created
    here (only its hash is kept); the plain code exists only in the notice itself.

    Precondition: the send gate lets the demand go (checked here; NoticeNotAllowed otherwise).
    One demand per case: a draft row claims the demand (in a short locked transaction) while it
    is rendered, so a double click or two managers at once queue one demand, and the access code
    it carries is the one stored."""
    require_gate(case, NoticeKind.DEMAND, now)
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).exists()
        demands = case.notices.filter(kind=Notice.Kind.DEMAND)
        # A claim whose process died while rendering (older than the task lease) is void.
        demands.filter(status=Notice.Status.DRAFT, created_at__lt=now - stale_sending()).delete()
        if demands.exclude(status__in=[Notice.Status.FAILED, Notice.Status.HELD]).exists():
            raise NoticeNotAllowed("Not sent: the demand for this case is already queued or sent.")
        claim = Notice.objects.create(
            case=case, kind=Notice.Kind.DEMAND, status=Notice.Status.DRAFT,
            idempotency_key=f"{case.reference}-demand-{secrets.token_hex(8)}",
            recipient_email=case.recipient_email or "", subject="", body_text="",
        )  # fmt: skip
    try:
        return _create_demand(case, claim, now=now, actor=actor)
    finally:
        Notice.objects.filter(pk=claim.pk, status=Notice.Status.DRAFT).delete()


def _create_demand(case: Case, claim: Notice, *, now: datetime, actor: str) -> Notice:
    closed = recipient_calendar(case)
    due = deadline(now.date(), cadence_for(case.jurisdiction).notice_days, closed)
    Case.objects.filter(pk=case.pk).update(deadline=due)
    case.deadline = due
    code = new_access_code(case)
    context = build_context(
        case, access_code=code, link_token=one_time_link_token(case), today=now.date()
    )
    rendered = render_notice(context)
    with transaction.atomic():
        Notice.objects.filter(pk=claim.pk).delete()  # the claim gives way to the demand
        notice = store_notice(
            case, Notice.Kind.DEMAND, f"{case.reference}.pdf", rendered, context.language, due, now
        )
        append_event(
            case,
            LogKind.NOTICE_QUEUED,
            {
                "notice": notice.pk,
                "pdf_sha256": rendered.pdf_sha256,
                "deadline": due.isoformat(),
                "message_id": notice.message_id,
            },
            actor=actor,
            at=now,
        )
        transaction.on_commit(lambda: enqueue_notice(notice.pk))
    return notice


def do_request_demand(case: Case, *, now: datetime, actor: str) -> Notice | None:
    """The manager's "send": the demand now if the gate lets it go; if only evidence is missing,
    the capture is queued first and the demand follows it (`send_after_capture`), returning None.
    Any other reason refuses with NoticeNotAllowed."""
    verdict = evaluate(case, NoticeKind.DEMAND, now.date())
    if verdict.go:
        return do_create_demand(case, now=now, actor=actor)
    if not verdict.waits_for_evidence:
        raise NoticeNotAllowed(f"Not sent: {verdict.summary()}", verdict)
    with transaction.atomic():
        Case.objects.filter(pk=case.pk).update(send_requested_by=actor[:150], updated_at=now)
        case.send_requested_by = actor[:150]
        append_event(case, LogKind.SEND_REQUESTED, {"waiting_for": "evidence"}, actor=actor, at=now)
        transaction.on_commit(lambda: _enqueue_capture(case.pk))
    return None


def send_after_capture(case_id: int, now: datetime) -> Notice | None:
    """After a capture: send the demand someone asked for, if the gate now lets it go; else log
    why it stays unsent (the request ends either way; the manager decides again)."""
    requester = Case.objects.filter(pk=case_id).values_list("send_requested_by", flat=True).first()
    if not requester:
        return None
    if not Case.objects.filter(pk=case_id, send_requested_by=requester).update(
        send_requested_by=""
    ):
        return None  # another worker took the request
    case = Case.objects.get(pk=case_id)
    try:
        return do_create_demand(case, now=now, actor=requester)
    except NoticeNotAllowed as refused:
        verdict = refused.verdict.as_json() if refused.verdict else {"reason": str(refused)}
        append_event(case, LogKind.SEND_BLOCKED, verdict, actor="system", at=now)
        return None


def _enqueue_capture(case_id: int) -> None:
    from .tasks import capture_case_evidence

    capture_case_evidence.enqueue(case_id)
