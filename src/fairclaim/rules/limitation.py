"""Limitation of claims for a continuing online use, per jurisdiction (pure; `today` passed in).

Each day of display is treated as its own act with its own period:
- US, 17 U.S.C. §507(b): three years after the claim accrued. Accrual follows the discovery rule
  most circuits apply (the later of the act and the owner's discovery); Warner Chappell Music v.
  Nealy, 601 U.S. 366 (2024): a timely claim recovers for the whole period, with no separate
  three-year look-back; Petrella v. MGM, 572 U.S. 663 (2014): each act starts its own period.
- Germany, §102 UrhG with §§195, 199 BGB: three years from the end of the year in which the claim
  arose and the owner learned of it; §199(3) No. 1 BGB caps damages claims at ten years from
  arising, whatever the owner knew. BGH I ZR 148/13 "Motorradteile" (15 Jan 2015): continuous
  display splits into days; for days whose regular period has ended, the residual claim (§102
  sentence 2 UrhG with §852 BGB, ten years) still yields the fictitious licence fee.
- UK, Limitation Act 1980 s.2: six years from accrual (tort); each day's display accrues
  separately.

A period whose last day falls on a day the courts are closed ends on the next open day (§193 BGB;
Fed. R. Civ. P. 6(a)(1)(C); in England, Pritam Kaur v S Russell & Sons Ltd [1973] QB 336). The
caller passes that calendar as `closed`; without one, no day is moved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from fairclaim.rules.periods import Period, add_years, end_of_year

Closed = Callable[[date], bool]

US_LIMITATION_YEARS = 3  # 17 U.S.C. §507(b)
DE_REGULAR_YEARS = 3  # §195 BGB
DE_CAP_YEARS = 10  # §199(3) No. 1 BGB; §852 BGB residual claim: 10 years from arising
UK_LIMITATION_YEARS = 6  # Limitation Act 1980 s.2
LIMITATION_WARNING_DAYS = 90  # a notice, its deadline and reminders take about this long; less
# than this left before the newest act is barred means the rights holder must decide on suit first

SOURCE_US = (
    "17 U.S.C. §507(b); Petrella v. MGM, 572 U.S. 663 (2014); Warner Chappell Music v. Nealy, "
    "601 U.S. 366 (2024); Fed. R. Civ. P. 6(a)"
)
SOURCE_DE = (
    "§102 UrhG; §§195, 199(1), 199(3) No. 1, 193, 852 BGB; BGH I ZR 148/13 Motorradteile "
    "(15 Jan 2015)"
)
SOURCE_UK = "Limitation Act 1980 s.2; Pritam Kaur v S Russell & Sons Ltd [1973] QB 336"


@dataclass(frozen=True)
class LimitationResult:
    """What of the use period may still be claimed, and how.

    `claimable`: days for which some claim survives (None: all barred).
    `full_claim`: days with the regular claim (damages incl. surcharges); in Germany, days of
    `claimable` outside it carry only the residual licence-fee claim. None when no day has it.
    `newest_act_barred_after`: last day on which suit for the newest day of use is timely.
    """

    jurisdiction: str
    use: Period
    claimable: Period | None
    full_claim: Period | None
    newest_act_barred_after: date

    @property
    def fully_barred(self) -> bool:
        return self.claimable is None

    @property
    def partly_barred(self) -> bool:
        return self.claimable is not None and self.claimable != self.use

    @property
    def residual_only_days(self) -> Period | None:
        if self.claimable is None:
            return None
        if self.full_claim is None:
            return self.claimable
        return self.claimable.before(self.full_claim.start)

    def days_left(self, today: date) -> int:
        return (self.newest_act_barred_after - today).days


def last_day(nominal: date, closed: Closed | None) -> date:
    """The last day of a period nominally ending on `nominal`, moved past closed court days."""
    day = nominal
    while closed is not None and closed(day):
        day += timedelta(days=1)
    return day


def us_limitation(
    use: Period, discovered_on: date, today: date, closed: Closed | None = None
) -> LimitationResult:
    """§507(b) with the discovery rule: an act is timely while today ≤ accrual + 3 years.

    Accrual of the act on day d is max(d, discovered_on). If discovery is within three years,
    every day of use is timely (Nealy); otherwise only acts of the last three years are.
    """
    if last_day(add_years(discovered_on, US_LIMITATION_YEARS), closed) >= today:
        claimable: Period | None = use
    else:
        claimable = use.clipped_from(_earliest_timely_day(today, US_LIMITATION_YEARS, closed))
    newest = last_day(add_years(max(use.end, discovered_on), US_LIMITATION_YEARS), closed)
    return LimitationResult("US", use, claimable, claimable, newest)


def uk_limitation(use: Period, today: date, closed: Closed | None = None) -> LimitationResult:
    """s.2 Limitation Act 1980: each day's display is actionable for six years."""
    claimable = use.clipped_from(_earliest_timely_day(today, UK_LIMITATION_YEARS, closed))
    newest = last_day(add_years(use.end, UK_LIMITATION_YEARS), closed)
    return LimitationResult("UK", use, claimable, claimable, newest)


def de_limitation(
    use: Period, discovered_on: date, today: date, closed: Closed | None = None
) -> LimitationResult:
    """§199 BGB per day of use (Motorradteile), with the ten-year cap and the residual claim.

    Day d's regular period ends on 31 Dec of (max(year of d, year of knowledge) + 3), and never
    later than ten years after d (§199(3) No. 1). Days whose regular period has ended keep the
    residual licence-fee claim (§852 BGB) while today ≤ d + 10 years.
    """
    knowledge_year = discovered_on.year
    # Days of year Y are regularly timely iff the period ending 31 Dec (max(Y, K) + 3) has not
    # run; only the year four back can still be open, when 31 Dec fell on a closed day.
    first_regular_year = today.year - DE_REGULAR_YEARS - 1
    if last_day(end_of_year(first_regular_year + DE_REGULAR_YEARS), closed) < today:
        first_regular_year += 1
    if knowledge_year >= first_regular_year:
        full_from = use.start
    else:
        full_from = date(first_regular_year, 1, 1)
    cap_from = _earliest_timely_day(today, DE_CAP_YEARS, closed)
    claimable = use.clipped_from(cap_from)
    full = claimable.clipped_from(full_from) if claimable is not None else None
    newest = min(
        last_day(end_of_year(max(use.end.year, knowledge_year) + DE_REGULAR_YEARS), closed),
        last_day(add_years(use.end, DE_CAP_YEARS), closed),
    )
    return LimitationResult("DE", use, claimable, full, newest)


def _earliest_timely_day(today: date, years: int, closed: Closed | None = None) -> date:
    """The earliest day d whose period (d + `years`, moved past closed days) ends on or after
    today."""

    def timely(day: date) -> bool:
        return last_day(add_years(day, years), closed) >= today

    candidate = add_years(today, -years)
    # Clamping (29 Feb) can make add_years(candidate, years) fall short of today by a day.
    while not timely(candidate):
        candidate += timedelta(days=1)
    # Step back while the previous day still qualifies (clamping maps two days onto one; a
    # period ending on a closed day runs on to the next open one).
    while timely(candidate - timedelta(days=1)):
        candidate -= timedelta(days=1)
    return candidate
