"""Who is told about what happened on a case (pure: event kind and payload in, parties out).

The recipient hears of every decision and every reply; the rights holder and the case manager of
every recipient action; the law firm of the escalation and, once it holds the case, of every
later recipient action. Parties: recipient, rights_holder, case_manager, law_firm.
"""

from __future__ import annotations

from typing import Any

DECISIONS = frozenset(
    {"defence_upheld", "defence_rejected", "licence_accepted", "licence_rejected"}
)
RECIPIENT_ACTIONS = frozenset(
    {"defence_raised", "licence_uploaded", "payment_plan_created", "payment_plan_cancelled"}
)
STAFF = frozenset({"rights_holder", "case_manager"})


def parties_to_tell(kind: str, payload: dict[str, Any], *, escalated: bool) -> frozenset[str]:
    """The parties to notify of one case-log entry (empty for entries nobody needs told)."""
    if kind in DECISIONS:
        return frozenset({"recipient"})
    if kind == "message_posted":
        if payload.get("author") == "recipient":
            return STAFF | ({"law_firm"} if escalated else set())
        return frozenset({"recipient"})
    if kind in RECIPIENT_ACTIONS or (kind == "payment_received" and payload.get("source")):
        return STAFF | ({"law_firm"} if escalated else set())
    if kind == "escalated":
        return frozenset({"law_firm"})
    if kind == "law_firm_message":
        return frozenset({"case_manager"})
    if kind == "law_firm_outcome":
        return STAFF
    return frozenset()
