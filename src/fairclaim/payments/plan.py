"""Instalment plans as plain values: how a total splits into instalments and when each falls due.

Pure: no Django, no clock (callers pass the first due date). Money is `rules.money.Money`
(Decimal); the split rounds down to the currency's minor unit and puts the remaining minor units
on the first instalment, so the parts always sum exactly to the total and no instalment is
larger than another by more than those few units.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN

from fairclaim.rules.deadlines import Closed, next_open_day
from fairclaim.rules.money import Money, quantum

MIN_INSTALMENTS = 1  # 1 = pay at once
MAX_INSTALMENTS = 6  # the portal offers 2–6 monthly instalments; longer plans need a case manager


class PlanError(ValueError):
    """An instalment plan that cannot be made; the message names the limit."""


@dataclass(frozen=True)
class Instalment:
    number: int  # 1-based
    count: int
    amount: Money
    due_on: date


def split_amount(total: Money, count: int) -> list[Money]:
    """`total` in `count` parts of whole minor units that sum exactly to `total`."""
    if not MIN_INSTALMENTS <= count <= MAX_INSTALMENTS:
        raise PlanError(
            f"instalments must be between {MIN_INSTALMENTS} and {MAX_INSTALMENTS}, got {count}"
        )
    step = quantum(total.currency)
    if total.amount <= 0:
        raise PlanError(f"a plan needs a positive total, got {total.amount} {total.currency}")
    if total.amount != total.amount.quantize(step):
        raise PlanError(f"total {total.amount} is not in whole minor units of {total.currency}")
    part = (total.amount / count).quantize(step, rounding=ROUND_DOWN)
    if part <= 0:
        raise PlanError(f"{total.amount} {total.currency} is too small for {count} instalments")
    first = total.amount - part * (count - 1)
    return [Money(first, total.currency)] + [Money(part, total.currency)] * (count - 1)


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later, clamped to the month's last day (31 Jan → 28
    Feb), so a plan never skips a month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def instalment_plan(
    total: Money, count: int, first_due: date, closed: Closed | None = None
) -> list[Instalment]:
    """The plan: instalment n falls due n-1 months after `first_due`, moved forward past days the
    recipient is closed (weekends, public holidays; product rule 5, docs/architecture.md) when
    `closed` is given."""
    parts = split_amount(total, count)
    plan = []
    for index, amount in enumerate(parts):
        due = add_months(first_due, index)
        if closed is not None:
            due = next_open_day(due, closed)
        plan.append(Instalment(index + 1, count, amount, due))
    return plan
