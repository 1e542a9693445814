"""The notice outbox: a rendered notice stored (signed, queued), then sent once over SMTP.

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
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q

from fairclaim.letters.mail import build_mail
from fairclaim.letters.render import sign_pdf
from fairclaim.letters.signing import platform_signer, published_keyring
from fairclaim.rules.case_events import LogKind
from fairclaim.rules.case_states import CaseEvent as FlowEvent
from fairclaim.rules.case_states import CaseState
from fairclaim.rules.send_gate import NoticeKind, Verdict

from .actions import do_transition
from .gate import evaluate
from .log import append_event
from .models import Case, Notice

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
# Wait before attempt n+1: 1, 2, 4, 8, 16 minutes — long enough for a relay to recover.
BACKOFF_BASE = timedelta(minutes=1)
# Kept for importers; the live value is the task lease (`stale_sending`).
STALE_SENDING = timedelta(minutes=10)


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


def store_notice(case, kind, filename, rendered, language, due, now) -> Notice:
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


def enqueue_notice(notice_id: int) -> None:
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
        if notice.kind == Notice.Kind.DEMAND and case.state == CaseState.REVIEW:
            do_transition(case, FlowEvent.NOTICE_SENT, actor="system", now=now, payload=payload)
        else:
            append_event(case, LogKind.delivered(notice.kind), payload, actor="system", at=now)
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
            LogKind.NOTICE_HELD,
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
