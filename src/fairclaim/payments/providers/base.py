"""The contract every payment provider keeps (after Django's `BaseEmailBackend`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from fairclaim.payments.models import Payment


class PaymentError(Exception):
    """Base of the typed errors a payment action raises; the message says what went wrong."""


class ProviderNotConfigured(PaymentError):
    """A setting the provider needs is missing (the message names it)."""


class ProviderUnavailable(PaymentError):
    """The provider could not be reached or refused the request; safe to retry the action."""


class ProviderRefused(PaymentError):
    """The provider refused the request as invalid (retrying the same request will not help)."""


class PaymentNotOpen(PaymentError):
    """The payment no longer expects money (paid, refunded or cancelled)."""


class RefundNotPossible(PaymentError):
    """The refund asked for cannot be made (nothing received, amount too large, …)."""


@dataclass(frozen=True)
class PaymentStart:
    """What the recipient needs to pay: a page to go to, and/or transfer instructions."""

    redirect_url: str
    instructions: dict[str, str] = field(default_factory=dict)


class PaymentProvider:
    """A way money reaches fairclaim for a `Payment`. Subclass per provider folder.

    Contract (tests/payments/contract.py checks it for every provider):

    - `name` is stored in `Payment.provider`; `method` is the `Payment.Method` it serves.
    - `start(payment, *, success_url, cancel_url, now)` prepares collecting the payment's
      outstanding amount and returns a `PaymentStart`. It books no money. Calling it again for
      the same open payment never creates a second charge (the same checkout is returned).
      Raises `PaymentNotOpen` for a payment that expects no money.
    - Money is booked only from the provider's own inbound channel (Stripe: a signed webhook;
      bank: an imported statement), through `payments.ledger.record_fact` with a key that is
      unique at the provider, then `payments.ledger.resettle`. A repeated or reordered delivery
      changes nothing that has already been booked.
    - `cancel(payment, *, now)` stops collecting through what `start` prepared; it never fails
      for a payment that was never started.
    - `refund(payment, amount, *, now)` returns `amount` to the payer and books the refund once
      the provider confirms it; raises `RefundNotPossible` when it cannot be made.
    - Provider errors surface as `ProviderUnavailable` (retry-safe), `ProviderRefused` or
      `ProviderNotConfigured`.
    """

    name = ""
    method = ""

    @property
    def configured(self) -> bool:
        """Whether this provider can take money now; an unconfigured one is never offered."""
        return True

    def start(
        self, payment: Payment, *, success_url: str, cancel_url: str, now: datetime
    ) -> PaymentStart:
        raise NotImplementedError

    def cancel(self, payment: Payment, *, now: datetime) -> None:
        raise NotImplementedError

    def refund(self, payment: Payment, amount: Decimal, *, now: datetime) -> Payment:
        raise NotImplementedError


def check_open(payment: Payment) -> None:
    if payment.cancelled_at is not None or not payment.is_open:
        raise PaymentNotOpen(
            f"payment {payment.pk} ({payment.case.reference} instalment "
            f"{payment.instalment_number}/{payment.instalment_count}) is "
            f"{payment.get_status_display().lower()}; it expects no money"
        )


def check_refund(payment: Payment, amount: Decimal) -> None:
    available = payment.amount_received - payment.amount_refunded
    if amount <= 0:
        raise RefundNotPossible(f"a refund must be positive, got {amount}")
    if amount > available:
        raise RefundNotPossible(
            f"refund {amount} {payment.currency} exceeds what is held for payment {payment.pk} "
            f"({available} {payment.currency})"
        )
