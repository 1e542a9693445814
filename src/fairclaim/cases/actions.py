"""Moving a case through its states; every step lands in the case log."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from fairclaim.rules.case_states import CaseEvent as FlowEvent
from fairclaim.rules.case_states import IllegalTransition, next_state

from .gate import evaluate
from .log import append_event
from .models import Case


class CaseChanged(Exception):
    """Someone else moved the case first; reload and decide again."""


def do_transition(
    case: Case, event: FlowEvent | str, *, actor: str, now: datetime, payload: dict | None = None
) -> Case:
    """Apply `event` to `case` if the flow allows it from its current state (else
    `IllegalTransition`), and log it. The state is changed with a conditional UPDATE, so two
    concurrent decisions cannot both apply."""
    new_state = next_state(case.state, event)
    with transaction.atomic():
        changed = Case.objects.filter(pk=case.pk, state=case.state).update(
            state=new_state.value, updated_at=now
        )
        if not changed:
            raise CaseChanged(f"{case.reference} is no longer {case.state}")
        append_event(
            case,
            str(event),
            {"from": case.state, "to": new_state.value, **(payload or {})},
            actor=actor,
            at=now,
        )
    case.state = new_state.value
    return case


class EscalationNotAllowed(Exception):
    """The send gate refuses the escalation; `verdict` names every reason."""

    def __init__(self, verdict):
        super().__init__(f"Not escalated: {verdict.summary()}")
        self.verdict = verdict


def do_escalate(case: Case, law_firm, *, actor: str, now: datetime) -> Case:
    """Hand an overdue case to a partner law firm: its members see this case, and only theirs.

    Precondition: the send gate lets the case go on (a law firm never gets an unsound case)."""
    verdict = evaluate(case, "escalation", now.date())
    if not verdict.go:
        raise EscalationNotAllowed(verdict)
    do_transition(
        case,
        FlowEvent.ESCALATED,
        actor=actor,
        now=now,
        payload={"law_firm": law_firm.pk, "law_firm_name": law_firm.name},
    )
    Case.objects.filter(pk=case.pk).update(law_firm=law_firm)
    case.law_firm = law_firm
    return case


__all__ = [
    "CaseChanged",
    "EscalationNotAllowed",
    "IllegalTransition",
    "do_escalate",
    "do_transition",
]
