"""The case log's vocabulary: two families of declared kinds, nothing else."""

import pytest

from fairclaim.rules.case_events import LogKind, UnknownEntryKind, entry_kind
from fairclaim.rules.case_states import CaseEvent


def test_a_state_change_and_a_log_entry_never_share_a_name():
    assert not {e.value for e in CaseEvent} & {k.value for k in LogKind}


@pytest.mark.parametrize("value", ["notice_sent", "escalated", "case_opened", "payment_received"])
def test_every_declared_kind_is_accepted_as_itself(value):
    kind = entry_kind(value)
    assert kind == value
    assert isinstance(kind, CaseEvent | LogKind)


def test_a_state_change_is_read_as_a_flow_event():
    assert entry_kind("notice_sent") is CaseEvent.NOTICE_SENT
    assert entry_kind("reminder_held") is LogKind.REMINDER_HELD


@pytest.mark.parametrize("value", ["", "NoticeSent", "notice-sent", "something_new"])
def test_an_undeclared_kind_is_refused_with_where_to_declare_it(value):
    with pytest.raises(UnknownEntryKind, match=r"rules\.case_events\.LogKind"):
        entry_kind(value)


@pytest.mark.parametrize("notice_kind", ["demand", "reminder", "dmca", "release", "certificate"])
def test_every_notice_kind_has_its_delivery_entry(notice_kind):
    assert LogKind.delivered(notice_kind).value == f"{notice_kind}_delivered"


@pytest.mark.parametrize("document_kind", ["release", "certificate"])
def test_every_settlement_document_has_its_issue_entry(document_kind):
    assert LogKind.issued(document_kind).value == f"{document_kind}_issued"


def test_a_notice_kind_without_a_delivery_entry_is_refused():
    with pytest.raises(ValueError, match="letter_delivered"):
        LogKind.delivered("letter")
