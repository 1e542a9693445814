"""Who is told about what happened on a case (pure: event kind and payload in, parties out).

The recipient hears of every decision and every reply; the rights holder and the case manager of
every recipient action; the law firm of the escalation and, once it holds the case, of every
later recipient action. Parties: recipient, rights_holder, case_manager, law_firm.
"""

from __future__ import annotations

from typing import Any

from .case_events import LogKind
from .case_states import CaseEvent

DECISIONS = frozenset(
    {
        CaseEvent.DEFENCE_UPHELD,
        CaseEvent.DEFENCE_REJECTED,
        CaseEvent.LICENCE_ACCEPTED,
        CaseEvent.LICENCE_REJECTED,
    }
)
RECIPIENT_ACTIONS = frozenset(
    {
        CaseEvent.DEFENCE_RAISED,
        CaseEvent.LICENCE_UPLOADED,
        LogKind.PAYMENT_PLAN_CREATED,
        LogKind.PAYMENT_PLAN_CANCELLED,
    }
)
STAFF = frozenset({"rights_holder", "case_manager"})


def parties_to_tell(kind: str, payload: dict[str, Any], *, escalated: bool) -> frozenset[str]:
    """The parties to notify of one case-log entry (empty for entries nobody needs told)."""
    if kind in DECISIONS:
        return frozenset({"recipient"})
    if kind == LogKind.MESSAGE_POSTED:
        if payload.get("author") == "recipient":
            return STAFF | ({"law_firm"} if escalated else set())
        return frozenset({"recipient"})
    if kind in RECIPIENT_ACTIONS or (kind == LogKind.PAYMENT_RECEIVED and payload.get("source")):
        return STAFF | ({"law_firm"} if escalated else set())
    if kind == CaseEvent.ESCALATED:
        return frozenset({"law_firm"})
    if kind == LogKind.LAW_FIRM_MESSAGE:
        return frozenset({"case_manager"})
    if kind == LogKind.LAW_FIRM_OUTCOME:
        return STAFF
    return frozenset()
