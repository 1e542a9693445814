"""Booking money facts against payments and deriving each payment's status from them.

Every provider books through `record_fact` (unique key: a repeat books nothing) and then calls
`resettle`, which recomputes the payment with the pure `payments.settlement.settle`, splits what
is held in the double-entry journal by the rights holder's agreement (`payments.journal`), logs
what changed in the case log, and resolves the case once every instalment of its plan is paid.
Callers hold a transaction (`transaction.atomic`) around a fact and its resettle.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction

from fairclaim.cases.actions import CaseChanged, do_transition
from fairclaim.cases.log import append_event
from fairclaim.cases.models import Case
from fairclaim.rules.case_events import LogKind
from fairclaim.rules.case_states import CaseEvent as FlowEvent
from fairclaim.rules.case_states import CaseState, allowed_events

from .journal import book_split
from .models import Payment, PaymentFact
from .settlement import Settlement, settle

# Completing payment moves a case that awaits payment to resolved_paid; an escalated case (the
# law firm's) is closed by the same money as `settled`.
COMPLETION_EVENTS = (FlowEvent.PAYMENT_COMPLETED, FlowEvent.SETTLED)

# The case-log event each kind of money fact appends.
FACT_EVENTS = {
    PaymentFact.Kind.RECEIPT: LogKind.PAYMENT_RECEIVED,
    PaymentFact.Kind.REFUND: LogKind.PAYMENT_REFUNDED,
    PaymentFact.Kind.CHARGEBACK: LogKind.PAYMENT_CHARGED_BACK,
}


def record_fact(
    payment: Payment,
    *,
    key: str,
    kind: str,
    amount: Decimal,
    currency: str,
    source: str,
    now: datetime,
    actor: str,
    cumulative: bool = False,
    statement_line=None,
    details: dict | None = None,
) -> PaymentFact | None:
    """Book one fact; returns it, or None when a fact with `key` was booked before. Appends a
    `payment_received` / `payment_refunded` case event for a new fact."""
    try:
        with transaction.atomic():
            fact = PaymentFact.objects.create(
                payment=payment,
                key=key,
                kind=kind,
                amount=amount,
                currency=currency,
                cumulative=cumulative,
                source=source,
                statement_line=statement_line,
                details=details or {},
                recorded_at=now,
            )
    except IntegrityError:
        return None
    append_event(
        payment.case,
        FACT_EVENTS[kind],
        {
            "payment": payment.pk,
            "instalment": f"{payment.instalment_number}/{payment.instalment_count}",
            "amount": str(amount),
            "currency": currency,
            "cumulative": cumulative,
            "source": source,
            "key": key,
        },
        actor=actor,
        at=now,
    )
    return fact


def settlement_of(payment: Payment) -> Settlement:
    due = Decimal(0) if payment.cancelled_at else payment.amount
    return settle(due, payment.currency, [f.as_money_fact() for f in payment.facts.all()])


def resettle(payment: Payment, *, now: datetime, actor: str) -> Payment:
    """Recompute `payment` from its facts; log a status change; complete the case if paid."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    result = settlement_of(payment)
    if payment.cancelled_at and result.received == 0:
        status = Payment.Status.CANCELLED
    else:
        status = Payment.Status(result.standing.value)
    changed = status != payment.status
    payment.status = status
    payment.amount_received = result.received
    payment.amount_refunded = result.refunded
    if result.received and payment.received_at is None:
        payment.received_at = now
    payment.save(
        update_fields=["status", "amount_received", "amount_refunded", "received_at", "updated_at"]
    )
    book_split(payment, now=now)
    if changed:
        append_event(
            payment.case,
            LogKind.PAYMENT_STATUS_CHANGED,
            {
                "payment": payment.pk,
                "instalment": f"{payment.instalment_number}/{payment.instalment_count}",
                "status": status.value,
                "received": str(result.received),
                "refunded": str(result.refunded),
                "outstanding": str(result.outstanding),
                "ignored": list(result.ignored),
            },
            actor=actor,
            at=now,
        )
    if result.received:
        commit_plan_on_first_money(payment, now=now, actor=actor)
    complete_case_if_paid(payment.case, now=now, actor=actor)
    return payment


def commit_plan_on_first_money(payment: Payment, *, now: datetime, actor: str) -> bool:
    """The first money received makes the chosen plan a commitment: the case moves with
    `offer_chosen` (to payment_pending) where the flow allows it. Until then a chosen offer is
    only logged and blocks nothing. True when the case moved."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=payment.case_id)
        if case.state == CaseState.PAYMENT_PENDING or FlowEvent.OFFER_CHOSEN not in allowed_events(
            case.state
        ):
            return False
        plan = list(plan_of(case).order_by("instalment_number"))
        payload = {
            "offer": payment.offer,
            "total": str(sum((p.amount for p in plan), Decimal(0))),
            "currency": payment.currency,
            "instalments": [
                {"payment": p.pk, "amount": str(p.amount), "due_on": str(p.due_on or "")}
                for p in plan
            ],
            "first_money": payment.pk,
        }
        try:
            do_transition(case, FlowEvent.OFFER_CHOSEN, actor=actor, now=now, payload=payload)
        except CaseChanged:
            return False
    return True


def plan_of(case: Case):
    """The instalments the case currently owes (those of the latest chosen offer)."""
    return Payment.objects.filter(case=case, cancelled_at__isnull=True)


def complete_case_if_paid(case: Case, *, now: datetime, actor: str) -> bool:
    """Move the case on (payment_completed, or settled when escalated) once every instalment of
    its plan is paid; True when it moved. A case already past that point is left alone."""
    plan = list(plan_of(case))
    paid = {Payment.Status.SUCCEEDED, Payment.Status.OVERPAID}
    if not plan or any(p.status not in paid for p in plan):
        return False
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        allowed = allowed_events(case.state)
        event = next((e for e in COMPLETION_EVENTS if e in allowed), None)
        if event is None:
            return False
        total = sum((p.amount for p in plan), Decimal(0))
        try:
            do_transition(
                case,
                event,
                actor=actor,
                now=now,
                payload={"paid": str(total), "currency": plan[0].currency},
            )
        except CaseChanged:
            return False
        offer = plan[0].offer
        transaction.on_commit(lambda: _issue_settlement(case.pk, total, offer))
    return True


def _issue_settlement(case_id: int, paid_total: Decimal, offer: str) -> None:
    """The settlement documents are told what was paid: cases never reads payments."""
    from fairclaim.cases.tasks import issue_settlement

    issue_settlement.enqueue(case_id, paid_total=str(paid_total), offer=offer)
