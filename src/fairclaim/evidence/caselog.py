"""Verify a case-log export: a JSON file of hash-chained case events.

Export format (what the Django layer writes and `fairclaim evidence verify CASELOG.json` reads)::

    {"case": "FC-2026-000001", "encoding": "fairclaim.rules.case_log v1",
     "events": [{"seq": 1, "kind": "notice_sent", "payload": {...}, "actor": "manager",
                 "at": "2026-11-28T12:00:00.000000Z", "prev_hash": "000…0", "hash": "…"}, ...]}

The kinds are declared in `fairclaim.rules.case_events` (state changes and log-only entries).

Each event's hash is the one `fairclaim.rules.case_log` defines (its module docstring documents
the exact bytes: sorted-key JSON of actor, at, kind, payload, prev, seq, with `at` in UTC as
YYYY-MM-DDTHH:MM:SS.ffffffZ). The first event's prev_hash is 64 zeros; each later event's
prev_hash is the hash of the event before it, and seq counts 1, 2, 3, ... so a removed,
reordered or edited event breaks the chain where it happened.

Framework-free: no Django imports.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fairclaim.evidence.report import Check, Verification
from fairclaim.rules.case_log import GENESIS_HASH, CaseLogError
from fairclaim.rules.case_log import event_hash as rules_event_hash

HASHED_FIELDS = ("seq", "kind", "payload", "actor", "at")
FIRST_SEQ = 1  # the first event of a case is number 1


def event_hash(prev_hash: str, event: dict[str, Any]) -> str:
    """Hash of one exported event chained to the previous hash (rules.case_log's encoding)."""
    at = datetime.fromisoformat(str(event["at"]).replace("Z", "+00:00"))
    return rules_event_hash(
        prev_hash, event["seq"], event["kind"], event["payload"], event["actor"], at
    )


def looks_like_case_log(document: Any) -> bool:
    return isinstance(document, dict) and isinstance(document.get("events"), list)


def verify_case_log(document: Any) -> Verification:
    """Check every link of an exported case log; one check per event, plus the format."""
    checks: list[Check] = []
    if not looks_like_case_log(document):
        checks.append(Check("case log", False, 'not a case-log export (no "events" list)'))
        return Verification(kind="case-log", checks=checks)
    case = document.get("case")
    checks.append(Check("case log", True, f"case {case!r}, {len(document['events'])} events"))
    prev_hash = GENESIS_HASH
    for position, event in enumerate(document["events"]):
        expected_seq = FIRST_SEQ + position
        part = f"event {expected_seq}"
        problem = _event_problem(event, expected_seq, prev_hash)
        checks.append(Check(part, problem is None, problem or f"{event['kind']} {event['hash']}"))
        if isinstance(event, dict) and isinstance(event.get("hash"), str):
            prev_hash = event["hash"]  # keep checking later links against what was stored
    if not document["events"]:
        checks.append(Check("events", False, "the case log has no events"))
    return Verification(kind="case-log", checks=checks, subject=str(case))


def _event_problem(event: Any, expected_seq: int, prev_hash: str) -> str | None:
    if not isinstance(event, dict):
        return "not a JSON object"
    missing = [name for name in (*HASHED_FIELDS, "prev_hash", "hash") if name not in event]
    if missing:
        return "missing " + ", ".join(missing)
    if event["seq"] != expected_seq:
        return f"seq is {event['seq']!r}, expected {expected_seq} (event removed or reordered)"
    if event["prev_hash"] != prev_hash:
        return f"prev_hash {event['prev_hash']} does not link to the previous hash {prev_hash}"
    try:
        computed = event_hash(prev_hash, event)
    except (CaseLogError, ValueError, TypeError) as exc:
        return f"cannot be hashed: {exc}"
    if event["hash"] != computed:
        return f"hash {event['hash']} does not match its content (computed {computed})"
    return None
