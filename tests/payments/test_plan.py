from datetime import date
from decimal import Decimal

import pytest

from fairclaim.payments.plan import PlanError, add_months, instalment_plan, split_amount
from fairclaim.rules.deadlines import closed_by
from fairclaim.rules.money import Money


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


@pytest.mark.parametrize("total", ["100.00", "0.06", "999.99", "1234.57", "300.00"])
@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 6])
def test_instalments_sum_exactly_to_the_total(total, count):
    parts = split_amount(eur(total), count)
    assert sum(p.amount for p in parts) == Decimal(total)
    assert all(p.amount == p.amount.quantize(Decimal("0.01")) for p in parts)
    assert max(p.amount for p in parts) - min(p.amount for p in parts) < Decimal("0.01") * count


def test_leftover_cents_go_on_the_first_instalment():
    assert [p.amount for p in split_amount(eur("100.00"), 3)] == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    ]


@pytest.mark.parametrize("count", [0, 7, -1])
def test_refuses_plans_outside_one_to_six(count):
    with pytest.raises(PlanError, match="between 1 and 6"):
        split_amount(eur("100.00"), count)


def test_refuses_a_total_too_small_to_split():
    with pytest.raises(PlanError, match="too small"):
        split_amount(eur("0.05"), 6)


def test_refuses_fractions_of_a_cent():
    with pytest.raises(PlanError, match="whole minor units"):
        split_amount(eur("10.005"), 2)


def test_month_end_is_clamped_not_skipped():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 1, 31), 2) == date(2026, 3, 31)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_due_dates_are_monthly_and_avoid_closed_days():
    # 2027-01-01 is a Friday holiday in the calendar below; 2027-02-01 is a Monday.
    plan = instalment_plan(eur("300.00"), 3, date(2027, 1, 1), closed_by([date(2027, 1, 1)]))
    assert [i.due_on for i in plan] == [date(2027, 1, 4), date(2027, 2, 1), date(2027, 3, 1)]
    assert [(i.number, i.count) for i in plan] == [(1, 3), (2, 3), (3, 3)]
