"""What people do to a case besides the flow's steps: correct the recipient, withdraw the case or
a line, note something, agree a discounted settlement, decide on evidence showing the image absent;
and the rights holder's way out of a held claim (withdraw, dismiss, mark licensed).

Each operation is a `check_*` (may this happen now? raises OperationRefused with the reason) and a
`do_*` that performs it and appends one case-log entry naming who, what, and before → after. The
views and the admin call these; nothing else changes these fields.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction

from fairclaim.accounts.access import can_change_cases
from fairclaim.accounts.models import User
from fairclaim.letters.formats import letter_language
from fairclaim.rules.case_events import LogKind
from fairclaim.rules.case_states import CaseEvent as FlowEvent
from fairclaim.rules.case_states import CaseState, is_terminal
from fairclaim.rules.money import currency_for

from .access import get_case_for_user
from .actions import do_transition
from .claims import FALLBACK_CURRENCY, do_check_claim
from .gate import line_evidence
from .log import append_event
from .models import Case, CaseLine, Claim
from .statements import case_offers, latest_statement, past_use_total

# Editable recipient details, in the order the form shows them.
RECIPIENT_FIELDS = (
    "recipient_name",
    "recipient_email",
    "recipient_address",
    "recipient_country",
    "jurisdiction",
)
# Operations a rights holder may decide on its own cases (it is their claim and their money);
# the case manager may do all of them, a law firm and read-only members none.
RIGHTS_HOLDER_OPERATIONS = frozenset({"withdraw", "drop_line", "note", "settle"})
OPERATIONS = RIGHTS_HOLDER_OPERATIONS | {"recipient", "evidence_stands"}
# A settlement is agreed with a recipient who has the notice and has not paid or chosen to pay.
SETTLEMENT_STATES = frozenset({CaseState.NOTICE_SENT, CaseState.OVERDUE, CaseState.ESCALATED})
MAX_TEXT = 10_000


class OperationRefused(Exception):
    """The operation is not possible now; the message says why."""


def may_operate(user: User, operation: str) -> bool:
    if user.read_only:
        return False
    if can_change_cases(user):
        return True
    return user.role == User.Role.RIGHTS_HOLDER and operation in RIGHTS_HOLDER_OPERATIONS


def get_case_for_operation(request, reference: str, operation: str) -> Case:
    """The case, if this user may do `operation` on it: 404 for strangers, 403 for those who may
    only read it (the same access function as every case view)."""
    case = get_case_for_user(request, reference)
    if operation not in OPERATIONS or not may_operate(request.user, operation):
        raise PermissionDenied("You may view this case but not do this.")
    return case


def _actor(user: User | str) -> str:
    return user if isinstance(user, str) else user.get_username()


def _reason(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise OperationRefused("Give a reason: it is kept in the case log.")
    return text[:MAX_TEXT]


# --- recipient ----------------------------------------------------------------------------


def imprint_suggestion(case: Case) -> dict[str, str]:
    """What the recipient's pages said about who runs them (company, e-mail, imprint page)."""
    for line in case.lines.select_related("match__sighting"):
        context = (line.match.sighting.context or {}) if line.match else {}
        emails = context.get("contact_emails") or []
        if context.get("company") or emails or context.get("imprint_url"):
            return {
                "recipient_name": context.get("company") or "",
                "recipient_email": emails[0] if emails else "",
                "imprint_url": context.get("imprint_url") or "",
            }
    return {}


def check_edit_recipient(case: Case, changes: dict[str, str]) -> dict[str, dict[str, str]]:
    """The fields that change, each with before and after."""
    if is_terminal(case.state):
        raise OperationRefused(f"{case.reference} is closed; its recipient is on record.")
    diff = {
        name: {"before": getattr(case, name) or "", "after": (changes.get(name) or "").strip()}
        for name in RECIPIENT_FIELDS
        if name in changes and (changes.get(name) or "").strip() != (getattr(case, name) or "")
    }
    if "jurisdiction" in diff and case.state != CaseState.DRAFT:
        raise OperationRefused(
            "The law a case is claimed under is fixed once it is submitted; withdraw the case "
            "and claim again to change it."
        )
    if not diff:
        raise OperationRefused("Nothing changed.")
    return diff


def do_edit_recipient(case: Case, changes: dict[str, str], *, user, now: datetime) -> Case:
    """Correct the recipient's details. A new jurisdiction (draft only) re-checks each claim
    under that law, so the statements match it."""
    diff = check_edit_recipient(case, changes)
    with transaction.atomic():
        for name, change in diff.items():
            setattr(case, name, change["after"])
        fields = [*diff, "updated_at"]
        if "jurisdiction" in diff:
            case.currency = currency_for(case.jurisdiction, FALLBACK_CURRENCY)
            case.language = letter_language(case.jurisdiction, case.recipient_country)
            fields += ["currency", "language"]
        case.updated_at = now
        case.save(update_fields=fields)
        append_event(case, LogKind.RECIPIENT_CHANGED, {"changes": diff}, actor=_actor(user), at=now)
    if "jurisdiction" in diff:
        for claim in case.claims.all():
            claim.inputs = {**claim.inputs, "jurisdiction": case.jurisdiction}
            claim.save(update_fields=["inputs", "updated_at"])
            do_check_claim(claim, now.date())
            total = past_use_total(latest_statement(claim))
            case.lines.filter(match_id=claim.match_id).update(amount=total)
    return case


# --- withdraw, drop, note -------------------------------------------------------------------


def do_withdraw_case(case: Case, reason: str, *, user, now: datetime) -> Case:
    """Withdraw (close) the whole case with a reason; the recipient is no longer pursued."""
    if is_terminal(case.state):
        raise OperationRefused(f"{case.reference} is already closed.")
    return do_transition(
        case, FlowEvent.WITHDRAWN, actor=_actor(user), now=now, payload={"reason": _reason(reason)}
    )


def check_drop_line(line: CaseLine) -> None:
    if line.dropped_at is not None:
        raise OperationRefused("This work is already withdrawn from the case.")
    if is_terminal(line.case.state):
        raise OperationRefused(f"{line.case.reference} is closed.")
    if line.case.lines.count() <= 1:
        raise OperationRefused("This is the case's only work: withdraw the case instead.")


def do_drop_line(line: CaseLine, reason: str, *, user, now: datetime) -> CaseLine:
    """Withdraw one work from the case: it leaves the notice, the offers and the portal; its
    claim is withdrawn; the line and its evidence stay on record."""
    check_drop_line(line)
    reason = _reason(reason)
    case = line.case
    before = case_offers(case).get("past_only")
    with transaction.atomic():
        line.dropped_at, line.drop_reason = now, reason
        line.save(update_fields=["dropped_at", "drop_reason"])
        claims = Claim.objects.filter(case=case, match_id=line.match_id) if line.match_id else []
        claim_ids = [c.pk for c in claims]
        Claim.objects.filter(pk__in=claim_ids).update(
            case=None,
            status=Claim.Status.WITHDRAWN,
            closed_reason=reason,
            closed_by=_actor(user),
            closed_at=now,
        )
        after = case_offers(case).get("past_only")
        append_event(
            case,
            LogKind.LINE_DROPPED,
            {
                "line": line.pk,
                "work": line.work_id,
                "claims": claim_ids,
                "amount": str(line.amount) if line.amount is not None else None,
                "reason": reason,
                "past_only_before": str(before.gross.amount) if before else None,
                "past_only_after": str(after.gross.amount) if after else None,
            },
            actor=_actor(user),
            at=now,
        )
    return line


def do_add_note(case: Case, text: str, *, user, now: datetime):
    """A note for the case's parties (not the recipient), kept in the log word for word."""
    return append_event(
        case, LogKind.NOTE_ADDED, {"text": _reason(text)}, actor=_actor(user), at=now
    )


# --- evidence --------------------------------------------------------------------------------


def do_accept_earlier_evidence(line: CaseLine, reason: str, *, user, now: datetime) -> CaseLine:
    """Record why the earlier evidence stands although the latest capture shows the image absent
    (e.g. the page loads it by a script the capture did not run). The send gate then lets this
    line go, until a newer capture shows it absent again."""
    status, latest = line_evidence(line)
    if latest is None or latest.image_present:
        raise OperationRefused("The latest capture shows the image: there is nothing to decide.")
    reason = _reason(reason)
    with transaction.atomic():
        line.evidence_decision_capture, line.evidence_decision = latest, reason
        line.save(update_fields=["evidence_decision_capture", "evidence_decision"])
        append_event(
            line.case,
            LogKind.EVIDENCE_DECISION,
            {"line": line.pk, "capture": latest.pk, "status": status.value, "reason": reason},
            actor=_actor(user),
            at=now,
        )
    return line


# --- settlement ------------------------------------------------------------------------------


def check_agree_settlement(case: Case, amount: Decimal) -> Decimal:
    """The current past-use total the settlement replaces."""
    if case.state not in SETTLEMENT_STATES:
        raise OperationRefused(
            f"A settlement is agreed after the notice and before payment; {case.reference} is "
            f"{case.get_state_display().lower()}."
        )
    current = case_offers(case, discounted=False).get("past_only")
    if current is None:
        raise OperationRefused("The case has no fee statement to settle.")
    if amount <= 0 or amount >= current.gross.amount:
        raise OperationRefused(
            f"A discounted settlement is more than 0 and less than the demanded "
            f"{current.gross.amount} {case.currency}."
        )
    return current.gross.amount


def do_agree_settlement(case: Case, amount: Decimal, reason: str, *, user, now: datetime) -> Case:
    """The recipient may settle the past use for `amount` (the portal offers it, reminders and
    the case file say it); the discount comes off the past use, the future licence is unchanged."""
    before = check_agree_settlement(case, amount)
    reason = _reason(reason)
    with transaction.atomic():
        previous = case.settlement_amount
        Case.objects.filter(pk=case.pk).update(settlement_amount=amount, updated_at=now)
        case.settlement_amount = amount
        append_event(
            case,
            LogKind.SETTLEMENT_AGREED,
            {
                "before": str(previous if previous is not None else before),
                "after": str(amount),
                "demanded": str(before),
                "currency": case.currency,
                "reason": reason,
            },
            actor=_actor(user),
            at=now,
        )
    return case


# --- held claims -----------------------------------------------------------------------------

CLAIM_CLOSINGS = {
    "withdraw": Claim.Status.WITHDRAWN,
    "dismiss": Claim.Status.DISMISSED,
    "licensed": Claim.Status.LICENSED,
}


def check_close_claim(claim: Claim, how: str) -> None:
    if how not in CLAIM_CLOSINGS:
        raise OperationRefused(f"Unknown decision {how!r}.")
    if claim.case_id is not None or claim.status not in {"draft", "checked", "approved"}:
        raise OperationRefused("Only a claim not yet in a case can be closed here.")


def do_close_claim(claim: Claim, how: str, reason: str, *, user: User, now: datetime) -> Claim:
    """The rights holder's decision on a claim that is not going anywhere: withdraw it, dismiss
    the match (ignored from now on), or mark the use licensed (the licence enters the ledger,
    so this licensee is never claimed again for the work: product rule 2, docs/architecture.md)."""
    from fairclaim.monitoring.models import Match
    from fairclaim.monitoring.triage import do_triage

    check_close_claim(claim, how)
    reason = _reason(reason)
    with transaction.atomic():
        updated = Claim.objects.filter(pk=claim.pk, status=claim.status, case=None).update(
            status=CLAIM_CLOSINGS[how], closed_reason=reason, closed_by=_actor(user), closed_at=now
        )
        if not updated:
            raise OperationRefused("The claim changed meanwhile; reload it.")
        if how in {"dismiss", "licensed"}:
            action = "ignore" if how == "dismiss" else "licensed"
            do_triage(Match.objects.filter(pk=claim.match_id), action, user, now)
    claim.refresh_from_db()
    return claim
