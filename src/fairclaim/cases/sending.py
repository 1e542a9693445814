"""The notice outbox: create a notice (rendered, signed, queued), then send it once over SMTP.

Delivery guarantee, stated plainly: SMTP has no way to ask a server "did you already accept
this?", so a worker that dies after the server accepted a message but before we recorded it
leaves a notice in `sending`. Such a notice is sent again later with the same Message-ID, which
receiving systems use to recognise a repeat; the case log records one `notice_sent` per notice
either way. Every other failure (refused connection, temporary SMTP error) is retried with
backoff while the notice is `queued`; no path sends two different messages for one notice.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q

from fairclaim.letters.context import build_context
from fairclaim.letters.mail import build_mail
from fairclaim.letters.render import render_notice, sign_pdf
from fairclaim.portal.access import new_access_code, one_time_link_token
from fairclaim.portal.signing import platform_signer, published_keyring
from fairclaim.rules.deadlines import cadence_for, deadline, reminder_deadline
from fairclaim.rules.send_gate import NoticeKind, Verdict

from .actions import do_transition
from .claims import recipient_calendar
from .gate import evaluate
from .log import append_event
from .models import Case, Notice

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
# Wait before attempt n+1: 1, 2, 4, 8, 16 minutes — long enough for a relay to recover.
BACKOFF_BASE = timedelta(minutes=1)


def stale_sending() -> timedelta:
    """A notice `sending` this long had its worker die mid-send: send again with the same
    Message-ID. The task lease (task_leases.py): the retry queued after a worker died finds the
    notice claimable, instead of leaving it in `sending` until a later scheduler pass."""
    return timedelta(seconds=settings.FAIRCLAIM_TASK_LEASE_SECONDS)


# The notices the send gate guards (receipts after payment are not demands and need no gate).
GATED_KINDS = {
    Notice.Kind.DEMAND: NoticeKind.DEMAND,
    Notice.Kind.REMINDER: NoticeKind.REMINDER,
    Notice.Kind.DMCA_TAKEDOWN: NoticeKind.DMCA,
}


class NoticeNotAllowed(Exception):
    """The send gate (or a missing input) refuses; `verdict` carries every named reason."""

    def __init__(self, message: str, verdict: Verdict | None = None):
        super().__init__(message)
        self.verdict = verdict


def require_gate(case: Case, kind: NoticeKind, now: datetime, **overrides) -> Verdict:
    """The send gate's verdict for `case`, or NoticeNotAllowed naming every reason."""
    verdict = evaluate(case, kind, now.date(), **overrides)
    if not verdict.go:
        raise NoticeNotAllowed(f"Not sent: {verdict.summary()}", verdict)
    return verdict


def message_id_for(notice: Notice) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "fairclaim.invalid"
    return f"<{notice.idempotency_key}@{domain}>"


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
        notice = _store_notice(
            case, Notice.Kind.DEMAND, f"{case.reference}.pdf", rendered, context.language, due, now
        )
        append_event(
            case,
            "notice_queued",
            {
                "notice": notice.pk,
                "pdf_sha256": rendered.pdf_sha256,
                "deadline": due.isoformat(),
                "message_id": notice.message_id,
            },
            actor=actor,
            at=now,
        )
        transaction.on_commit(lambda: _enqueue(notice.pk))
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
        append_event(case, "send_requested", {"waiting_for": "evidence"}, actor=actor, at=now)
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
        append_event(case, "send_blocked", verdict, actor="system", at=now)
        return None


def _enqueue_capture(case_id: int) -> None:
    from .tasks import capture_case_evidence

    capture_case_evidence.enqueue(case_id)


def _store_notice(case, kind, filename, rendered, language, due, now) -> Notice:
    """Save a rendered notice, its signed PDF and its Message-ID, queued for sending."""
    signer = platform_signer()
    notice = Notice(
        case=case,
        kind=kind,
        status=Notice.Status.QUEUED,
        idempotency_key=f"{case.reference}-{kind}-{secrets.token_hex(8)}",
        language=language,
        recipient_email=case.recipient_email,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        deadline=due,
        queued_at=now,
        pdf_sha256=rendered.pdf_sha256,
        pdf_signature=sign_pdf(signer, rendered.pdf),
        key_id=signer.key_id,
    )
    notice.message_id = message_id_for(notice)
    notice.pdf.save(filename, ContentFile(rendered.pdf), save=False)
    notice.save()
    return notice


def _enqueue(notice_id: int) -> None:
    from .tasks import send_notice

    send_notice.enqueue(notice_id)


def claim_for_sending(model, pk: int, now: datetime, **only) -> bool:
    """Claim one outbox row (a Notice or a Notification) for this sender: a conditional UPDATE,
    so two workers never both send it. Queued rows, and rows whose sender died mid-send."""
    claimable = Q(status=model.Status.QUEUED) | Q(
        status=model.Status.SENDING, sending_started_at__lt=now - stale_sending()
    )
    return bool(
        model.objects.filter(claimable, pk=pk, attempts__lt=MAX_ATTEMPTS, **only).update(
            status=model.Status.SENDING, sending_started_at=now, attempts=F("attempts") + 1
        )
    )


def record_failed_attempt(model, row, exc: Exception, now: datetime) -> None:
    """Back to the queue with backoff, or failed for good after MAX_ATTEMPTS."""
    failed = row.attempts >= MAX_ATTEMPTS
    model.objects.filter(pk=row.pk).update(
        status=model.Status.FAILED if failed else model.Status.QUEUED,
        last_error=str(exc)[:2000],
        queued_at=now + BACKOFF_BASE * 2 ** (row.attempts - 1),
    )
    log.warning("%s %s attempt %s failed: %s", model.__name__, row.pk, row.attempts, exc)


def do_send_notice(notice_id: int, now: datetime) -> bool:
    """Send one queued (or interrupted) notice. Returns whether this call sent it."""
    if not claim_for_sending(Notice, notice_id, now):
        return False
    notice = Notice.objects.select_related("case").get(pk=notice_id)
    if notice.kind in GATED_KINDS and _held_by_gate(notice, now):
        return False
    try:
        _deliver(notice)
    except OSError as exc:  # smtplib.SMTPException is an OSError: refused, timeout, 4xx
        record_failed_attempt(Notice, notice, exc, now)
        return False
    with transaction.atomic():
        Notice.objects.filter(pk=notice_id).update(
            status=Notice.Status.SENT, sent_at=now, last_error=""
        )
        case = Case.objects.get(pk=notice.case_id)
        payload = {
            "notice": notice.pk,
            "message_id": notice.message_id,
            "pdf_sha256": notice.pdf_sha256,
            "attempts": notice.attempts,
        }
        if notice.kind == Notice.Kind.DEMAND and case.state == "review":
            do_transition(case, "notice_sent", actor="system", now=now, payload=payload)
        else:
            append_event(case, f"{notice.kind}_delivered", payload, actor="system", at=now)
    return True


def _held_by_gate(notice: Notice, now: datetime) -> bool:
    """The gate again, just before delivery: a licence, a capture or a decision may have come in
    since the notice was queued. A held notice fails for good (never sent later by a retry)."""
    verdict = evaluate(
        notice.case, GATED_KINDS[notice.kind], now.date(), recipient_email=notice.recipient_email
    )
    if verdict.go:
        return False
    with transaction.atomic():
        Notice.objects.filter(pk=notice.pk).update(
            status=Notice.Status.HELD, last_error=f"Held by the send gate: {verdict.summary()}"
        )
        append_event(
            notice.case,
            "notice_held",
            {"notice": notice.pk, **verdict.as_json()},
            actor="system",
            at=now,
        )
    return True


def _deliver(notice: Notice) -> None:
    with notice.pdf.open("rb") as handle:
        pdf = handle.read()
    build_mail(
        subject=notice.subject,
        text=notice.body_text,
        html=notice.body_html,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notice.recipient_email],
        headers={"Message-ID": notice.message_id, "X-Fairclaim-Reference": notice.case.reference},
        attachments=[(f"{notice.case.reference}.pdf", pdf, "application/pdf")],
    ).send(fail_silently=False)


def due_notices(now: datetime) -> list[int]:
    """Queued notices whose backoff has passed, and interrupted sends to finish."""
    return list(
        Notice.objects.filter(
            Q(status=Notice.Status.QUEUED, queued_at__lte=now)
            | Q(status=Notice.Status.SENDING, sending_started_at__lt=now - stale_sending()),
            attempts__lt=MAX_ATTEMPTS,
        ).values_list("pk", flat=True)[:200]
    )


def verify_notice_pdf(pdf: bytes):
    """The notice this exact PDF is, if its signature holds against the platform key."""
    from fairclaim.letters.render import pdf_signature_holds

    digest = hashlib.sha256(pdf).hexdigest()
    notice = (
        Notice.objects.select_related("case", "case__rights_holder")
        .filter(pdf_sha256=digest)
        .first()
    )
    if notice is None:
        return None
    # The key named on the notice, from the published list: notices signed before a key
    # rotation stay verifiable.
    public_key = published_keyring().ed25519_key(notice.key_id)
    if public_key is None:
        return None
    return notice if pdf_signature_holds(public_key, pdf, notice.pdf_signature) else None


def do_follow_up(case_id: int, now: datetime) -> str:
    """After a missed deadline: the next reminder (each giving longer, at most
    `cadence_for(case.jurisdiction).max_reminders`),
    or, when they are used up, the case becomes overdue. A case whose clock is paused (licence or
    defence under review) is never in `notice_sent`, so it is never reminded. The deadline is
    claimed with a conditional UPDATE: two schedulers never send two reminders."""
    case = Case.objects.get(pk=case_id)
    today = now.date()
    if case.state != "notice_sent" or case.deadline is None or case.deadline >= today:
        return "nothing"
    sent = case.notices.filter(kind=Notice.Kind.REMINDER).count()
    cadence = cadence_for(case.jurisdiction)
    if sent >= cadence.max_reminders:
        do_transition(
            case,
            "deadline_passed",
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
    if last is not None and last.kind == "reminder_held" and last.payload == payload:
        return
    append_event(case, "reminder_held", payload, actor="system", at=now)


def _queue_reminder(case: Case, number: int, due: date, now: datetime) -> Notice:
    context = build_context(
        case, access_code="", link_token=one_time_link_token(case), today=now.date()
    )
    rendered = render_notice(context, kind="reminder")
    with transaction.atomic():
        filename = f"{case.reference}-reminder-{number}.pdf"
        notice = _store_notice(
            case, Notice.Kind.REMINDER, filename, rendered, context.language, due, now
        )
        do_transition(
            case,
            "reminder_sent",
            actor="system",
            now=now,
            payload={
                "notice": notice.pk,
                "number": number,
                "deadline": due.isoformat(),
                "pdf_sha256": rendered.pdf_sha256,
            },
        )
        transaction.on_commit(lambda: _enqueue(notice.pk))
    return notice


def cases_past_deadline(today: date) -> list[int]:
    return list(
        Case.objects.filter(state="notice_sent", deadline__lt=today).values_list("pk", flat=True)
    )


def do_create_dmca(
    case: Case, *, host_name: str, agent_email: str, signatory: str, now: datetime, actor: str
) -> Notice:
    """A DMCA takedown notification (17 USC 512(c)(3)) to the host's designated agent, the
    alternative to a demand when the rights holder only wants the copy gone. It asks for removal,
    not money, so it never carries a fee statement."""
    if not (host_name and agent_email and signatory):
        raise NoticeNotAllowed(
            "A DMCA notice needs the host, its designated agent and a signatory."
        )
    require_gate(case, NoticeKind.DMCA, now, recipient_email=agent_email)
    context = build_context(case, access_code="", link_token="", today=now.date())
    context.language = "en"  # 512(c)(3) is US law, sent to US hosts
    context.host_name, context.agent_email, context.signatory = host_name, agent_email, signatory
    rendered = render_notice(context, kind="dmca")
    with transaction.atomic():
        notice = _store_notice(
            case, Notice.Kind.DMCA_TAKEDOWN, f"{case.reference}-dmca.pdf", rendered, "en", None, now
        )
        Notice.objects.filter(pk=notice.pk).update(recipient_email=agent_email)
        notice.recipient_email = agent_email
        append_event(
            case,
            "dmca_queued",
            {
                "notice": notice.pk,
                "host": host_name,
                "agent": agent_email,
                "pdf_sha256": rendered.pdf_sha256,
            },
            actor=actor,
            at=now,
        )
        transaction.on_commit(lambda: _enqueue(notice.pk))
    return notice


def do_issue_settlement(case_id: int, now: datetime) -> list[Notice]:
    """Once a case is paid: the signed settlement and release, and with a licence for the future
    its certificate, e-mailed as receipts and kept on the case. The future licence also enters
    the ledger, so the licensee is never claimed again for these works (DESIGN.md rule 2).
    Idempotent: a case that already has its release gets nothing new."""
    from fairclaim.payments.models import Payment
    from fairclaim.works.models import Licence

    case = Case.objects.select_related("rights_holder").get(pk=case_id)
    if case.notices.filter(kind=Notice.Kind.RELEASE).exists():
        return []
    paid = list(
        case.payments.filter(
            cancelled_at__isnull=True,
            status__in=[Payment.Status.SUCCEEDED, Payment.Status.OVERPAID],
        )
    )
    if not paid:
        return []
    offer = paid[0].offer
    context = build_context(case, access_code="", link_token="", today=now.date())
    context.paid_total = sum(p.amount for p in paid)
    context.offer = offer
    months = _future_licence_months(case)
    context.licence_until = _add_months(now.date(), months)
    issued = []
    with transaction.atomic():
        kinds = [Notice.Kind.RELEASE]
        if offer == Payment.Offer.PAST_AND_FUTURE:
            kinds.append(Notice.Kind.LICENCE_CERTIFICATE)
            for line in case.lines.select_related("work"):
                Licence.objects.create(
                    owner=case.rights_holder,
                    work=line.work,
                    licensee_name=case.recipient_name or case.recipient_domain,
                    licensee_email=case.recipient_email,
                    domains=[case.recipient_domain],
                    source=Licence.Source.OWN_SALE,
                    starts_on=now.date(),
                    ends_on=context.licence_until,
                    reference=case.reference,
                    notes=f"Licence for future use bought in case {case.reference}.",
                )
        for kind in kinds:
            rendered = render_notice(context, kind=kind)
            notice = _store_notice(
                case, kind, f"{case.reference}-{kind}.pdf", rendered, context.language, None, now
            )
            issued.append(notice)
            append_event(
                case,
                f"{kind}_issued",
                {"notice": notice.pk, "pdf_sha256": rendered.pdf_sha256},
                actor="system",
                at=now,
            )
            transaction.on_commit(lambda pk=notice.pk: _enqueue(pk))
    return issued


def _future_licence_months(case: Case) -> int:
    from .models import FeeStatement

    statement = FeeStatement.objects.filter(claim__case=case).order_by("-created_at").first()
    return int(statement.statement.get("future_licence_months", 12)) if statement else 12


def _add_months(day: date, months: int) -> date:
    from fairclaim.rules.periods import add_months

    return add_months(day, months)
