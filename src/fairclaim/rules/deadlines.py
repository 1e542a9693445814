"""Deadlines and reminders a recipient can live with (product rule 5, docs/architecture.md).

The one definition of: the notice period per jurisdiction (`cadence_for`), the reminder periods
(`reminder_deadline`, used by `schedule` and by the app's reminder job), and the recipient's
calendar with its fallback (`public_closed_days`). Letters, reminders, instalment plans, the
portal's paused clock and `fairclaim rules check` all take their days from here.

Why: short deadlines (14 days, 5 business days) set over holidays and repeated reminders are
what recipients of image-rights demands complain of most; regulators (Italy's AGCM, 2023/2024)
named short deadlines among the unfair practices. So: a floor on the period, deadlines moved off
the recipient's weekends and public holidays, a cap on reminders, a clock that stands still
while a defence is reviewed.
Pure: callers pass `today` and a `closed` predicate; `public_closed_days` builds one from the
`holidays` package (its data ships inside the package; nothing is fetched).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

Closed = Callable[[date], bool]

# No notice period shorter than this, whatever a rights holder configures (5 business days and
# 14 days were what recipients complained of; 14 calendar days is the floor, not the norm).
MINIMUM_DAYS = 14
# Notice period by the claim's law; GB and UK are one. Others get MINIMUM_DAYS.
DEFAULT_DAYS_BY_JURISDICTION = {"DE": 14, "US": 21, "GB": 14, "UK": 14, "AT": 14, "CH": 14}
# Each reminder gives at least this long again, and the gaps grow (7, 14, 21 ...).
REMINDER_BASE_DAYS = 7
MAX_REMINDERS = 2  # repeated reminders are a pressure tactic; two is the cap by default


@dataclass(frozen=True)
class CadencePolicy:
    notice_days: int = MINIMUM_DAYS
    reminder_base_days: int = REMINDER_BASE_DAYS
    max_reminders: int = MAX_REMINDERS

    def __post_init__(self) -> None:
        if self.notice_days < MINIMUM_DAYS:
            raise ValueError(f"notice period {self.notice_days} days is below {MINIMUM_DAYS}")
        if self.max_reminders < 0 or self.reminder_base_days < 1:
            raise ValueError("reminders need a positive interval and a non-negative cap")


def weekend(day: date) -> bool:
    return day.weekday() >= 5


def closed_by(holiday_dates: Iterable[date]) -> Closed:
    """Weekends plus the given public holidays (a literal calendar, for tests and overrides)."""
    dates = frozenset(holiday_dates)
    return lambda day: weekend(day) or day in dates


def cadence_for(jurisdiction: str | None) -> CadencePolicy:
    """The notice and reminder policy for a claim under `jurisdiction`'s law."""
    code = (jurisdiction or "").upper()
    return CadencePolicy(notice_days=DEFAULT_DAYS_BY_JURISDICTION.get(code, MINIMUM_DAYS))


@dataclass(frozen=True)
class Calendar:
    """Which holiday calendar a `Closed` predicate used: the fallback is visible, not silent."""

    country: str | None  # None: weekends only (no country, or none the package knows)
    subdivision: str | None


def holiday_calendar(country: str | None, subdivision: str | None = None) -> Calendar:
    """The calendar `public_closed_days` uses for these inputs, after the one fallback rule:
    GB/UK without a subdivision is England; an unknown subdivision falls back to the national
    calendar; no country, or one the `holidays` package does not know, is weekends only."""
    code = (country or "").strip().upper()
    code = "GB" if code == "UK" else code
    sub = (subdivision or "").strip().upper() or None
    supported = _supported()
    if not code or code not in supported:
        return Calendar(None, None)
    if code == "GB" and sub is None:
        sub = "ENG"
    if sub is not None and sub not in supported[code]:
        sub = "ENG" if code == "GB" else None
    return Calendar(code, sub)


@lru_cache(maxsize=1)
def _supported() -> dict[str, list[str]]:
    import holidays

    return dict(holidays.list_supported_countries())


@lru_cache(maxsize=256)
def _holidays_of(code: str, sub: str | None) -> Any:
    import holidays

    return holidays.country_holidays(code, subdiv=sub)


def public_closed_days(country: str | None, subdivision: str | None = None) -> Closed:
    """Weekends plus the public holidays of `country` (ISO code; GB and UK both mean England
    unless `subdivision` says otherwise) and of its `subdivision` (state, Land, nation), from
    the `holidays` package. Never raises for an unknown place: see `holiday_calendar`."""
    calendar = holiday_calendar(country, subdivision)
    if calendar.country is None:
        return weekend
    days = _holidays_of(calendar.country, calendar.subdivision)
    return lambda day: weekend(day) or day in days


def holiday_name(day: date, country: str | None, subdivision: str | None = None) -> str | None:
    """The public holiday on `day` in that calendar ("Christmas Day"), or None."""
    calendar = holiday_calendar(country, subdivision)
    if calendar.country is None:
        return None
    name = _holidays_of(calendar.country, calendar.subdivision).get(day)
    return str(name) if name else None


def next_open_day(day: date, closed: Closed) -> date:
    while closed(day):
        day += timedelta(days=1)
    return day


def deadline(start: date, days: int, closed: Closed) -> date:
    """`days` calendar days after `start`, moved forward to a day the recipient is open."""
    if days < MINIMUM_DAYS:
        raise ValueError(f"notice period {days} days is below {MINIMUM_DAYS}")
    return next_open_day(start + timedelta(days=days), closed)


@dataclass(frozen=True)
class Reminder:
    number: int
    send_on: date
    deadline: date


@dataclass(frozen=True)
class Schedule:
    notice_deadline: date
    reminders: tuple[Reminder, ...] = field(default_factory=tuple)

    @property
    def final_deadline(self) -> date:
        return self.reminders[-1].deadline if self.reminders else self.notice_deadline


def reminder_deadline(
    sent_on: date, number: int, closed: Closed, policy: CadencePolicy | None = None
) -> date:
    """The deadline reminder `number` (1, 2 ...) sent on `sent_on` gives: base × number days,
    moved to a day the recipient is open. Each reminder gives longer than the one before."""
    if number < 1:
        raise ValueError("reminders are numbered from 1")
    base = (policy or CadencePolicy()).reminder_base_days
    return next_open_day(sent_on + timedelta(days=base * number), closed)


def schedule(sent_on: date, policy: CadencePolicy, closed: Closed) -> Schedule:
    """The notice deadline and each reminder: sent the open day after the previous deadline,
    each giving a longer period than the last (base × n days, at least one week)."""
    first = deadline(sent_on, policy.notice_days, closed)
    reminders = []
    previous = first
    for number in range(1, policy.max_reminders + 1):
        send_on = next_open_day(previous + timedelta(days=1), closed)
        due = reminder_deadline(send_on, number, closed, policy)
        reminders.append(Reminder(number, send_on, due))
        previous = due
    return Schedule(first, tuple(reminders))


def resumed_deadline(original: date, paused_on: date, resumed_on: date, closed: Closed) -> date:
    """A deadline after the clock stood still from `paused_on` to `resumed_on` (a defence or a
    licence proof under review): every paused day is given back, and the result is an open day."""
    if resumed_on < paused_on:
        raise ValueError("the clock cannot resume before it paused")
    if paused_on > original:
        return original  # paused after the deadline had passed: nothing to give back
    return next_open_day(original + (resumed_on - paused_on), closed)
