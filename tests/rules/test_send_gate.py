"""The send gate, on plain values: each missing condition blocks with its own named reason."""

from dataclasses import replace
from decimal import Decimal

import pytest

from fairclaim.rules.send_gate import (
    Code,
    Evidence,
    LineFacts,
    NoticeKind,
    SendFacts,
    send_gate,
)

SOUND_LINE = LineFacts(
    label="Harbour on https://shop.example/p/1",
    linter_decision="send",
    amount=Decimal("450.00"),
    evidence=Evidence.PRESENT,
    bundle_verifies=True,
)
SOUND = SendFacts(NoticeKind.DEMAND, "review", "info@shop.example", (SOUND_LINE,))


def codes(facts: SendFacts) -> list[Code]:
    return [reason.code for reason in send_gate(facts).reasons]


def with_line(**changes) -> SendFacts:
    return replace(SOUND, lines=(replace(SOUND_LINE, **changes),))


def test_a_sound_case_may_send():
    verdict = send_gate(SOUND)
    assert verdict.go
    assert verdict.as_json() == {"kind": "demand", "go": True, "reasons": []}


@pytest.mark.parametrize(
    ("facts", "code"),
    [
        (replace(SOUND, recipient_email="  "), Code.NO_RECIPIENT_EMAIL),
        (replace(SOUND, lines=()), Code.NO_LINES),
        (replace(SOUND, state="draft"), Code.STATE),
        (with_line(linter_decision=None, linter_reasons=("no rate card",)), Code.CLAIM_NOT_CHECKED),
        (with_line(linter_decision="hold"), Code.LINTER_NOT_CLEAR),
        (with_line(linter_decision="block"), Code.LINTER_NOT_CLEAR),
        (with_line(amount=None), Code.NO_AMOUNT),
        (with_line(amount=Decimal("0.00")), Code.NO_AMOUNT),
        (with_line(evidence=Evidence.WAITING, bundle_verifies=False), Code.EVIDENCE_WAITING),
        (with_line(bundle_verifies=False), Code.EVIDENCE_NOT_VERIFIED),
        (with_line(evidence=Evidence.ABSENT), Code.EVIDENCE_ABSENT),
        (with_line(evidence=Evidence.REMOVED), Code.EVIDENCE_ABSENT),
    ],
)
def test_each_missing_condition_blocks_with_its_reason(facts, code):
    verdict = send_gate(facts)
    assert not verdict.go
    assert [r.code for r in verdict.reasons] == [code]
    assert verdict.summary()


def test_a_line_reason_names_the_line_and_what_to_do():
    [reason] = send_gate(with_line(evidence=Evidence.ABSENT)).reasons
    assert reason.line == SOUND_LINE.label
    assert "never" in reason.message
    assert "Drop the line, or record why the earlier evidence stands" in reason.remedy


def test_the_linter_reasons_are_quoted():
    verdict = send_gate(with_line(linter_decision="block", linter_reasons=("licence covers it",)))
    assert "licence covers it" in verdict.summary()


def test_a_decision_that_the_earlier_evidence_stands_lets_an_absent_capture_go():
    assert send_gate(with_line(evidence=Evidence.REMOVED, absence_decided=True)).go


def test_every_reason_is_given_not_only_the_first():
    facts = replace(
        with_line(linter_decision="hold", amount=None, evidence=Evidence.WAITING),
        recipient_email="",
    )
    assert codes(facts) == [
        Code.NO_RECIPIENT_EMAIL,
        Code.LINTER_NOT_CLEAR,
        Code.NO_AMOUNT,
        Code.EVIDENCE_WAITING,
    ]


def test_only_missing_captures_means_wait_for_them_and_send():
    waiting = send_gate(with_line(evidence=Evidence.WAITING))
    assert waiting.waits_for_evidence
    assert not send_gate(
        replace(with_line(evidence=Evidence.WAITING), recipient_email="")
    ).waits_for_evidence


def test_a_takedown_is_a_non_monetary_cure_but_needs_evidence_and_a_clear_check():
    dmca = replace(SOUND, kind=NoticeKind.DMCA)
    assert send_gate(replace(dmca, lines=(replace(SOUND_LINE, amount=None),))).go
    no_evidence = replace(dmca, lines=(replace(SOUND_LINE, evidence=Evidence.WAITING),))
    assert [r.code for r in send_gate(no_evidence).reasons] == [Code.EVIDENCE_WAITING]


@pytest.mark.parametrize(
    ("kind", "allowed", "refused"),
    [
        (NoticeKind.DEMAND, "review", "notice_sent"),
        (NoticeKind.REMINDER, "notice_sent", "defence_review"),
        (NoticeKind.DMCA, "notice_sent", "resolved_licensed"),
        (NoticeKind.ESCALATION, "overdue", "notice_sent"),
    ],
)
def test_each_kind_leaves_only_from_its_states(kind, allowed, refused):
    assert send_gate(replace(SOUND, kind=kind, state=allowed)).go
    assert codes(replace(SOUND, kind=kind, state=refused)) == [Code.STATE]
