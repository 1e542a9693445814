"""The case page: what it shows (one evidence status per line, the send gate's verdict before the
button, only the actions the state allows) and the dispatch of its operation forms."""

from __future__ import annotations

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from fairclaim.accounts.access import can_change_cases
from fairclaim.accounts.models import Organisation
from fairclaim.rules.case_states import CaseState, clock_paused, is_terminal
from fairclaim.rules.case_status import DEADLINE_RUNS, case_status
from fairclaim.rules.send_gate import ALLOWED_STATES, Evidence, NoticeKind

from .evidence import timeline_for
from .forms import LineReasonForm, NoteForm, ReasonForm, RecipientForm, SettlementForm
from .gate import evaluate, line_evidence
from .gate_texts import reason_text
from .log import verify_case_log
from .models import CaseLine
from .operations import (
    OPERATIONS,
    SETTLEMENT_STATES,
    OperationRefused,
    do_accept_earlier_evidence,
    do_add_note,
    do_agree_settlement,
    do_drop_line,
    do_edit_recipient,
    do_withdraw_case,
    imprint_suggestion,
    may_operate,
)
from .statements import case_offers

# The next thing the case would send, by state: the gate's verdict on it is shown before its button.
NEXT_SEND = {
    CaseState.REVIEW: NoticeKind.DEMAND,
    CaseState.NOTICE_SENT: NoticeKind.REMINDER,
    CaseState.OVERDUE: NoticeKind.ESCALATION,
}
NEXT_STEP_NAMES = {
    NoticeKind.DEMAND: _("before sending the demand"),
    NoticeKind.REMINDER: _("before the next reminder"),
    NoticeKind.ESCALATION: _("before escalating"),
}
EVIDENCE_LABELS = {
    Evidence.WAITING: _("Waiting for the first capture"),
    Evidence.PRESENT: _("Captured: the image is on the page"),
    Evidence.ABSENT: _("Captured: the image is not on the page"),
    Evidence.REMOVED: _("Removed later: an earlier capture showed it, the latest does not"),
}


def case_page_context(case, user, now: datetime) -> dict:
    can_edit = can_change_cases(user)
    lines = list(case.lines.select_related("work", "match__sighting"))
    for line in lines:
        line.timeline = timeline_for(line)
        line.capture_list = list(line.captures.order_by("-captured_at")[:10])
        line.evidence, line.latest_capture = line_evidence(line)
        line.evidence_label = EVIDENCE_LABELS[line.evidence]
        line.decided = bool(
            line.latest_capture and line.evidence_decision_capture_id == line.latest_capture.pk
        )
    next_send = NEXT_SEND.get(case.state)
    may = {op: may_operate(user, op) for op in OPERATIONS}
    verdict = evaluate(case, next_send, now.date()) if next_send and can_edit else None
    return {
        "case": case,
        "lines": lines,
        "dropped": CaseLine.with_dropped.filter(case=case, dropped_at__isnull=False),
        "events": case.events.order_by("seq"),
        "chain": verify_case_log(case),
        "can_edit": can_edit,
        "may": may,
        "may_any": any(may.values()),
        "next_step": NEXT_STEP_NAMES.get(next_send, ""),
        "closed": is_terminal(case.state),
        "verdict": verdict,
        "gate_reasons": [(r.line, *reason_text(r)) for r in verdict.reasons] if verdict else [],
        "dmca_allowed": can_edit and case.state in ALLOWED_STATES[NoticeKind.DMCA],
        "deadline_runs": case.state in DEADLINE_RUNS,
        "recipient_status": case_status(case.state, case.deadline, now.date()),
        "clock_paused": clock_paused(case.state),
        "offers": case_offers(case),
        "settlement_open": case.state in SETTLEMENT_STATES,
        "recipient_form": RecipientForm(initial=_recipient_initial(case)),
        "imprint": imprint_suggestion(case),
        "submissions": case.licence_submissions.all(),
        "defences": case.defences.all(),
        "thread": case.messages.order_by("created_at"),
        "notices": case.notices.all(),
        "law_firms": Organisation.objects.filter(kind="law_firm"),
    }


def _recipient_initial(case) -> dict:
    """The case's details; where one is empty, what the site's imprint said."""
    suggestion = imprint_suggestion(case)
    fields = ("recipient_name", "recipient_email", "recipient_address", "recipient_country")
    initial = {name: getattr(case, name) or suggestion.get(name, "") for name in fields}
    return {**initial, "jurisdiction": case.jurisdiction}


def perform_operation(case, operation: str, data, user, now: datetime) -> str:
    """Validate the operation's form and do it; returns what to tell the user, or raises
    OperationRefused with the reason."""
    if operation == "recipient":
        form = _valid(RecipientForm(data))
        do_edit_recipient(case, form.cleaned_data, user=user, now=now)
        return "Recipient details saved and logged."
    if operation == "withdraw":
        do_withdraw_case(case, _valid(ReasonForm(data)).cleaned_data["reason"], user=user, now=now)
        return f"{case.reference} is withdrawn."
    if operation == "note":
        do_add_note(case, _valid(NoteForm(data)).cleaned_data["text"], user=user, now=now)
        return "Note added to the case log."
    if operation == "settle":
        form = _valid(SettlementForm(data))
        amount, reason = form.cleaned_data["amount"], form.cleaned_data["reason"]
        do_agree_settlement(case, amount, reason, user=user, now=now)
        return f"Settlement of {amount} {case.currency} agreed; the recipient's portal offers it."
    form = _valid(LineReasonForm(data))
    line = get_object_or_404(case.lines, pk=form.cleaned_data["line"])
    if operation == "drop_line":
        do_drop_line(line, form.cleaned_data["reason"], user=user, now=now)
        return "The work is withdrawn from the case."
    do_accept_earlier_evidence(line, form.cleaned_data["reason"], user=user, now=now)
    return "Decision recorded: the earlier evidence stands for this work."


def _valid(form):
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise OperationRefused(f"{field.replace('_', ' ').capitalize()}: {' '.join(errors)}")
    return form
