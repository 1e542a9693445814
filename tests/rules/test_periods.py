"""Calendar arithmetic: month ends, leap days, started months."""

from datetime import date

import pytest

from fairclaim.rules.periods import Period, add_months, add_years, without


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 15), 1, date(2026, 2, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2023, 11, 30), 3, date(2024, 2, 29)),
        (date(2026, 12, 31), 1, date(2027, 1, 31)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_add_months_clamps_to_the_last_day_of_a_shorter_month(day, months, expected):
    assert add_months(day, months) == expected


def test_add_years_from_a_leap_day_lands_on_28_february():
    assert add_years(date(2024, 2, 29), 3) == date(2027, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert add_years(date(2028, 2, 29), -10) == date(2018, 2, 28)


@pytest.mark.parametrize(
    ("start", "end", "months", "days"),
    [
        (date(2026, 1, 15), date(2026, 1, 15), 1, 1),
        (date(2026, 1, 15), date(2026, 2, 14), 1, 31),
        (date(2026, 1, 15), date(2026, 2, 15), 2, 32),
        (date(2026, 1, 15), date(2026, 11, 20), 11, 310),
        (date(2024, 11, 2), date(2026, 11, 20), 25, 749),
        (date(2028, 1, 31), date(2028, 2, 28), 1, 29),
        (date(2028, 1, 31), date(2028, 2, 29), 2, 30),
        (date(2025, 12, 31), date(2026, 1, 1), 1, 2),
    ],
)
def test_period_counts_started_months_and_days_inclusively(start, end, months, days):
    period = Period(start, end)
    assert period.started_months == months
    assert period.days == days


def test_period_refuses_end_before_start():
    with pytest.raises(ValueError, match="before it starts"):
        Period(date(2026, 2, 1), date(2026, 1, 31))


def test_clipping_a_period():
    period = Period(date(2026, 1, 1), date(2026, 12, 31))
    assert period.clipped_from(date(2026, 6, 1)) == Period(date(2026, 6, 1), date(2026, 12, 31))
    assert period.clipped_from(date(2025, 6, 1)) == period
    assert period.clipped_from(date(2027, 1, 1)) is None
    assert period.before(date(2026, 6, 1)) == Period(date(2026, 1, 1), date(2026, 5, 31))
    assert period.before(date(2026, 1, 1)) is None


@pytest.mark.parametrize(
    ("taken", "left"),
    [
        ([], [("2026-01-01", "2026-12-31")]),
        ([("2026-03-01", "2026-06-30")],
         [("2026-01-01", "2026-02-28"), ("2026-07-01", "2026-12-31")]),
        ([("2025-01-01", "2026-06-15")], [("2026-06-16", "2026-12-31")]),
        ([("2026-12-31", "2027-12-31")], [("2026-01-01", "2026-12-30")]),
        ([("2025-01-01", "2027-01-01")], []),
        ([("2026-02-01", "2026-02-28"), ("2026-01-15", "2026-02-10")],
         [("2026-01-01", "2026-01-14"), ("2026-03-01", "2026-12-31")]),
    ],
)  # fmt: skip
def test_without_leaves_the_days_nothing_covers(taken, left):
    def p(a, b):
        return Period(date.fromisoformat(a), date.fromisoformat(b))

    result = without(p("2026-01-01", "2026-12-31"), [p(a, b) for a, b in taken])
    assert result == [p(a, b) for a, b in left]
