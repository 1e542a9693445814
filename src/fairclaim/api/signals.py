"""Where webhook events come from: rows the lower apps already write.

Receivers run inside the transaction that saves the row, so the event is queued exactly when the
change commits (see `delivery.do_emit`). Each receiver is a few lines and only reads the row.
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from fairclaim.cases.models import CaseEvent
from fairclaim.monitoring.models import Match
from fairclaim.payments.models import PaymentFact, PayoutRun
from fairclaim.payments.signals import payout_run_finalised

from .delivery import do_emit


@receiver(post_save, sender=Match, dispatch_uid="api.match_found")
def match_found(sender, instance: Match, created: bool, raw=False, **kwargs):
    if not created or raw or instance.organisation_id is None:
        return
    data = {
        "match": instance.pk,
        "work": instance.work_id,
        "sighting": instance.sighting_id,
        "score": instance.score,
        "status": instance.status,
    }
    do_emit(instance.organisation_id, "match.found", data, timezone.now())


@receiver(post_save, sender=CaseEvent, dispatch_uid="api.case_state_changed")
def case_state_changed(sender, instance: CaseEvent, created: bool, raw=False, **kwargs):
    payload = instance.payload or {}
    # Every state change is a log entry carrying "from" and "to" (cases.actions.do_transition).
    if not created or raw or "to" not in payload or "from" not in payload:
        return
    case = instance.case
    data = {
        "case": case.reference,
        "from": payload["from"],
        "to": payload["to"],
        "event": instance.kind,
        "log_seq": instance.seq,
        "at": instance.at.isoformat(),
    }
    do_emit(case.rights_holder_id, "case.state_changed", data, timezone.now())


@receiver(post_save, sender=PaymentFact, dispatch_uid="api.payment_received")
def payment_received(sender, instance: PaymentFact, created: bool, raw=False, **kwargs):
    if not created or raw or instance.kind != PaymentFact.Kind.RECEIPT:
        return
    payment = instance.payment
    data = {
        "case": payment.case.reference,
        "payment": payment.pk,
        "amount": str(instance.amount),
        "currency": instance.currency,
        "source": instance.source,
        "recorded_at": instance.recorded_at.isoformat(),
    }
    do_emit(payment.case.rights_holder_id, "payment.received", data, timezone.now())


@receiver(payout_run_finalised, sender=PayoutRun, dispatch_uid="api.payout_made")
def payout_made(sender, run: PayoutRun, now, **kwargs):
    # One event per rights holder actually paid: a statement that carries its balance forward
    # (below the minimum, no account) moved no money.
    for statement in run.statements.filter(paid__gt=0):
        data = {
            "payout_run": run.pk,
            "statement": statement.pk,
            "amount": str(statement.paid),
            "currency": statement.currency,
            "end_to_end_id": statement.end_to_end_id,
            "execution_date": run.execution_date.isoformat(),
            "finalised_at": run.finalised_at.isoformat(),
        }
        do_emit(statement.organisation_id, "payout.made", data, now)
