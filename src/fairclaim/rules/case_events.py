"""The case log's vocabulary: every kind of entry a case's log may hold, in one place.

Two families share the log. A `CaseEvent` (`rules.case_states`) moves the case from one state to
another; its entry carries `from` and `to`. A `LogKind` records what happened without moving it:
a notice queued or delivered, evidence captured, a message, a payment. `entry_kind` accepts
exactly these two families, so a kind nobody declared never reaches the legal record
(docs/architecture.md, product rule 7). Pure: no Django, no I/O.
"""

from __future__ import annotations

from enum import StrEnum

from .case_states import CaseEvent


class LogKind(StrEnum):
    """Log entries that leave the case's state as it is."""

    # Opening a case.
    CASE_OPENED = "case_opened"
    CLAIM_ADDED = "claim_added"
    # Notices and documents: asked for, held by the send gate, queued, delivered, answered.
    SEND_REQUESTED = "send_requested"
    SEND_BLOCKED = "send_blocked"
    NOTICE_QUEUED = "notice_queued"
    NOTICE_HELD = "notice_held"
    REMINDER_HELD = "reminder_held"
    DMCA_QUEUED = "dmca_queued"
    DEMAND_DELIVERED = "demand_delivered"
    REMINDER_DELIVERED = "reminder_delivered"
    DMCA_DELIVERED = "dmca_delivered"
    RELEASE_DELIVERED = "release_delivered"
    CERTIFICATE_DELIVERED = "certificate_delivered"
    RELEASE_ISSUED = "release_issued"
    CERTIFICATE_ISSUED = "certificate_issued"
    NOTICE_BOUNCED = "notice_bounced"
    REPLY_RECEIVED = "reply_received"
    NOTIFICATION_SENT = "notification_sent"
    # Evidence.
    EVIDENCE_CAPTURED = "evidence_captured"
    EVIDENCE_CAPTURE_FAILED = "evidence_capture_failed"
    EVIDENCE_DECISION = "evidence_decision"
    # What staff and the rights holder change besides the flow.
    RECIPIENT_CHANGED = "recipient_changed"
    LINE_DROPPED = "line_dropped"
    NOTE_ADDED = "note_added"
    SETTLEMENT_AGREED = "settlement_agreed"
    # The recipient.
    MESSAGE_POSTED = "message_posted"
    DEADLINE_EXTENDED = "deadline_extended"
    # The partner law firm.
    LAW_FIRM_OUTCOME = "law_firm_outcome"
    LAW_FIRM_NOTE = "law_firm_note"
    LAW_FIRM_MESSAGE = "law_firm_message"
    # Money.
    PAYMENT_PLAN_CREATED = "payment_plan_created"
    PAYMENT_PLAN_CANCELLED = "payment_plan_cancelled"
    CARD_CHECKOUT_STARTED = "card_checkout_started"
    STATEMENT_LINE_ASSIGNED = "statement_line_assigned"
    PAYMENT_RECEIVED = "payment_received"
    PAYMENT_REFUNDED = "payment_refunded"
    PAYMENT_CHARGED_BACK = "payment_charged_back"
    PAYMENT_STATUS_CHANGED = "payment_status_changed"
    REFUND_REQUESTED = "refund_requested"
    # Data repairs (a migration that regrouped recipients stored under a hosting platform).
    RECIPIENT_DOMAIN_REGROUPED = "recipient_domain_regrouped"
    RECIPIENT_DOMAIN_NEEDS_REVIEW = "recipient_domain_needs_review"

    @classmethod
    def delivered(cls, notice_kind: str) -> LogKind:
        """The entry for a notice of `notice_kind` (demand, reminder, dmca, ...) sent over SMTP."""
        return cls(f"{notice_kind}_delivered")

    @classmethod
    def issued(cls, document_kind: str) -> LogKind:
        """The entry for a settlement document (release, certificate) signed and kept."""
        return cls(f"{document_kind}_issued")


class UnknownEntryKind(ValueError):
    def __init__(self, value: object) -> None:
        self.value = value
        super().__init__(
            f"unknown case-log entry kind {value!r}: declare it in rules.case_events.LogKind "
            "(or rules.case_states.CaseEvent when it changes the state)"
        )


def entry_kind(value: str) -> CaseEvent | LogKind:
    """The declared kind named `value`, a state change first; else UnknownEntryKind."""
    for family in (CaseEvent, LogKind):
        try:
            return family(value)
        except ValueError:
            continue
    raise UnknownEntryKind(value)
