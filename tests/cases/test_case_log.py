"""The case log: append-only, hash-chained; any change, removal or insertion is detected."""

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from fairclaim.cases.log import append_event, export_case_log, verify_case_log
from fairclaim.cases.models import CaseEvent
from fairclaim.rules.case_log import GENESIS_HASH, ChainProblem
from tests.cast import sign_in

AT = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)  # after the cast case opened


@pytest.fixture
def logged_case(cast):
    case = cast.case
    append_event(case, "notice_sent", {"notice": 1, "amount": "350.00"}, actor="manager", at=AT)
    append_event(
        case, "reminder_sent", {"notice": 2}, actor="system", at=AT + dt.timedelta(days=14)
    )
    return case


def test_entries_chain_from_genesis_and_verify(logged_case):
    events = list(logged_case.events.order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    assert verify_case_log(logged_case).ok


def test_the_orm_refuses_to_change_or_delete_entries(logged_case):
    event = logged_case.events.get(seq=2)
    event.payload = {"amount": "1.00"}
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    with pytest.raises(ValidationError):
        CaseEvent.objects.filter(case=logged_case).update(kind="x")
    with pytest.raises(ValidationError):
        CaseEvent.objects.filter(case=logged_case).delete()


def raw_sql(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize(
    ("column", "value"),
    [("payload", '{"notice": 1, "amount": "3500.00"}'), ("kind", "licence_accepted"),
     ("actor", "someone else"), ("at", "2026-03-02 12:00:00")],
)  # fmt: skip
def test_a_changed_entry_is_detected_at_its_place(logged_case, column, value):
    raw_sql(
        f"UPDATE cases_caseevent SET {column} = %s WHERE case_id = %s AND seq = 2",  # noqa: S608
        [value, logged_case.pk],
    )
    verdict = verify_case_log(logged_case)
    assert not verdict.ok
    assert verdict.first_bad_seq == 2
    assert verdict.problem == ChainProblem.ALTERED


def test_a_removed_entry_is_detected(logged_case):
    raw_sql("DELETE FROM cases_caseevent WHERE case_id = %s AND seq = 2", [logged_case.pk])
    verdict = verify_case_log(logged_case)
    assert (verdict.ok, verdict.first_bad_seq, verdict.problem) == (False, 3, ChainProblem.MISSING)


def test_the_export_is_self_contained_json(logged_case):
    exported = export_case_log(logged_case)
    assert exported["case"] == logged_case.reference
    assert exported["events"][1]["at"] == "2027-03-01T12:00:00.000000Z"
    assert exported["events"][1]["payload"] == {"notice": 1, "amount": "350.00"}


def test_references_are_human_and_unique(cast):
    from fairclaim.cases.models import Case

    second = Case.objects.create(
        rights_holder=cast.case.rights_holder, jurisdiction="US", recipient_domain="b.example"
    )
    year = second.created_at.year
    assert cast.case.reference == f"FC-{year}-{cast.case.pk:06d}"
    assert second.reference == f"FC-{year}-{second.pk:06d}"


def test_an_exported_log_verifies_with_the_cli_and_a_change_is_named(
    client, cast, logged_case, tmp_path
):
    import json
    import subprocess
    import sys

    sign_in(client, cast.lawfirm)
    response = client.get(f"/cases/{logged_case.reference}/case-log.json")
    assert response["Content-Disposition"].endswith('-case-log.json"')
    export = tmp_path / "log.json"
    export.write_bytes(response.content)
    verify = [sys.executable, "-m", "fairclaim.cli", "evidence", "verify", str(export)]
    ok = subprocess.run(verify, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    document = json.loads(response.content)
    document["events"][1]["payload"]["amount"] = "3500.00"
    export.write_text(json.dumps(document))
    bad = subprocess.run(verify, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1
    assert "FAILED event 2" in bad.stdout
    sign_in(client, cast.charlie)
    assert client.get(f"/cases/{logged_case.reference}/case-log.json").status_code == 404


def test_time_never_runs_backwards_along_the_sequence(logged_case):
    """A task that started before the last entry (a long capture, say) logs at that entry's
    time, not before it: reading the log in order is reading it in time."""
    late = append_event(logged_case, "evidence_captured", {"capture": 1}, actor="system", at=AT)
    events = list(logged_case.events.order_by("seq"))
    assert late.at == events[-2].at == AT + dt.timedelta(days=14)
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert verify_case_log(logged_case).ok
