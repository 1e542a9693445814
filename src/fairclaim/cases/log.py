"""Appending to and checking a case's hash-chained log: the Django side of `rules.case_log`.

The hashing and the chain check are the pure core's (its docstring documents the exact encoding,
so anyone can recompute a hash); here we store entries, lock the case while appending, and export
the log as the JSON document `fairclaim evidence verify` checks.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from fairclaim.rules.case_events import LogKind, entry_kind
from fairclaim.rules.case_log import (
    ChainVerdict,
    LogEntry,
    append_entry,
    format_at,
    verify_chain,
)
from fairclaim.rules.case_states import CaseEvent as FlowEvent

from .models import Case, CaseEvent


def append_event(
    case: Case,
    kind: FlowEvent | LogKind,
    payload: dict | None = None,
    *,
    actor: str,
    at: datetime | None = None,
) -> CaseEvent:
    """Append one entry. Locks the case row so concurrent appends cannot fork the chain. Times
    never run backwards along the sequence (`rules.case_log.append_entry` says how).

    `kind` is one of the declared kinds (`rules.case_events`); any other is refused before
    anything is stored.

    Payload values must be JSON strings, integers, booleans, lists or objects (money as decimal
    strings); anything else is refused by the pure core before it is stored.
    """
    kind = entry_kind(kind)
    payload = json.loads(json.dumps(payload or {}))
    # The database keeps microseconds; the hash is over the same value.
    at = (at or timezone.now()).astimezone(UTC)
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).exists()
        last = CaseEvent.objects.filter(case=case).order_by("-seq").first()
        entry = append_entry(_entry(last) if last else None, kind.value, payload, actor, at)
        event = CaseEvent.objects.create(
            case=case,
            seq=entry.seq,
            kind=entry.kind,
            payload=entry.payload,
            actor=entry.actor,
            at=entry.at,
            prev_hash=entry.prev_hash,
            hash=entry.hash,
        )
        # Whoever must hear of this entry is told (outbox rows in this same transaction).
        from .notifications import queue_for_event

        queue_for_event(case, event)
        return event


def verify_case_log(case: Case) -> ChainVerdict:
    return verify_chain(_entry(e) for e in CaseEvent.objects.filter(case=case).order_by("seq"))


def export_case_log(case: Case) -> dict:
    """The case log as a self-contained JSON document that `fairclaim evidence verify` checks."""
    return {
        "case": case.reference,
        "encoding": "fairclaim.rules.case_log v1",
        "events": [
            {
                "seq": e.seq,
                "kind": e.kind,
                "payload": e.payload,
                "actor": e.actor,
                "at": format_at(e.at),
                "prev_hash": e.prev_hash,
                "hash": e.hash,
            }
            for e in CaseEvent.objects.filter(case=case).order_by("seq")
        ],
    }


def _entry(event: CaseEvent) -> LogEntry:
    return LogEntry(
        event.seq, event.kind, event.payload, event.actor, event.at, event.prev_hash, event.hash
    )
