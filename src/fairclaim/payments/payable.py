"""What a payout run pays one rights holder: the balance owed, unless it is below the agreed
minimum, negative, or there is no valid account to pay it to. Pure: no Django, no clock."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Outcome(StrEnum):
    PAID = "paid"
    BELOW_MINIMUM = "below_minimum"  # carried to the next run
    NO_ACCOUNT = "no_account"  # carried until a valid IBAN/BIC is on the agreement
    NOTHING_DUE = "nothing_due"  # zero or negative (costs exceeded shares): carried
    OTHER_CURRENCY = "other_currency"  # held in a currency the agreement does not pay out in


@dataclass(frozen=True)
class Payable:
    previous_balance: Decimal  # owed before this run (negative: the rights holder owes costs)
    period: Decimal  # shares minus costs booked since the last run, up to the cut-off
    closing: Decimal  # previous_balance + period
    paid: Decimal
    carried: Decimal  # closing - paid, the next run's previous balance
    outcome: Outcome


def payable(
    previous_balance: Decimal,
    period: Decimal,
    *,
    minimum: Decimal,
    account_ok: bool,
    payout_currency: bool = True,
) -> Payable:
    closing = previous_balance + period
    if not payout_currency:
        outcome = Outcome.OTHER_CURRENCY
    elif closing <= 0:
        outcome = Outcome.NOTHING_DUE
    elif closing < minimum:
        outcome = Outcome.BELOW_MINIMUM
    elif not account_ok:
        outcome = Outcome.NO_ACCOUNT
    else:
        outcome = Outcome.PAID
    paid = closing if outcome == Outcome.PAID else Decimal(0)
    return Payable(previous_balance, period, closing, paid, closing - paid, outcome)
