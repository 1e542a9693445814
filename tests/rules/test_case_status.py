"""The status a recipient is shown, for every case state: no deadline that does not run or has
passed, no step that is closed."""

from datetime import date

import pytest

from fairclaim.rules.case_states import CaseState
from fairclaim.rules.case_status import case_status

TODAY = date(2026, 12, 4)
FUTURE, PAST = date(2026, 12, 18), date(2026, 12, 1)


@pytest.mark.parametrize("state", list(CaseState))
def test_every_state_has_a_status_and_never_a_past_deadline(state):
    status = case_status(state, PAST, TODAY)
    assert status.respond_by is None
    assert status.code


@pytest.mark.parametrize(
    "state", ["resolved_paid", "resolved_licensed", "defence_upheld", "withdrawn"]
)
def test_a_closed_case_asks_for_nothing(state):
    status = case_status(state, FUTURE, TODAY)
    assert status.respond_by is None
    assert not status.open_steps
    assert status.code == ("closed" if state == "withdrawn" else "resolved")


def test_an_open_notice_asks_for_a_reply_by_its_deadline():
    status = case_status("notice_sent", FUTURE, TODAY)
    assert (status.code, status.respond_by) == ("respond", FUTURE)
    assert (status.may_show_licence, status.may_raise_defence, status.may_pay) == (True,) * 3


@pytest.mark.parametrize("state", ["licence_review", "defence_review"])
def test_a_review_pauses_the_deadline(state):
    status = case_status(state, FUTURE, TODAY)
    assert (status.code, status.respond_by) == ("under_review", None)


def test_an_escalated_case_shows_no_deadline_and_can_still_be_settled():
    status = case_status("escalated", FUTURE, TODAY)
    assert (status.code, status.respond_by, status.may_pay) == ("escalated", None, True)


def test_an_overdue_case_shows_no_date_but_keeps_every_step():
    status = case_status("overdue", PAST, TODAY)
    assert (status.code, status.respond_by) == ("overdue", None)
    assert (status.may_show_licence, status.may_raise_defence, status.may_pay) == (True,) * 3
