"""The append-only, hash-chained case log: entry hashing and chain verification (pure).

Product rule 7 (docs/architecture.md): every decision and message is kept in an append-only,
hash-chained case log. The Django layer stores `LogEntry` rows; this module computes and checks
their hashes. No Django, no I/O, no clock (the caller passes `at`).

Exact encoding (so an outside verifier can recompute a hash without this code):

    hash = lowercase hex SHA-256 of the UTF-8 bytes of
    json.dumps(
        {"actor": actor, "at": AT, "kind": kind, "payload": payload, "prev": prev_hash, "seq": seq},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False,
    )

- AT is the timestamp in UTC, formatted `YYYY-MM-DDTHH:MM:SS.ffffffZ` (always six fractional
  digits, always `Z`); naive datetimes are refused.
- `seq` is an integer; the first entry has seq 1 and prev `GENESIS_HASH` (64 zeros); each next
  entry has seq + 1 and the previous entry's hash as prev.
- `payload` is a JSON object whose keys are strings and whose values are strings, integers,
  booleans, null, lists or objects of the same. Floats are refused (their text form is not
  canonical across languages): send money and ratios as decimal strings, e.g. "149.00".
- Keys are sorted by Unicode code point at every level; no whitespace; non-ASCII text is written
  as UTF-8, not as \\u escapes.

For example, `event_hash(GENESIS_HASH, 1, "case_created", {"ref": "FC-1"}, "system",
datetime(2026, 11, 28, 12, 0, tzinfo=UTC))` hashes the bytes
`{"actor":"system","at":"2026-11-28T12:00:00.000000Z","kind":"case_created","payload":{"ref":"FC-1"},"prev":"000…000","seq":1}`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

GENESIS_HASH = "0" * 64
"""prev hash of the first entry: a fixed value any verifier can write down."""

FIRST_SEQ = 1


class CaseLogError(ValueError):
    """Input that cannot be hashed canonically (naive time, float, non-string key...)."""


@dataclass(frozen=True)
class LogEntry:
    seq: int
    kind: str
    payload: Mapping[str, Any]
    actor: str
    at: datetime
    prev_hash: str
    hash: str


class ChainProblem(StrEnum):
    ALTERED = "altered"  # the entry's content no longer matches its hash
    BROKEN_LINK = "broken_link"  # prev_hash is not the previous entry's hash
    MISSING = "missing"  # a sequence number is skipped and never appears
    REORDERED = "reordered"  # the expected sequence number appears later in the list
    INSERTED = "inserted"  # a sequence number appears twice
    BAD_START = "bad_start"  # the first entry is not seq 1 from the genesis hash
    HEAD_MISMATCH = "head_mismatch"  # the chain ends before/after the head the caller trusts


@dataclass(frozen=True)
class ChainVerdict:
    ok: bool
    entries_checked: int
    head_hash: str
    first_bad_index: int | None = None
    first_bad_seq: int | None = None
    problem: ChainProblem | None = None
    reason: str = ""
    details: dict[str, Any] = field(default_factory=dict)


def format_at(at: datetime) -> str:
    if at.tzinfo is None or at.utcoffset() is None:
        raise CaseLogError(f"log time {at.isoformat()} has no time zone; pass an aware datetime")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _check_json_value(value: object, path: str) -> None:
    if value is None or isinstance(value, (str, bool, int)):
        return
    if isinstance(value, float):
        raise CaseLogError(f"payload{path} is a float; send numbers as decimal strings")
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_json_value(item, f"{path}[{i}]")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CaseLogError(f"payload{path} has a non-string key {key!r}")
            _check_json_value(item, f"{path}.{key}")
        return
    raise CaseLogError(f"payload{path} has a {type(value).__name__}, which JSON cannot hold")


def canonical_bytes(
    prev_hash: str, seq: int, kind: str, payload: Mapping[str, Any], actor: str, at: datetime
) -> bytes:
    """The exact bytes `event_hash` hashes (see the module docstring)."""
    if not isinstance(seq, int) or isinstance(seq, bool):
        raise CaseLogError(f"seq must be an integer, got {seq!r}")
    if not isinstance(payload, Mapping):
        raise CaseLogError("payload must be a JSON object")
    _check_json_value(payload, "")
    document = {
        "actor": actor,
        "at": format_at(at),
        "kind": kind,
        "payload": payload,
        "prev": prev_hash,
        "seq": seq,
    }
    text = json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def event_hash(
    prev_hash: str, seq: int, kind: str, payload: Mapping[str, Any], actor: str, at: datetime
) -> str:
    return hashlib.sha256(canonical_bytes(prev_hash, seq, kind, payload, actor, at)).hexdigest()


def append_entry(
    previous: LogEntry | None, kind: str, payload: Mapping[str, Any], actor: str, at: datetime
) -> LogEntry:
    """The entry that follows `previous` (None = the first entry of a case).

    Time never runs backwards along the sequence: an `at` earlier than the previous entry's (a
    task's start, say) is logged at the previous entry's time, so reading the log in order is
    reading it in time (the event's own time, where it matters, is in its payload)."""
    if previous is not None and at < previous.at:
        at = previous.at
    prev_hash = GENESIS_HASH if previous is None else previous.hash
    seq = FIRST_SEQ if previous is None else previous.seq + 1
    digest = event_hash(prev_hash, seq, kind, payload, actor, at)
    return LogEntry(seq, kind, dict(payload), actor, at, prev_hash, digest)


def verify_chain(events: Iterable[LogEntry], expected_head: str | None = None) -> ChainVerdict:
    """Check order, links and hashes; report the first entry that breaks the chain and how.

    `expected_head`, when given, is a head hash the caller trusts from elsewhere (a signed notice,
    an export receipt): a chain that ends anywhere else was truncated or extended.
    """
    entries = list(events)
    seqs = [entry.seq for entry in entries]
    prev_hash = GENESIS_HASH
    for index, entry in enumerate(entries):
        expected_seq = FIRST_SEQ + index

        def bad(
            problem: ChainProblem,
            reason: str,
            _e: LogEntry = entry,
            _i: int = index,
            _head: str = prev_hash,
        ) -> ChainVerdict:
            return ChainVerdict(False, _i, _head, _i, _e.seq, problem, reason)

        if entry.seq != expected_seq:
            if index == 0:
                return bad(ChainProblem.BAD_START, f"first entry has seq {entry.seq}, not 1")
            if entry.seq in seqs[:index]:
                return bad(
                    ChainProblem.INSERTED, f"seq {entry.seq} appears again at position {index}"
                )
            if expected_seq in seqs[index + 1 :]:
                return bad(
                    ChainProblem.REORDERED,
                    f"seq {expected_seq} expected at position {index}, found {entry.seq}; "
                    f"seq {expected_seq} comes later",
                )
            return bad(ChainProblem.MISSING, f"seq {expected_seq} is missing (next is {entry.seq})")
        if entry.prev_hash != prev_hash:
            problem = ChainProblem.BAD_START if index == 0 else ChainProblem.BROKEN_LINK
            return bad(problem, f"entry seq {entry.seq} does not point at the previous hash")
        try:
            recomputed = event_hash(
                entry.prev_hash, entry.seq, entry.kind, entry.payload, entry.actor, entry.at
            )
        except CaseLogError as exc:
            return bad(ChainProblem.ALTERED, f"entry seq {entry.seq} cannot be hashed: {exc}")
        if recomputed != entry.hash:
            return bad(
                ChainProblem.ALTERED, f"entry seq {entry.seq} content does not match its hash"
            )
        prev_hash = entry.hash
    if expected_head is not None and expected_head != prev_hash:
        return ChainVerdict(
            False,
            len(entries),
            prev_hash,
            len(entries),
            None,
            ChainProblem.HEAD_MISMATCH,
            "the chain does not end at the expected head hash "
            "(entries removed or added at the end)",
        )
    return ChainVerdict(True, len(entries), prev_hash)
