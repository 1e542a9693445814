"""The hash-chained case log: the documented encoding, and every kind of tampering."""

import dataclasses
import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest

from fairclaim.rules.case_log import (
    GENESIS_HASH,
    CaseLogError,
    ChainProblem,
    LogEntry,
    append_entry,
    canonical_bytes,
    event_hash,
    verify_chain,
)

AT = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def build_chain(n: int = 5) -> list[LogEntry]:
    entries: list[LogEntry] = []
    kinds = ["case_created", "submitted_for_review", "notice_sent", "reminder_sent", "note"]
    for i in range(n):
        previous = entries[-1] if entries else None
        payload = {"i": i, "amount": "149.00", "nested": {"ä": [1, True, None]}}
        entries.append(
            append_entry(previous, kinds[i % 5], payload, f"user:{i}", AT + timedelta(minutes=i))
        )
    return entries


def test_hash_matches_the_documented_encoding_byte_for_byte():
    expected_text = (
        '{"actor":"system","at":"2026-11-28T12:00:00.000000Z","kind":"case_created",'
        '"payload":{"a":1,"b":"ü"},"prev":"'
        "0000000000000000000000000000000000000000000000000000000000000000"
        '","seq":1}'
    )
    raw = canonical_bytes(GENESIS_HASH, 1, "case_created", {"b": "ü", "a": 1}, "system", AT)
    assert raw == expected_text.encode("utf-8")
    assert event_hash(GENESIS_HASH, 1, "case_created", {"b": "ü", "a": 1}, "system", AT) == (
        hashlib.sha256(expected_text.encode("utf-8")).hexdigest()
    )


def test_time_is_normalised_to_utc_so_equal_instants_hash_equally():
    berlin = timezone(timedelta(hours=1))
    same_instant = datetime(2026, 11, 28, 13, 0, tzinfo=berlin)
    assert event_hash(GENESIS_HASH, 1, "k", {}, "a", same_instant) == event_hash(
        GENESIS_HASH, 1, "k", {}, "a", AT
    )


def test_refuses_naive_datetime():
    with pytest.raises(CaseLogError, match="time zone"):
        event_hash(GENESIS_HASH, 1, "k", {}, "a", datetime(2026, 11, 28, 12, 0))


def test_refuses_float_in_payload_naming_its_path():
    with pytest.raises(CaseLogError, match=r"payload\.fee\.amount is a float"):
        event_hash(GENESIS_HASH, 1, "k", {"fee": {"amount": 1.5}}, "a", AT)


def test_refuses_non_string_keys_and_non_json_values():
    with pytest.raises(CaseLogError, match="non-string key"):
        event_hash(GENESIS_HASH, 1, "k", {"x": {1: "a"}}, "a", AT)
    with pytest.raises(CaseLogError, match="set"):
        event_hash(GENESIS_HASH, 1, "k", {"x": {1, 2}}, "a", AT)


def test_intact_chain_verifies_and_reports_its_head():
    chain = build_chain()
    verdict = verify_chain(chain)
    assert verdict.ok
    assert verdict.entries_checked == 5
    assert verdict.head_hash == chain[-1].hash
    assert verdict.problem is None


def test_empty_chain_is_valid_with_genesis_head():
    verdict = verify_chain([])
    assert verdict.ok
    assert verdict.head_hash == GENESIS_HASH


def test_first_entry_starts_at_seq_one_from_genesis():
    first = build_chain(1)[0]
    assert first.seq == 1
    assert first.prev_hash == GENESIS_HASH


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "withdrawn"),
        ("payload", {"i": 2, "amount": "1490.00", "nested": {"ä": [1, True, None]}}),
        ("actor", "user:evil"),
        ("at", AT + timedelta(minutes=2, microseconds=1)),
        ("hash", "f" * 64),
    ],
)
def test_changing_any_field_of_an_entry_is_reported_as_altered_at_that_entry(field, value):
    chain = build_chain()
    chain[2] = dataclasses.replace(chain[2], **{field: value})
    verdict = verify_chain(chain)
    assert not verdict.ok
    assert verdict.problem == ChainProblem.ALTERED
    assert verdict.first_bad_index == 2
    assert verdict.first_bad_seq == 3


def test_changing_prev_hash_is_reported_as_broken_link():
    chain = build_chain()
    chain[3] = dataclasses.replace(chain[3], prev_hash="a" * 64)
    verdict = verify_chain(chain)
    assert verdict.problem == ChainProblem.BROKEN_LINK
    assert verdict.first_bad_seq == 4


def test_changing_seq_is_reported_at_that_entry():
    chain = build_chain()
    chain[1] = dataclasses.replace(chain[1], seq=7)
    verdict = verify_chain(chain)
    assert verdict.problem == ChainProblem.MISSING
    assert verdict.first_bad_index == 1


def test_swapped_entries_are_reported_as_reordered():
    chain = build_chain()
    chain[1], chain[2] = chain[2], chain[1]
    verdict = verify_chain(chain)
    assert verdict.problem == ChainProblem.REORDERED
    assert verdict.first_bad_index == 1
    assert verdict.first_bad_seq == 3


def test_dropped_middle_entry_is_reported_as_missing():
    chain = build_chain()
    del chain[2]
    verdict = verify_chain(chain)
    assert verdict.problem == ChainProblem.MISSING
    assert verdict.first_bad_index == 2
    assert "seq 3 is missing" in verdict.reason


def test_duplicated_seq_is_reported_as_inserted():
    chain = build_chain()
    forged = dataclasses.replace(chain[1], kind="note", payload={"x": "forged"})
    chain.insert(2, forged)
    verdict = verify_chain(chain)
    assert verdict.problem == ChainProblem.INSERTED
    assert verdict.first_bad_index == 2


def test_inserted_and_renumbered_entry_breaks_the_next_hash():
    chain = build_chain()
    forged = append_entry(chain[1], "note", {"x": "forged"}, "user:evil", AT)
    renumbered = [dataclasses.replace(e, seq=e.seq + 1) for e in chain[2:]]
    verdict = verify_chain([*chain[:2], forged, *renumbered])
    assert not verdict.ok
    assert verdict.first_bad_index == 3
    assert verdict.problem in {ChainProblem.BROKEN_LINK, ChainProblem.ALTERED}


def test_chain_not_starting_at_genesis_is_bad_start():
    chain = build_chain()
    verdict = verify_chain(chain[1:])
    assert verdict.problem == ChainProblem.BAD_START
    assert verdict.first_bad_index == 0


def test_truncated_tail_is_caught_only_against_a_trusted_head():
    chain = build_chain()
    assert verify_chain(chain[:-1]).ok
    verdict = verify_chain(chain[:-1], expected_head=chain[-1].hash)
    assert verdict.problem == ChainProblem.HEAD_MISMATCH
    assert verify_chain(chain, expected_head=chain[-1].hash).ok


def test_unhashable_payload_in_stored_entry_is_reported_not_raised():
    chain = build_chain()
    chain[4] = dataclasses.replace(chain[4], payload={"x": 0.5})
    verdict = verify_chain(chain)
    assert verdict.problem == ChainProblem.ALTERED
    assert "float" in verdict.reason
