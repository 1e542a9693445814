"""What a partner law firm does with an escalated case: record the outcome (settled with the
amount agreed, taken to court, withdrawn), keep notes, and write to the case manager. Each is a
case-log entry; a note or a message to the manager is never shown to the recipient."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction

from fairclaim.accounts.models import User
from fairclaim.rules.case_events import LogKind
from fairclaim.rules.case_states import CaseEvent as FlowEvent
from fairclaim.rules.case_states import CaseState

from .actions import do_transition
from .log import append_event
from .models import Case

OUTCOMES = {
    "settled": "Settled (amount agreed)",
    "court": "Taken to court",
    "withdrawn": "Withdrawn",
}


class FirmActionRefused(Exception):
    """The firm's step cannot be taken (the message says why)."""


def _require_firm(case: Case, user: User) -> None:
    if (
        user.role != User.Role.LAW_FIRM
        or user.read_only
        or user.organisation_id != case.law_firm_id
    ):
        raise FirmActionRefused("Only the law firm holding this case may do this.")


def do_record_outcome(
    case: Case, outcome: str, *, amount: str = "", note: str = "", user: User, now: datetime
) -> Case:
    """Settled: the agreed amount is recorded and the case closes (`settled`); withdrawn: the case
    closes (`withdrawn`); court: logged, the case stays with the firm."""
    _require_firm(case, user)
    if case.state != CaseState.ESCALATED:
        raise FirmActionRefused(f"The case is {case.get_state_display().lower()}, not escalated.")
    if outcome not in OUTCOMES:
        raise FirmActionRefused(f"Unknown outcome {outcome!r}; choose one of {sorted(OUTCOMES)}.")
    payload = {"outcome": outcome, "note": note.strip()[:2000]}
    if outcome == "settled":
        try:
            agreed = Decimal(amount.replace(",", ".").strip())
        except InvalidOperation:
            raise FirmActionRefused("Enter the settled amount, e.g. 850.00.") from None
        if agreed <= 0:
            raise FirmActionRefused("The settled amount must be more than zero.")
        payload |= {"amount": str(agreed.quantize(Decimal("0.01"))), "currency": case.currency}
    actor = user.get_username()
    with transaction.atomic():
        append_event(case, LogKind.LAW_FIRM_OUTCOME, payload, actor=actor, at=now)
        if outcome == "settled":
            Case.objects.filter(pk=case.pk).update(settlement_amount=payload["amount"])
            do_transition(case, FlowEvent.SETTLED, actor=actor, now=now, payload=payload)
        elif outcome == "withdrawn":
            do_transition(case, FlowEvent.WITHDRAWN, actor=actor, now=now, payload=payload)
    case.refresh_from_db()
    return case


def do_add_note(case: Case, text: str, *, user: User, now: datetime) -> None:
    _require_firm(case, user)
    if not text.strip():
        raise FirmActionRefused("A note needs some text.")
    append_event(case, LogKind.LAW_FIRM_NOTE, {"note": text.strip()[:10_000]},
                 actor=user.get_username(), at=now)  # fmt: skip


def do_message_manager(case: Case, text: str, *, user: User, now: datetime) -> None:
    """To the case manager (e-mail and in-app, see rules.notify), never to the recipient."""
    _require_firm(case, user)
    if not text.strip():
        raise FirmActionRefused("A message needs some text.")
    append_event(
        case, LogKind.LAW_FIRM_MESSAGE, {"body": text.strip()[:10_000]}, actor=user.get_username(),
        at=now,
    )  # fmt: skip
