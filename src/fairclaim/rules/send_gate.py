"""The send gate: may this case send this notice now? One decision for every kind of notice.

Product rule 1 (docs/architecture.md): no notice without a clear claim-linter result re-run at send
time, a positive itemised amount (or an explicit non-monetary cure), a recipient address, and a
finished, verified capture that shows the image on the page. The Django layer gathers the facts (it
re-runs
the linter, verifies the bundles) into the plain values below; this module only decides, and
names every reason it says no, so the case page, the sending task and the scheduler's reminders
all refuse for the same reasons in the same words.

Pure: no Django, no I/O, no clock. Money is Decimal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from .case_states import CaseState


class NoticeKind(StrEnum):
    DEMAND = "demand"
    REMINDER = "reminder"
    DMCA = "dmca"
    ESCALATION = "escalation"


class Evidence(StrEnum):
    """One evidence status per case line, from its finished captures (the case page shows it)."""

    WAITING = "waiting"  # no finished capture yet (none, or only failed attempts)
    PRESENT = "present"  # the latest finished capture shows the image on the page
    ABSENT = "absent"  # no finished capture has ever shown the image on the page
    REMOVED = "removed"  # shown by an earlier capture, absent from the latest


class Code(StrEnum):
    STATE = "state"
    NO_LINES = "no_lines"
    NO_RECIPIENT_EMAIL = "no_recipient_email"
    CLAIM_NOT_CHECKED = "claim_not_checked"
    LINTER_NOT_CLEAR = "linter_not_clear"
    NO_AMOUNT = "no_amount"
    EVIDENCE_WAITING = "evidence_waiting"
    EVIDENCE_NOT_VERIFIED = "evidence_not_verified"
    EVIDENCE_ABSENT = "evidence_absent"
    RECIPIENT_ENGAGED = "recipient_engaged"  # a reminder would ignore what the recipient did


# Which case states each kind of notice may leave from (rules.case_states values). A demand
# leaves review; a reminder only runs while the recipient's clock runs; a takedown is the
# alternative to a demand, never on a case the recipient contests, pays or that is closed; an
# escalation follows the missed deadlines.
ALLOWED_STATES: dict[NoticeKind, frozenset[CaseState]] = {
    NoticeKind.DEMAND: frozenset({CaseState.REVIEW}),
    NoticeKind.REMINDER: frozenset({CaseState.NOTICE_SENT}),
    NoticeKind.DMCA: frozenset({CaseState.REVIEW, CaseState.NOTICE_SENT, CaseState.OVERDUE}),
    NoticeKind.ESCALATION: frozenset({CaseState.OVERDUE}),
}
# A takedown asks for removal, not money: the explicit non-monetary cure of rule 1.
NON_MONETARY: frozenset[NoticeKind] = frozenset({NoticeKind.DMCA})


@dataclass(frozen=True)
class LineFacts:
    """One line (one work on one page) as it stands at send time.

    `linter_decision` is the re-run's decision ("send", "hold", "block"), or None when the claim
    could not be checked (no claim, facts incomplete); `linter_reasons` says why in either case.
    `amount` is the statement's past-use total the notice demands. `bundle_verifies` is about the
    latest finished capture. `absence_decided` is True when someone recorded, after the latest
    capture showing the image absent, why the earlier evidence stands.
    """

    label: str
    linter_decision: str | None
    linter_reasons: tuple[str, ...] = ()
    amount: Decimal | None = None
    evidence: Evidence = Evidence.WAITING
    bundle_verifies: bool = False
    absence_decided: bool = False


@dataclass(frozen=True)
class SendFacts:
    kind: NoticeKind
    state: str
    recipient_email: str
    lines: tuple[LineFacts, ...]
    # What the recipient has open that a reminder must not talk over: "defence", "licence
    # proof", "payment plan", "unanswered message" (only reminders look at it).
    recipient_open: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reason:
    code: Code
    message: str
    line: str = ""  # the line's label; empty for a case-wide reason
    remedy: str = ""  # what a person can do about it


@dataclass(frozen=True)
class Verdict:
    kind: NoticeKind
    reasons: tuple[Reason, ...] = field(default_factory=tuple)

    @property
    def go(self) -> bool:
        return not self.reasons

    @property
    def waits_for_evidence(self) -> bool:
        """Only captures are missing: queue them first and send when they are in."""
        return bool(self.reasons) and all(r.code == Code.EVIDENCE_WAITING for r in self.reasons)

    def summary(self) -> str:
        """One sentence per reason, for messages, the case log and a blocked notice's error."""
        return " ".join(
            f"{r.line}: {r.message}" if r.line else r.message for r in self.reasons
        ).strip()

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "go": self.go,
            "reasons": [
                {"code": r.code.value, "message": r.message, "line": r.line} for r in self.reasons
            ],
        }


def send_gate(facts: SendFacts) -> Verdict:
    """Go, or no-go with every reason (not only the first: the person fixing it sees them all)."""
    reasons = list(_case_reasons(facts))
    for line in facts.lines:
        reasons.extend(_line_reasons(facts.kind, line))
    return Verdict(facts.kind, tuple(reasons))


def _case_reasons(facts: SendFacts) -> Iterable[Reason]:
    allowed = ALLOWED_STATES[facts.kind]
    if facts.state not in allowed:
        yield Reason(
            Code.STATE,
            f"no {facts.kind.value} while the case is {facts.state.replace('_', ' ')} "
            f"(only from: {', '.join(sorted(allowed))}).",
        )
    if not facts.recipient_email.strip():
        yield Reason(
            Code.NO_RECIPIENT_EMAIL,
            "the recipient's e-mail address is missing.",
            remedy="Enter it under “Recipient details”.",
        )
    if not facts.lines:
        yield Reason(Code.NO_LINES, "the case has no work left to claim.")
    if facts.kind == NoticeKind.REMINDER and facts.recipient_open:
        yield Reason(
            Code.RECIPIENT_ENGAGED,
            f"the recipient has an open {', '.join(facts.recipient_open)}; "
            "a reminder would ignore it.",
            remedy="Decide or answer it; reminders resume on their own afterwards.",
        )


def _line_reasons(kind: NoticeKind, line: LineFacts) -> Iterable[Reason]:
    if line.linter_decision is None:
        yield Reason(
            Code.CLAIM_NOT_CHECKED,
            "the claim cannot be checked on today's facts"
            + (f" ({'; '.join(line.linter_reasons)})" if line.linter_reasons else "")
            + ".",
            line.label,
            "Complete the claim, or drop the line.",
        )
    elif line.linter_decision != "send":
        yield Reason(
            Code.LINTER_NOT_CLEAR,
            f"the claim check re-run today says “{line.linter_decision}”"
            + (f": {'; '.join(line.linter_reasons)}" if line.linter_reasons else "")
            + ".",
            line.label,
            "Resolve the findings, or drop the line.",
        )
    if kind not in NON_MONETARY and (line.amount is None or line.amount <= 0):
        yield Reason(
            Code.NO_AMOUNT,
            "there is no positive itemised amount to demand.",
            line.label,
            "Check the claim's fee statement, or drop the line.",
        )
    if line.evidence == Evidence.WAITING:
        yield Reason(
            Code.EVIDENCE_WAITING,
            "no finished evidence capture yet.",
            line.label,
            "The capture is queued first; sending follows it.",
        )
    elif not line.bundle_verifies:
        yield Reason(
            Code.EVIDENCE_NOT_VERIFIED,
            "the latest evidence bundle does not verify.",
            line.label,
            "Capture again.",
        )
    if line.evidence in (Evidence.ABSENT, Evidence.REMOVED) and not line.absence_decided:
        shown = "was never" if line.evidence == Evidence.ABSENT else "is no longer"
        yield Reason(
            Code.EVIDENCE_ABSENT,
            f"the latest capture shows the image {shown} on the page.",
            line.label,
            "Drop the line, or record why the earlier evidence stands.",
        )
