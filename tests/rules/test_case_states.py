"""Every state × event pair of the case flow, written out as literals."""

import itertools

import pytest

from fairclaim.rules.case_states import (
    CaseEvent,
    CaseState,
    IllegalTransition,
    UnknownEvent,
    UnknownState,
    allowed_events,
    clock_paused,
    is_terminal,
    next_state,
)

ALLOWED = {
    ("draft", "submitted_for_review"): "review",
    ("draft", "withdrawn"): "withdrawn",
    ("review", "returned_to_draft"): "draft",
    ("review", "notice_sent"): "notice_sent",
    ("review", "withdrawn"): "withdrawn",
    ("notice_sent", "reminder_sent"): "notice_sent",
    ("notice_sent", "licence_uploaded"): "licence_review",
    ("notice_sent", "defence_raised"): "defence_review",
    ("notice_sent", "offer_chosen"): "payment_pending",
    ("notice_sent", "deadline_passed"): "overdue",
    ("notice_sent", "withdrawn"): "withdrawn",
    ("licence_review", "licence_accepted"): "resolved_licensed",
    ("licence_review", "licence_rejected"): "notice_sent",
    ("licence_review", "withdrawn"): "withdrawn",
    ("defence_review", "defence_upheld"): "defence_upheld",
    ("defence_review", "defence_rejected"): "notice_sent",
    ("defence_review", "withdrawn"): "withdrawn",
    ("payment_pending", "offer_chosen"): "payment_pending",
    ("payment_pending", "payment_completed"): "resolved_paid",
    ("payment_pending", "plan_defaulted"): "notice_sent",
    ("payment_pending", "deadline_passed"): "overdue",
    ("payment_pending", "withdrawn"): "withdrawn",
    ("overdue", "licence_uploaded"): "licence_review",
    ("overdue", "defence_raised"): "defence_review",
    ("overdue", "offer_chosen"): "payment_pending",
    ("overdue", "escalated"): "escalated",
    ("overdue", "withdrawn"): "withdrawn",
    ("escalated", "licence_uploaded"): "escalated",
    ("escalated", "licence_accepted"): "resolved_licensed",
    ("escalated", "licence_rejected"): "escalated",
    ("escalated", "defence_raised"): "escalated",
    ("escalated", "defence_upheld"): "defence_upheld",
    ("escalated", "defence_rejected"): "escalated",
    ("escalated", "settled"): "resolved_paid",
    ("escalated", "withdrawn"): "withdrawn",
}

STATES = [
    "draft",
    "review",
    "notice_sent",
    "licence_review",
    "defence_review",
    "payment_pending",
    "overdue",
    "escalated",
    "resolved_paid",
    "resolved_licensed",
    "defence_upheld",
    "withdrawn",
]
EVENTS = [
    "submitted_for_review",
    "returned_to_draft",
    "notice_sent",
    "reminder_sent",
    "licence_uploaded",
    "licence_accepted",
    "licence_rejected",
    "defence_raised",
    "defence_upheld",
    "defence_rejected",
    "offer_chosen",
    "payment_completed",
    "plan_defaulted",
    "deadline_passed",
    "escalated",
    "settled",
    "withdrawn",
]
FORBIDDEN = [pair for pair in itertools.product(STATES, EVENTS) if pair not in ALLOWED]


def test_state_and_event_values_are_exactly_the_agreed_strings():
    assert [s.value for s in CaseState] == STATES
    assert [e.value for e in CaseEvent] == EVENTS


@pytest.mark.parametrize(("state", "event"), sorted(ALLOWED))
def test_allowed_transition_leads_to_expected_state(state, event):
    assert next_state(state, event) == ALLOWED[(state, event)]
    assert next_state(CaseState(state), CaseEvent(event)) is CaseState(ALLOWED[(state, event)])


@pytest.mark.parametrize(("state", "event"), FORBIDDEN)
def test_forbidden_transition_raises_illegal_transition_naming_both(state, event):
    with pytest.raises(IllegalTransition) as caught:
        next_state(state, event)
    assert caught.value.state == state
    assert caught.value.event == event
    assert repr(state) in str(caught.value)
    assert repr(event) in str(caught.value)


def test_every_pair_is_covered_once():
    assert len(ALLOWED) + len(FORBIDDEN) == 12 * 17


def test_withdrawal_is_possible_from_every_non_terminal_state():
    non_terminal = [s for s in STATES if not is_terminal(s)]
    assert len(non_terminal) == 8
    for state in non_terminal:
        assert next_state(state, "withdrawn") == "withdrawn"


def test_terminal_states_are_exactly_the_four_resolutions():
    assert {s for s in STATES if is_terminal(s)} == {
        "resolved_paid",
        "resolved_licensed",
        "defence_upheld",
        "withdrawn",
    }


def test_terminal_state_error_message_says_no_event_is_allowed():
    with pytest.raises(IllegalTransition, match=r"none \(terminal state\)"):
        next_state("resolved_paid", "withdrawn")


def test_allowed_events_lists_what_next_state_accepts():
    assert allowed_events("draft") == {"submitted_for_review", "withdrawn"}
    assert allowed_events("licence_review") == {
        "licence_accepted",
        "licence_rejected",
        "withdrawn",
    }
    assert allowed_events("withdrawn") == frozenset()
    for state in STATES:
        assert allowed_events(state) == {e for (s, e) in ALLOWED if s == state}


def test_clock_is_paused_only_while_a_licence_or_defence_is_decided():
    assert {s for s in STATES if clock_paused(s)} == {"licence_review", "defence_review"}


def test_unknown_state_and_event_raise_typed_errors_naming_the_value():
    with pytest.raises(UnknownState, match="'sent'"):
        next_state("sent", "withdrawn")
    with pytest.raises(UnknownEvent, match="'paid'"):
        next_state("notice_sent", "paid")
    with pytest.raises(UnknownState):
        is_terminal("closed")


def test_typed_errors_are_value_errors_so_a_batch_can_catch_them():
    assert issubclass(IllegalTransition, ValueError)
    assert issubclass(UnknownState, ValueError)
