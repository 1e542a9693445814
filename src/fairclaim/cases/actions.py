"""Moving a case through its states; every step lands in the case log."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from fairclaim.rules.case_states import CaseEvent as FlowEvent
from fairclaim.rules.case_states import IllegalTransition, next_state

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


__all__ = ["CaseChanged", "IllegalTransition", "do_transition"]
