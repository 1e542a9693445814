"""What a case's status truthfully says to the recipient (portal, case page, PDFs): one answer
per case state, so no page promises a deadline that does not run or a step that is closed.

Pure: the caller passes the state, the stored deadline and today. The words live in templates
(translated); this module decides only which of them apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .case_states import (
    CLOCK_PAUSED_STATES,
    TERMINAL_STATES,
    CaseEvent,
    CaseState,
    allowed_events,
    as_state,
)


@dataclass(frozen=True)
class CaseStatus:
    # respond | under_review | paying | overdue | escalated | resolved | closed | preparing
    code: str
    # The date to respond by, only while it runs and has not passed; None otherwise.
    respond_by: date | None
    may_show_licence: bool
    may_raise_defence: bool
    may_pay: bool

    @property
    def open_steps(self) -> bool:
        return self.may_show_licence or self.may_raise_defence or self.may_pay


# States whose deadline the recipient is asked to meet.
DEADLINE_RUNS = frozenset({CaseState.NOTICE_SENT, CaseState.PAYMENT_PENDING})
RESOLVED = frozenset(
    {CaseState.RESOLVED_PAID, CaseState.RESOLVED_LICENSED, CaseState.DEFENCE_UPHELD}
)
NOT_SENT = frozenset({CaseState.DRAFT, CaseState.REVIEW})


def case_status(state: str, deadline: date | None, today: date) -> CaseStatus:
    state = as_state(state)
    allowed = allowed_events(state)
    if state in TERMINAL_STATES:
        code = "resolved" if state in RESOLVED else "closed"
        return CaseStatus(code, None, False, False, False)
    if state in NOT_SENT:
        return CaseStatus("preparing", None, False, False, False)
    runs = state in DEADLINE_RUNS and deadline is not None and deadline >= today
    code = {
        CaseState.NOTICE_SENT: "respond",
        CaseState.PAYMENT_PENDING: "paying",
        CaseState.OVERDUE: "overdue",
        CaseState.ESCALATED: "escalated",
    }.get(state, "under_review" if state in CLOCK_PAUSED_STATES else "respond")
    return CaseStatus(
        code=code,
        respond_by=deadline if runs else None,
        may_show_licence=CaseEvent.LICENCE_UPLOADED in allowed,
        may_raise_defence=CaseEvent.DEFENCE_RAISED in allowed,
        # A chosen offer commits nobody until money moves; while a defence or licence is being
        # decided the recipient may still settle instead.
        may_pay=True,
    )
