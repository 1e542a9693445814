"""Deadlines never end on a weekend or public holiday; reminders are capped and grow apart."""

from datetime import date

import pytest

from fairclaim.rules.deadlines import (
    CadencePolicy,
    Reminder,
    closed_by,
    deadline,
    public_closed_days,
    resumed_deadline,
    schedule,
)

NO_HOLIDAYS = closed_by([])
# A literal German Christmas: 25 and 26 December 2026 (Friday, Saturday), New Year 2027 (Friday).
GERMAN_WINTER = closed_by([date(2026, 12, 25), date(2026, 12, 26), date(2027, 1, 1)])


@pytest.mark.parametrize(
    ("start", "days", "closed", "expected"),
    [
        (date(2026, 11, 2), 14, NO_HOLIDAYS, date(2026, 11, 16)),  # Monday → Monday
        (date(2026, 11, 7), 14, NO_HOLIDAYS, date(2026, 11, 23)),  # lands Saturday → Monday
        (date(2026, 12, 11), 14, GERMAN_WINTER, date(2026, 12, 28)),  # Christmas Friday → Monday
        (date(2026, 12, 18), 14, GERMAN_WINTER, date(2027, 1, 4)),  # New Year Friday → Monday
        (date(2028, 2, 15), 14, NO_HOLIDAYS, date(2028, 2, 29)),  # leap day is a Tuesday
    ],
)
def test_deadline_moves_to_the_next_open_day(start, days, closed, expected):
    assert deadline(start, days, closed) == expected


def test_refuses_a_notice_period_under_fourteen_days():
    with pytest.raises(ValueError, match="below 14"):
        deadline(date(2026, 1, 5), 5, NO_HOLIDAYS)
    with pytest.raises(ValueError, match="below 14"):
        CadencePolicy(notice_days=10)


def test_real_public_holidays_of_the_recipients_country():
    germany, england = public_closed_days("DE"), public_closed_days("UK")
    assert germany(date(2026, 10, 3))  # Tag der Deutschen Einheit (a Saturday anyway)
    assert germany(date(2026, 12, 25))
    assert germany(date(2026, 12, 26))
    assert england(date(2026, 12, 28))  # Boxing Day observed on Monday
    assert not germany(date(2026, 12, 28))
    assert deadline(date(2026, 12, 14), 14, england) == date(2026, 12, 29)
    assert deadline(date(2026, 12, 14), 14, germany) == date(2026, 12, 28)


def test_reminders_are_capped_and_each_gives_longer():
    plan = schedule(date(2026, 11, 2), CadencePolicy(max_reminders=2), NO_HOLIDAYS)
    assert plan.notice_deadline == date(2026, 11, 16)
    assert plan.reminders == (
        Reminder(1, send_on=date(2026, 11, 17), deadline=date(2026, 11, 24)),
        Reminder(2, send_on=date(2026, 11, 25), deadline=date(2026, 12, 9)),
    )
    assert plan.final_deadline == date(2026, 12, 9)


def test_no_reminder_is_sent_or_due_on_a_holiday():
    plan = schedule(date(2026, 12, 10), CadencePolicy(max_reminders=2), GERMAN_WINTER)
    days = [plan.notice_deadline] + [d for r in plan.reminders for d in (r.send_on, r.deadline)]
    assert not any(GERMAN_WINTER(day) for day in days)
    assert plan.notice_deadline == date(2026, 12, 24)
    assert plan.reminders[0].send_on == date(2026, 12, 28)


def test_without_reminders_the_notice_deadline_is_final():
    plan = schedule(date(2026, 11, 2), CadencePolicy(max_reminders=0), NO_HOLIDAYS)
    assert (plan.reminders, plan.final_deadline) == ((), date(2026, 11, 16))


def test_a_paused_clock_gives_back_every_paused_day():
    # Deadline 16 Nov; defence raised 10 Nov, decided 20 Nov: ten days back → 26 Nov (Thursday).
    assert resumed_deadline(
        date(2026, 11, 16), date(2026, 11, 10), date(2026, 11, 20), NO_HOLIDAYS
    ) == date(2026, 11, 26)
    # Eleven days back lands on Friday 27 → stays; twelve → Saturday 28 → Monday 30.
    assert resumed_deadline(
        date(2026, 11, 16), date(2026, 11, 10), date(2026, 11, 22), NO_HOLIDAYS
    ) == date(2026, 11, 30)


def test_a_pause_after_the_deadline_changes_nothing_and_time_cannot_run_backwards():
    d = date(2026, 11, 16)
    assert resumed_deadline(d, date(2026, 11, 17), date(2026, 11, 30), NO_HOLIDAYS) == d
    with pytest.raises(ValueError, match="cannot resume before"):
        resumed_deadline(d, date(2026, 11, 10), date(2026, 11, 9), NO_HOLIDAYS)


@pytest.mark.parametrize(
    ("country", "subdivision", "calendar"),
    [
        ("DE", "BY", ("DE", "BY")),
        ("DE", None, ("DE", None)),
        ("DE", "ZZ", ("DE", None)),  # unknown state: the national calendar
        ("UK", None, ("GB", "ENG")),
        ("GB", "SCT", ("GB", "SCT")),
        ("ZZ", None, (None, None)),  # unknown country: weekends only
        ("", None, (None, None)),
        (None, None, (None, None)),
    ],
)
def test_one_holiday_calendar_fallback(country, subdivision, calendar):
    from fairclaim.rules.deadlines import holiday_calendar, public_closed_days

    found = holiday_calendar(country, subdivision)
    assert (found.country, found.subdivision) == calendar
    closed = public_closed_days(country, subdivision)  # never raises
    assert closed(date(2026, 12, 5))  # a Saturday everywhere


def test_reminder_deadline_is_the_one_the_schedule_uses():
    from fairclaim.rules.deadlines import cadence_for, reminder_deadline

    assert cadence_for("US").notice_days == 21
    assert cadence_for("GB").notice_days == cadence_for("UK").notice_days == 14
    assert cadence_for(None).notice_days == 14
    plan = schedule(date(2026, 11, 2), CadencePolicy(max_reminders=2), NO_HOLIDAYS)
    for reminder in plan.reminders:
        assert reminder.deadline == reminder_deadline(
            reminder.send_on, reminder.number, NO_HOLIDAYS
        )
