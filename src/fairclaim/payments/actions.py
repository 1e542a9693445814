"""Payment actions the portal and the case pages call: choose an offer (the instalment plan),
start a card payment, get bank-transfer instructions, refund, assign a statement line.

Each `do_*` documents its preconditions and raises a typed `PaymentError` when they fail.
Money itself is booked only by the providers' inbound channels (payments.ledger).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from fairclaim.cases.claims import recipient_calendar
from fairclaim.cases.log import append_event
from fairclaim.cases.models import Case
from fairclaim.rules.case_events import LogKind
from fairclaim.rules.case_states import is_terminal
from fairclaim.rules.fees import OfferTotal

from .ledger import plan_of
from .models import Payment, StatementLine
from .plan import PlanError, instalment_plan
from .providers import get_provider
from .providers.base import PaymentError, PaymentStart

# Time for a bank transfer to arrive (SEPA: one business day, international: a few) plus time
# to decide; the same 14 days as the shortest notice period (rules.deadlines.MINIMUM_DAYS).
PAYMENT_TERM_DAYS = 14


class OfferError(PaymentError):
    """The offer cannot be chosen for this case (the message says why)."""


class OfferLocked(OfferError):
    """Money has already been received under the current plan; a case manager must decide."""


def do_choose_offer(
    case: Case, offer: OfferTotal, instalments: int, now: datetime, *, actor: str = "recipient"
) -> list[Payment]:
    """Create the instalment plan for `offer` (its gross total, `instalments` = 1 to pay at once,
    2–6 monthly) and return its payments, first due `PAYMENT_TERM_DAYS` after `now` on a day
    the recipient is open.

    Preconditions: the case is not closed; the offer is `past_only` or `past_and_future` in the
    case's currency; no money has been received under an earlier plan (else `OfferLocked`).
    An earlier plan without money is cancelled (its open card checkouts expired).

    A choice is not a commitment until money moves: the case keeps its state (a defence or a
    licence stays possible, a failed or abandoned checkout leaves the case as it was) and the
    plan is only logged (`payment_plan_created`). The first money received moves the case on
    (`offer_chosen`, see `ledger.commit_plan_on_first_money`); full payment resolves it.
    """
    if is_terminal(case.state):
        raise OfferError(f"case {case.reference} is closed ({case.get_state_display()})")
    if offer.offer not in Payment.Offer.values:
        raise OfferError(f"unknown offer {offer.offer!r}; expected one of {Payment.Offer.values}")
    total = offer.gross
    if total.currency != case.currency:
        raise OfferError(f"offer is in {total.currency}, case {case.reference} in {case.currency}")
    first_due = (now + timedelta(days=PAYMENT_TERM_DAYS)).date()
    try:
        schedule = instalment_plan(total, instalments, first_due, recipient_calendar(case))
    except PlanError as exc:
        raise OfferError(str(exc)) from exc
    earlier = list(plan_of(case))
    if any(p.facts.exists() for p in earlier):
        raise OfferLocked(
            f"money was received for {case.reference} under the current plan; "
            "a case manager must change it"
        )
    for payment in earlier:
        if payment.checkout_session_id:
            get_provider(payment.method or Payment.Method.CARD).cancel(payment, now=now)
    with transaction.atomic():
        # Locked and read again: two choices at once (a double click) leave one plan, not two.
        Case.objects.select_for_update().filter(pk=case.pk).exists()
        earlier = list(plan_of(case))
        if any(p.facts.exists() for p in earlier):
            raise OfferLocked(f"money was received for {case.reference} under the current plan")
        Payment.objects.filter(pk__in=[p.pk for p in earlier]).update(
            cancelled_at=now, status=Payment.Status.CANCELLED, updated_at=now
        )
        payments = [
            Payment.objects.create(
                case=case,
                offer=offer.offer,
                amount=item.amount.amount,
                currency=item.amount.currency,
                instalment_number=item.number,
                instalment_count=item.count,
                due_on=item.due_on,
            )
            for item in schedule
        ]
        payload = {
            "offer": offer.offer,
            "total": str(total.amount),
            "currency": total.currency,
            "instalments": [
                {"payment": p.pk, "amount": str(p.amount), "due_on": p.due_on.isoformat()}
                for p in payments
            ],
            "replaces": [p.pk for p in earlier],
        }
        append_event(case, LogKind.PAYMENT_PLAN_CREATED, payload, actor=actor, at=now)
    return payments


def do_cancel_plan(case: Case, now: datetime, *, actor: str = "recipient") -> list[Payment]:
    """Withdraw the chosen plan before any money moved (open card checkouts are expired);
    returns the cancelled instalments. The case keeps its state and deadline.

    Preconditions: a plan exists (else `OfferError`) and no money was received under it (else
    `OfferLocked`: a case manager must decide)."""
    plan = list(plan_of(case))
    if not plan:
        raise OfferError(f"case {case.reference} has no payment plan to cancel")
    if any(p.facts.exists() for p in plan):
        raise OfferLocked(
            f"money was received for {case.reference} under this plan; "
            "a case manager must change it"
        )
    for payment in plan:
        if payment.checkout_session_id:
            get_provider(payment.method or Payment.Method.CARD).cancel(payment, now=now)
    with transaction.atomic():
        Payment.objects.filter(pk__in=[p.pk for p in plan]).update(
            cancelled_at=now, status=Payment.Status.CANCELLED, updated_at=now
        )
        append_event(
            case,
            LogKind.PAYMENT_PLAN_CANCELLED,
            {"payments": [p.pk for p in plan], "offer": plan[0].offer},
            actor=actor,
            at=now,
        )
    return plan


def open_plan(case: Case) -> list[Payment]:
    """The instalments of the plan the recipient chose and has not started paying (empty when
    there is none, or money has moved)."""
    plan = list(plan_of(case).order_by("instalment_number"))
    if any(p.amount_received for p in plan):
        return []
    return plan


def available_methods() -> list[str]:
    """The payment methods a recipient may be offered: those whose provider is configured."""
    methods = []
    for method in Payment.Method.values:
        try:
            provider = get_provider(method)
        except PaymentError:
            continue
        if provider.configured:
            methods.append(method)
    return methods


def do_start_card_payment(
    payment: Payment, success_url: str, cancel_url: str, *, now: datetime | None = None
) -> str:
    """The URL to send the recipient to for paying `payment` by card (a Stripe Checkout page).

    Preconditions: the payment is open (else `PaymentNotOpen`). Calling it again before the
    checkout expires returns the same page: one payment, one charge."""
    start = get_provider(Payment.Method.CARD).start(
        payment, success_url=success_url, cancel_url=cancel_url, now=now or timezone.now()
    )
    return start.redirect_url


def do_start_bank_transfer(payment: Payment, *, now: datetime | None = None) -> PaymentStart:
    """Transfer instructions for `payment` (account holder, IBAN, BIC, amount, currency and the
    case reference to quote); the money is booked when a bank statement is imported."""
    return get_provider(Payment.Method.BANK_TRANSFER).start(
        payment, success_url="", cancel_url="", now=now or timezone.now()
    )


def do_refund(
    payment: Payment,
    amount: Decimal | None = None,
    *,
    actor: str = "case-manager",
    now: datetime | None = None,
) -> Payment:
    """Refund `amount` (default: everything held) of `payment` through the provider it was paid
    with; returns the payment as it stands afterwards.

    Preconditions: money was received and `amount` does not exceed what is held (else
    `RefundNotPossible`). Card refunds go through Stripe's API with an idempotency key derived
    from the payment's refund state, so a retried click refunds once."""
    payment.refresh_from_db()
    held = payment.amount_received - payment.amount_refunded
    amount = held if amount is None else Decimal(amount)
    provider = get_provider(payment.method or Payment.Method.BANK_TRANSFER)
    now = now or timezone.now()
    append_event(
        payment.case,
        LogKind.REFUND_REQUESTED,
        {"payment": payment.pk, "amount": str(amount), "currency": payment.currency},
        actor=actor,
        at=now,
    )
    return provider.refund(payment, amount, now=now)


def do_assign_statement_line(
    line: StatementLine, case: Case, *, actor: str, now: datetime | None = None
) -> StatementLine:
    """Book an unmatched bank statement line to `case` (a case manager's decision, logged).

    Preconditions: the line is unmatched and a credit in the currency of the case's plan."""
    from .providers.bank_transfer.backend import assign_line

    return assign_line(line, case, actor=actor, now=now or timezone.now())
