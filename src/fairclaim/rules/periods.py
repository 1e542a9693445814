"""Calendar arithmetic the legal rules share: adding months/years, counting started months.

Pure date functions; no clock. Month and year arithmetic clamps to the last day of a shorter month
(31 Jan + 1 month = 28/29 Feb; 29 Feb + 1 year = 28 Feb), the way §188(3) BGB ends a period and the
way US courts read an anniversary that does not exist.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def end_of_year(year: int) -> date:
    return date(year, 12, 31)


@dataclass(frozen=True)
class Period:
    """A run of whole days, both ends included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends {self.end} before it starts {self.start}")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def started_months(self) -> int:
        """Calendar months begun, counting from `start`: 15 Jan–14 Feb is 1, 15 Jan–15 Feb is 2."""
        months = 1
        while add_months(self.start, months) <= self.end:
            months += 1
        return months

    def clipped_from(self, start: date) -> Period | None:
        """The part of this period on or after `start`; None when nothing is left."""
        if start > self.end:
            return None
        return Period(max(self.start, start), self.end)

    def before(self, day: date) -> Period | None:
        """The part of this period strictly before `day`; None when nothing is left."""
        if day <= self.start:
            return None
        return Period(self.start, min(self.end, day - timedelta(days=1)))


def without(period: Period, taken: list[Period]) -> list[Period]:
    """The parts of `period` that no period in `taken` covers, in order (days, both ends
    included): 1 Jan–31 Dec without 1 Mar–30 Jun is [1 Jan–28 Feb, 1 Jul–31 Dec]."""
    left = [period]
    for cut in sorted(taken, key=lambda p: p.start):
        remaining = []
        for part in left:
            if cut.end < part.start or cut.start > part.end:
                remaining.append(part)
                continue
            if cut.start > part.start:
                remaining.append(Period(part.start, cut.start - timedelta(days=1)))
            if cut.end < part.end:
                remaining.append(Period(cut.end + timedelta(days=1), part.end))
        left = remaining
    return left
