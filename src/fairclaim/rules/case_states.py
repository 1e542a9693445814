"""The case flow as data: states, events, the allowed transitions, and `next_state`.

Source: "The flow" in docs/architecture.md and the case state machine of the domain model. The
Django layer stores `CaseState` values in `Case.state` and appends each `CaseEvent` to the case log
(`rules.case_log`). Pure: no Django, no I/O, no clock.

Choices made where the sources leave room (each also visible in `TRANSITIONS`):
- Reminders are events that keep `notice_sent` (product rule 5 caps them; the cap is the caller's
  policy, not a state).
- A licence upload or a defence pauses the clock (`clock_paused`): reminders stop until a decision
  with written reasons (product rule 5, docs/architecture.md). A rejection returns the case to
  `notice_sent`, where the caller sets a fresh deadline; this also holds for uploads made while
  `overdue`.
- After escalation the law firm decides licence proofs and defences itself: those events keep the
  case `escalated` (they are still logged), and an acceptance or an upheld defence ends it.
- Payment needs a chosen offer first (`offer_chosen` → `payment_pending`); a bank transfer that
  arrives unannounced is recorded by the caller as `offer_chosen` then `payment_completed`.
  Choosing again while `payment_pending` switches the offer. A defaulted instalment plan returns
  to `notice_sent` (a new deadline for the rest); a payment deadline that lapses makes it `overdue`.
- `withdrawn` is reachable from every non-terminal state; terminal states accept no event.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class CaseState(StrEnum):
    DRAFT = "draft"
    REVIEW = "review"
    NOTICE_SENT = "notice_sent"
    LICENCE_REVIEW = "licence_review"
    DEFENCE_REVIEW = "defence_review"
    PAYMENT_PENDING = "payment_pending"
    OVERDUE = "overdue"
    ESCALATED = "escalated"
    RESOLVED_PAID = "resolved_paid"
    RESOLVED_LICENSED = "resolved_licensed"
    DEFENCE_UPHELD = "defence_upheld"
    WITHDRAWN = "withdrawn"


class CaseEvent(StrEnum):
    SUBMITTED_FOR_REVIEW = "submitted_for_review"
    RETURNED_TO_DRAFT = "returned_to_draft"
    NOTICE_SENT = "notice_sent"
    REMINDER_SENT = "reminder_sent"
    LICENCE_UPLOADED = "licence_uploaded"
    LICENCE_ACCEPTED = "licence_accepted"
    LICENCE_REJECTED = "licence_rejected"
    DEFENCE_RAISED = "defence_raised"
    DEFENCE_UPHELD = "defence_upheld"
    DEFENCE_REJECTED = "defence_rejected"
    OFFER_CHOSEN = "offer_chosen"
    PAYMENT_COMPLETED = "payment_completed"
    PLAN_DEFAULTED = "plan_defaulted"
    DEADLINE_PASSED = "deadline_passed"
    ESCALATED = "escalated"
    SETTLED = "settled"
    WITHDRAWN = "withdrawn"


class CaseFlowError(ValueError):
    """Base of the typed errors raised by this module."""


class UnknownState(CaseFlowError):
    def __init__(self, value: object) -> None:
        self.value = value
        super().__init__(f"unknown case state {value!r}")


class UnknownEvent(CaseFlowError):
    def __init__(self, value: object) -> None:
        self.value = value
        super().__init__(f"unknown case event {value!r}")


class IllegalTransition(CaseFlowError):
    """The event is not allowed in the state; names both and what would have been allowed."""

    def __init__(self, state: CaseState, event: CaseEvent) -> None:
        self.state = state
        self.event = event
        allowed = ", ".join(sorted(TRANSITIONS[state])) or "none (terminal state)"
        super().__init__(
            f"event {event.value!r} is not allowed in case state {state.value!r}; "
            f"allowed: {allowed}"
        )


S = CaseState
E = CaseEvent

TERMINAL_STATES: frozenset[CaseState] = frozenset(
    {S.RESOLVED_PAID, S.RESOLVED_LICENSED, S.DEFENCE_UPHELD, S.WITHDRAWN}
)

# Clock paused = the notice deadline and reminders are suspended while a licence proof or a
# defence is decided (product rule 5, docs/architecture.md).
CLOCK_PAUSED_STATES: frozenset[CaseState] = frozenset({S.LICENCE_REVIEW, S.DEFENCE_REVIEW})

# States in which the recipient has been told about the case and may open it in the portal:
# before the first notice there is nothing to show, and a withdrawn case is no longer pursued.
RECIPIENT_VISIBLE_STATES: frozenset[CaseState] = frozenset(
    {
        S.NOTICE_SENT,
        S.LICENCE_REVIEW,
        S.DEFENCE_REVIEW,
        S.PAYMENT_PENDING,
        S.OVERDUE,
        S.ESCALATED,
        S.RESOLVED_PAID,
        S.RESOLVED_LICENSED,
        S.DEFENCE_UPHELD,
    }
)

_FLOW: dict[CaseState, dict[CaseEvent, CaseState]] = {
    S.DRAFT: {
        E.SUBMITTED_FOR_REVIEW: S.REVIEW,
    },
    S.REVIEW: {
        E.RETURNED_TO_DRAFT: S.DRAFT,
        E.NOTICE_SENT: S.NOTICE_SENT,
    },
    S.NOTICE_SENT: {
        E.REMINDER_SENT: S.NOTICE_SENT,
        E.LICENCE_UPLOADED: S.LICENCE_REVIEW,
        E.DEFENCE_RAISED: S.DEFENCE_REVIEW,
        E.OFFER_CHOSEN: S.PAYMENT_PENDING,
        E.DEADLINE_PASSED: S.OVERDUE,
    },
    S.LICENCE_REVIEW: {
        E.LICENCE_ACCEPTED: S.RESOLVED_LICENSED,
        E.LICENCE_REJECTED: S.NOTICE_SENT,
    },
    S.DEFENCE_REVIEW: {
        E.DEFENCE_UPHELD: S.DEFENCE_UPHELD,
        E.DEFENCE_REJECTED: S.NOTICE_SENT,
    },
    S.PAYMENT_PENDING: {
        E.OFFER_CHOSEN: S.PAYMENT_PENDING,
        E.PAYMENT_COMPLETED: S.RESOLVED_PAID,
        E.PLAN_DEFAULTED: S.NOTICE_SENT,
        E.DEADLINE_PASSED: S.OVERDUE,
    },
    S.OVERDUE: {
        E.LICENCE_UPLOADED: S.LICENCE_REVIEW,
        E.DEFENCE_RAISED: S.DEFENCE_REVIEW,
        E.OFFER_CHOSEN: S.PAYMENT_PENDING,
        E.ESCALATED: S.ESCALATED,
    },
    S.ESCALATED: {
        E.LICENCE_UPLOADED: S.ESCALATED,
        E.LICENCE_ACCEPTED: S.RESOLVED_LICENSED,
        E.LICENCE_REJECTED: S.ESCALATED,
        E.DEFENCE_RAISED: S.ESCALATED,
        E.DEFENCE_UPHELD: S.DEFENCE_UPHELD,
        E.DEFENCE_REJECTED: S.ESCALATED,
        E.SETTLED: S.RESOLVED_PAID,
    },
}
for _state in CaseState:
    _FLOW.setdefault(_state, {})
    if _state not in TERMINAL_STATES:
        _FLOW[_state][E.WITHDRAWN] = S.WITHDRAWN

TRANSITIONS: Mapping[CaseState, Mapping[CaseEvent, CaseState]] = MappingProxyType(
    {state: MappingProxyType(events) for state, events in _FLOW.items()}
)
"""state → {event → next state}; every pair not listed is an `IllegalTransition`."""


def as_state(value: CaseState | str) -> CaseState:
    try:
        return CaseState(value)
    except ValueError:
        raise UnknownState(value) from None


def as_event(value: CaseEvent | str) -> CaseEvent:
    try:
        return CaseEvent(value)
    except ValueError:
        raise UnknownEvent(value) from None


def next_state(state: CaseState | str, event: CaseEvent | str) -> CaseState:
    """The state after `event` in `state`; raises `IllegalTransition` (or Unknown*) otherwise."""
    current, happened = as_state(state), as_event(event)
    try:
        return TRANSITIONS[current][happened]
    except KeyError:
        raise IllegalTransition(current, happened) from None


def is_terminal(state: CaseState | str) -> bool:
    return as_state(state) in TERMINAL_STATES


def allowed_events(state: CaseState | str) -> frozenset[CaseEvent]:
    return frozenset(TRANSITIONS[as_state(state)])


def clock_paused(state: CaseState | str) -> bool:
    """True while the notice deadline and reminders are suspended (licence or defence review)."""
    return as_state(state) in CLOCK_PAUSED_STATES
