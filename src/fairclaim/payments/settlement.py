"""Where a payment stands, from the money facts recorded for it: a pure function of the facts.

Facts arrive in any order and any number of times (webhook retries, reordered deliveries, a bank
statement imported twice). Each fact has a unique key, so a repeated fact counts once, and the
result does not depend on arrival order: a refund recorded before the receipt it refunds is held
and applied once the receipt is known ("order of meaning, not arrival").

Refunds come in two shapes: a single refund (`cumulative=False`, keyed by the provider's refund
id) and a running total reported by the provider (`cumulative=True`, e.g. Stripe's
`charge.amount_refunded`). Both are lower bounds of what has been refunded, so the refunded
amount is the larger of the sum of single refunds and the largest running total: nothing is
counted twice when both report the same refund.

Pure: no Django, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Standing(StrEnum):
    """Mirrors `Payment.Status` values that settlement can produce."""

    PENDING = "pending"  # nothing received yet
    PART_PAID = "part_paid"  # less than the amount due received: a case manager follows up
    SUCCEEDED = "succeeded"  # exactly the amount due, net of refunds
    OVERPAID = "overpaid"  # more than the amount due: a case manager refunds the excess
    PARTIALLY_REFUNDED = "part_refunded"  # was paid, part of it went back
    REFUNDED = "refunded"  # everything received went back


PAID_STANDINGS = frozenset({Standing.SUCCEEDED, Standing.OVERPAID})

# Facts that take money back from a payment: a refund we make, a chargeback the card holder's bank
# makes (the money is gone either way; the ledger charges a chargeback fee on top).
RETURNS = frozenset({"refund", "chargeback"})


@dataclass(frozen=True)
class MoneyFact:
    key: str  # unique per fact: "stripe:pi_…", "bank:<line key>", "stripe-refund:re_…"
    kind: str  # "receipt", "refund" or "chargeback" (a card dispute lost: counted as a refund)
    amount: Decimal
    currency: str
    cumulative: bool = False


@dataclass(frozen=True)
class Settlement:
    standing: Standing
    received: Decimal
    refunded: Decimal
    outstanding: Decimal  # amount due minus net received; negative when overpaid
    ignored: tuple[str, ...]  # keys of facts not counted, each with its reason

    @property
    def paid(self) -> bool:
        return self.standing in PAID_STANDINGS


def settle(amount_due: Decimal, currency: str, facts: Iterable[MoneyFact]) -> Settlement:
    seen: dict[str, MoneyFact] = {}
    ignored = []
    for fact in facts:
        if fact.key in seen:
            continue  # the same fact delivered again
        seen[fact.key] = fact
        if fact.currency != currency:
            ignored.append(f"{fact.key}: currency {fact.currency}, payment is in {currency}")
        elif fact.amount < 0:
            ignored.append(f"{fact.key}: negative amount {fact.amount}")
    counted = [fact for fact in seen.values() if fact.currency == currency and fact.amount >= 0]
    received = sum((f.amount for f in counted if f.kind == "receipt"), Decimal(0))
    single = sum((f.amount for f in counted if f.kind in RETURNS and not f.cumulative), Decimal(0))
    running = max((f.amount for f in counted if f.kind == "refund" and f.cumulative), default=0)
    refunded = max(single, Decimal(running))
    net = received - refunded
    if received == 0:
        standing = Standing.PENDING
    elif net <= 0:
        standing = Standing.REFUNDED
    elif net < amount_due:
        standing = Standing.PARTIALLY_REFUNDED if refunded > 0 else Standing.PART_PAID
    elif net > amount_due:
        standing = Standing.OVERPAID
    else:
        standing = Standing.SUCCEEDED
    return Settlement(standing, received, refunded, amount_due - net, tuple(ignored))
