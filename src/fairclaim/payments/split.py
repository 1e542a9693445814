"""How money collected for a case is shared: the rights holder's share, the platform's commission
and third-party costs, as a balanced set of ledger postings. Pure: no Django, no clock.

The split is a function of everything booked for one payment so far (receipts, refunds,
chargebacks), not of the latest fact alone: the ledger posts the difference between the split of
all facts and what it posted before. A refund or a chargeback therefore reverses exactly the share
and commission it took away, a retried fact changes nothing, and rounding never drifts across
partial payments.

Costs and who bears them (the rights holder's agreement says):
- card fees: `card_fee_percent` of each card receipt plus `card_fee_fixed`, and
  `chargeback_fee` per chargeback. The card processor keeps its fee when money goes back, so
  fees are charged on receipts, not on what is kept.
- law-firm fees: `law_firm_fee_percent` of what is kept on a case escalated to a law firm.
- bearer `rights_holder`: deducted from the rights holder's share after commission;
  `platform`: paid out of the commission; `shared`: deducted from the collected amount before
  the commission is taken, so both bear it in proportion to the split.

Accounts (double entry; debit positive, credit negative, every entry sums to zero):
- `collected`       asset: money held on the trust account or provider balance (debit)
- `rights_holder`   liability: owed to the rights holder (credit); paid out by a payout run
- `commission`      income: the platform's commission (credit)
- `costs_payable`   liability: owed to card processors and law firms (credit)
- `platform_costs`  expense: costs the platform bears (debit)

Invariant (tested): rights holder share + commission + costs borne by the rights holder or
shared = collected, to the cent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


class Bearer(StrEnum):
    RIGHTS_HOLDER = "rights_holder"
    PLATFORM = "platform"
    SHARED = "shared"


class Account(StrEnum):
    COLLECTED = "collected"
    RIGHTS_HOLDER = "rights_holder"
    COMMISSION = "commission"
    COSTS_PAYABLE = "costs_payable"
    PLATFORM_COSTS = "platform_costs"


@dataclass(frozen=True)
class Terms:
    """The commercial part of an agreement, as plain values."""

    commission_percent: Decimal
    card_fee_percent: Decimal = Decimal(0)
    card_fee_fixed: Decimal = Decimal(0)
    chargeback_fee: Decimal = Decimal(0)
    card_costs_bearer: Bearer = Bearer.RIGHTS_HOLDER
    law_firm_fee_percent: Decimal = Decimal(0)
    law_firm_costs_bearer: Bearer = Bearer.SHARED

    def as_json(self) -> dict[str, str]:
        """Decimals as their exact text (JSON has no decimal type)."""
        return {name: str(value) for name, value in self.__dict__.items()}

    @classmethod
    def from_json(cls, data: Mapping[str, str]) -> Terms:
        bearers = {"card_costs_bearer", "law_firm_costs_bearer"}
        return cls(
            **{
                name: Bearer(value) if name in bearers else Decimal(value)
                for name, value in data.items()
            }
        )


@dataclass(frozen=True)
class Collection:
    """What was booked for one payment, as `payments.settlement.settle` counted it."""

    receipts: tuple[Decimal, ...]  # each receipt counted once
    returned: Decimal  # refunded, including chargebacks
    chargebacks: int = 0
    card: bool = False  # paid through the card processor (card fees apply)


@dataclass(frozen=True)
class Split:
    collected: Decimal  # kept from the recipient: receipts minus refunds and chargebacks
    commission: Decimal
    card_fees: Decimal
    law_firm_fees: Decimal
    rights_holder_costs: (
        Decimal  # costs deducted from the rights holder's share (incl. shared part)
    )
    platform_costs: Decimal  # costs the platform pays out of its commission
    rights_holder_share: Decimal

    @property
    def costs(self) -> Decimal:
        return self.card_fees + self.law_firm_fees

    def postings(self) -> dict[Account, Decimal]:
        """The balanced postings of this split (debit positive)."""
        return {
            Account.COLLECTED: self.collected,
            Account.PLATFORM_COSTS: self.platform_costs,
            Account.RIGHTS_HOLDER: -self.rights_holder_share,
            Account.COMMISSION: -self.commission,
            Account.COSTS_PAYABLE: -self.costs,
        }


def cents(amount: Decimal) -> Decimal:
    """Half up to the cent (the rule of rules.money), the one rounding of this module."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    return cents(amount * percent / HUNDRED)


def split(collection: Collection, terms: Terms, *, escalated: bool = False) -> Split:
    """The split of everything booked for one payment."""
    collected = sum(collection.receipts, Decimal(0)) - collection.returned
    card_fees = Decimal(0)
    if collection.card:
        card_fees = sum(
            (
                percent_of(r, terms.card_fee_percent) + terms.card_fee_fixed
                for r in collection.receipts
            ),
            Decimal(0),
        )
    card_fees += terms.chargeback_fee * collection.chargebacks
    law_firm_fees = Decimal(0)
    if escalated and collected > 0:
        law_firm_fees = percent_of(collected, terms.law_firm_fee_percent)
    borne = dict.fromkeys(Bearer, Decimal(0))
    borne[terms.card_costs_bearer] += card_fees
    borne[terms.law_firm_costs_bearer] += law_firm_fees
    base = collected - borne[Bearer.SHARED]
    commission = percent_of(base, terms.commission_percent)
    share = base - commission - borne[Bearer.RIGHTS_HOLDER]
    return Split(
        collected=collected,
        commission=commission,
        card_fees=card_fees,
        law_firm_fees=law_firm_fees,
        rights_holder_costs=borne[Bearer.RIGHTS_HOLDER] + borne[Bearer.SHARED],
        platform_costs=borne[Bearer.PLATFORM],
        rights_holder_share=share,
    )


def difference(
    target: Mapping[Account, Decimal], posted: Mapping[Account, Decimal]
) -> dict[Account, Decimal]:
    """Postings that bring `posted` to `target`; empty when nothing changed. Balanced when both
    are."""
    delta = {
        account: target.get(account, Decimal(0)) - posted.get(account, Decimal(0))
        for account in Account
    }
    return {account: amount for account, amount in delta.items() if amount != 0}


def is_balanced(postings: Mapping[Account, Decimal]) -> bool:
    return sum(postings.values(), Decimal(0)) == 0
