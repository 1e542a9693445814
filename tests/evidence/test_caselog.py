"""Case-log exports: the hash chain holds, and any edit, removal or reordering breaks it."""

from __future__ import annotations

import copy
import hashlib
import json

import pytest

from fairclaim.evidence.caselog import GENESIS_HASH, event_hash, verify_case_log


def chain(events):
    """Build an export as rules.case_log documents it (independently of event_hash)."""
    prev = "0" * 64
    out = []
    for seq, (kind, payload) in enumerate(events, start=1):
        at = f"2026-11-{seq:02d}T10:00:00.000000Z"
        document = {"actor": "manager:7", "at": at, "kind": kind, "payload": payload,
                    "prev": prev, "seq": seq}  # fmt: skip
        text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        out.append({"seq": seq, "kind": kind, "payload": payload, "actor": "manager:7",
                    "at": at, "prev_hash": prev, "hash": digest})  # fmt: skip
        prev = digest
    return {"case": "FC-2026-0001", "events": out}


EVENTS = [
    ("ClaimApproved", {"amount": "450.00", "currency": "EUR"}),
    ("NoticeSent", {"channel": "email", "to": "büro@example.de"}),
    ("DefenceRaised", {"kind": "licence", "text": "Wir haben eine Lizenz"}),
]


def test_intact_export_verifies_event_by_event():
    verification = verify_case_log(chain(EVENTS))
    assert verification.ok
    assert [check.part for check in verification.checks] == [
        "case log",
        "event 1",
        "event 2",
        "event 3",
    ]


def test_event_hash_matches_the_documented_encoding():
    export = chain(EVENTS)
    assert event_hash(GENESIS_HASH, export["events"][0]) == export["events"][0]["hash"]


def test_edited_payload_breaks_that_event():
    export = chain(EVENTS)
    export["events"][1]["payload"]["to"] = "someone@else.example"
    verification = verify_case_log(export)
    assert [check.part for check in verification.failed] == ["event 2"]
    assert "does not match its content" in verification.failed[0].detail


def test_removed_event_breaks_the_chain():
    export = chain(EVENTS)
    del export["events"][1]
    verification = verify_case_log(export)
    assert not verification.ok
    assert verification.failed[0].part == "event 2"


def test_reordered_events_break_the_chain():
    export = chain(EVENTS)
    export["events"][1], export["events"][2] = export["events"][2], export["events"][1]
    assert not verify_case_log(export).ok


def test_rehashed_edit_without_relinking_is_caught_at_the_next_event():
    export = chain(EVENTS)
    forged = copy.deepcopy(export)
    event = forged["events"][0]
    event["payload"]["amount"] = "45.00"
    event["hash"] = event_hash(GENESIS_HASH, event)
    verification = verify_case_log(forged)
    assert [check.part for check in verification.failed] == ["event 2"]
    assert "does not link" in verification.failed[0].detail


@pytest.mark.parametrize("document", [[], {"case": "X"}, {"events": "nope"}, {"events": [42]}])
def test_malformed_exports_fail_without_raising(document):
    assert not verify_case_log(document).ok


def test_empty_event_list_does_not_verify():
    assert not verify_case_log({"case": "X", "events": []}).ok
