"""Limitation per day of use: US §507(b) (discovery rule), German §199 BGB, UK LA 1980 s.2."""

from datetime import date

import pytest

from fairclaim.rules.limitation import de_limitation, uk_limitation, us_limitation
from fairclaim.rules.periods import Period

D = date


@pytest.mark.parametrize(
    ("use", "discovered", "today", "claimable"),
    [
        # discovered exactly three years ago: the whole use is still timely (Nealy)
        (
            (D(2020, 1, 1), D(2026, 11, 1)),
            D(2023, 11, 28),
            D(2026, 11, 28),
            (D(2020, 1, 1), D(2026, 11, 1)),
        ),
        # one day more: only acts of the last three years remain
        (
            (D(2020, 1, 1), D(2026, 11, 1)),
            D(2023, 11, 27),
            D(2026, 11, 28),
            (D(2023, 11, 28), D(2026, 11, 1)),
        ),
        # leap-day discovery: three years end on 28 Feb 2027
        (
            (D(2024, 1, 1), D(2024, 12, 31)),
            D(2024, 2, 29),
            D(2027, 2, 28),
            (D(2024, 1, 1), D(2024, 12, 31)),
        ),
        (
            (D(2024, 1, 1), D(2024, 12, 31)),
            D(2024, 2, 29),
            D(2027, 3, 1),
            (D(2024, 3, 1), D(2024, 12, 31)),
        ),
        # everything older than three years and discovered long ago: barred
        ((D(2022, 1, 1), D(2023, 6, 30)), D(2022, 2, 1), D(2026, 11, 28), None),
        # the last day of use exactly three years ago is still timely
        (
            (D(2022, 1, 1), D(2023, 11, 28)),
            D(2022, 2, 1),
            D(2026, 11, 28),
            (D(2023, 11, 28), D(2023, 11, 28)),
        ),
    ],
)
def test_us_507b_discovery_rule(use, discovered, today, claimable):
    result = us_limitation(Period(*use), discovered, today)
    assert result.claimable == (Period(*claimable) if claimable else None)
    assert result.fully_barred is (claimable is None)


def test_us_newest_act_is_timely_three_years_after_its_later_of_act_and_discovery():
    result = us_limitation(Period(D(2026, 1, 15), D(2026, 11, 20)), D(2026, 1, 15), D(2026, 11, 28))
    assert result.newest_act_barred_after == D(2029, 11, 20)
    assert result.days_left(D(2026, 11, 28)) == 1088


@pytest.mark.parametrize(
    ("use", "discovered", "today", "claimable", "full"),
    [
        # knowledge in 2023: regular period ends 31 Dec 2026 for every day
        ((D(2022, 6, 1), D(2026, 6, 30)), D(2023, 3, 1), D(2026, 12, 31),
         (D(2022, 6, 1), D(2026, 6, 30)), (D(2022, 6, 1), D(2026, 6, 30))),
        # one day later (year end passed): days of 2022 and 2023 keep only the residual claim
        ((D(2022, 6, 1), D(2026, 6, 30)), D(2023, 3, 1), D(2027, 1, 1),
         (D(2022, 6, 1), D(2026, 6, 30)), (D(2024, 1, 1), D(2026, 6, 30))),
        # late knowledge keeps old days regular, but the ten-year cap cuts from arising
        ((D(2015, 5, 1), D(2026, 6, 30)), D(2026, 2, 1), D(2026, 11, 28),
         (D(2016, 11, 28), D(2026, 6, 30)), (D(2016, 11, 28), D(2026, 6, 30))),
        # only the last day is within ten years; it is residual-only (knowledge long ago)
        ((D(2014, 1, 1), D(2016, 11, 28)), D(2015, 1, 1), D(2026, 11, 28),
         (D(2016, 11, 28), D(2016, 11, 28)), None),
        # everything older than ten years: barred
        ((D(2014, 1, 1), D(2016, 11, 27)), D(2015, 1, 1), D(2026, 11, 28), None, None),
        # leap day: on 29 Feb 2028 the day 28 Feb 2018 is past ten years, 1 Mar 2018 is not
        ((D(2018, 2, 1), D(2018, 3, 31)), D(2026, 1, 1), D(2028, 2, 29),
         (D(2018, 3, 1), D(2018, 3, 31)), (D(2018, 3, 1), D(2018, 3, 31))),
    ],
)  # fmt: skip
def test_de_199_bgb_per_day_with_residual_claim_and_ten_year_cap(
    use, discovered, today, claimable, full
):
    result = de_limitation(Period(*use), discovered, today)
    assert result.claimable == (Period(*claimable) if claimable else None)
    assert result.full_claim == (Period(*full) if full else None)


def test_de_residual_days_are_the_claimable_days_before_the_regular_ones():
    result = de_limitation(Period(D(2022, 6, 1), D(2026, 6, 30)), D(2023, 3, 1), D(2027, 1, 1))
    assert result.residual_only_days == Period(D(2022, 6, 1), D(2023, 12, 31))
    assert result.partly_barred is False  # every day still yields at least the licence fee


def test_de_regular_period_ends_on_31_december_three_years_after_the_later_year():
    result = de_limitation(Period(D(2025, 3, 1), D(2026, 6, 30)), D(2025, 3, 10), D(2026, 11, 28))
    assert result.newest_act_barred_after == D(2029, 12, 31)
    result = de_limitation(Period(D(2020, 3, 1), D(2020, 6, 30)), D(2022, 12, 31), D(2025, 12, 31))
    assert result.newest_act_barred_after == D(2025, 12, 31)
    assert result.days_left(D(2025, 12, 31)) == 0


@pytest.mark.parametrize(
    ("use", "today", "claimable"),
    [
        ((D(2019, 1, 1), D(2026, 11, 20)), D(2026, 11, 28), (D(2020, 11, 28), D(2026, 11, 20))),
        ((D(2019, 1, 1), D(2020, 11, 27)), D(2026, 11, 28), None),
        ((D(2021, 1, 1), D(2026, 11, 20)), D(2026, 11, 28), (D(2021, 1, 1), D(2026, 11, 20))),
    ],
)
def test_uk_six_years_per_day(use, today, claimable):
    result = uk_limitation(Period(*use), today)
    assert result.claimable == (Period(*claimable) if claimable else None)
