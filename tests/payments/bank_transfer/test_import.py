"""Importing statements: matching by case reference, amount and currency; partial and over
payments; unmatched lines for a case manager; a second import books nothing."""

import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from fairclaim.cases.log import verify_case_log
from fairclaim.payments.actions import do_assign_statement_line
from fairclaim.payments.models import Payment, PaymentFact, StatementLine
from fairclaim.payments.providers.bank_transfer.backend import import_statement
from fairclaim.payments.providers.base import PaymentError

from .camt import Entry, camt053


def spaced(reference: str) -> str:
    return reference.replace("-", " ")


def run(data: bytes, name="stmt.xml"):
    return import_statement(data, name, now=timezone.now())


def test_exact_transfer_pays_the_first_open_instalment(plan):
    ref = plan[0].case.reference
    report = run(camt053([Entry("150.00", [f"Rate 1 {spaced(ref).lower()}"], ref="a1")]))
    assert (report.matched, report.lines, report.unmatched) == (1, 1, [])
    plan[0].refresh_from_db()
    assert (plan[0].status, plan[0].method) == (Payment.Status.SUCCEEDED, "bank_transfer")
    line = StatementLine.objects.get()
    assert (line.status, line.case) == (StatementLine.Status.MATCHED, plan[0].case)


def test_whole_plan_paid_in_one_transfer_resolves_the_case(plan):
    case = plan[0].case
    run(camt053([Entry("300.00", [case.reference], ref="all")]))
    statuses = set(Payment.objects.filter(case=case).values_list("status", flat=True))
    assert statuses == {Payment.Status.SUCCEEDED}
    case.refresh_from_db()
    assert case.state == "resolved_paid"
    assert verify_case_log(case).ok


def test_short_transfer_is_partial_for_a_case_manager(plan):
    run(camt053([Entry("100.00", [plan[0].case.reference], ref="short")]))
    plan[0].refresh_from_db()
    assert plan[0].status == Payment.Status.PART_PAID
    line = StatementLine.objects.get()
    assert line.status == StatementLine.Status.PARTIAL
    assert "50.00 EUR short" in line.reason
    # The rest arrives later and completes the instalment.
    run(camt053([Entry("50.00", [plan[0].case.reference], ref="rest")]))
    plan[0].refresh_from_db()
    assert plan[0].status == Payment.Status.SUCCEEDED


def test_transfer_of_more_than_everything_owed_is_an_overpayment(plan):
    run(camt053([Entry("320.00", [plan[0].case.reference], ref="over")]))
    plan[1].refresh_from_db()
    assert plan[1].status == Payment.Status.OVERPAID
    assert plan[1].outstanding == Decimal("-20.00")
    line = StatementLine.objects.get()
    assert (line.status, line.reason.endswith("20.00 EUR over")) == ("overpaid", True)
    plan[0].case.refresh_from_db()
    assert plan[0].case.state == "resolved_paid"  # everything owed was paid


def test_importing_the_same_statement_twice_books_nothing_twice(plan):
    ref = plan[0].case.reference
    data = camt053([
        Entry("150.00", [ref], ref="e1"),
        Entry("20.00", ["no reference here"], ref="e2"),
        Entry("10.00", [ref]),  # no bank reference: keyed by a hash of the line
    ])  # fmt: skip
    first = run(data)
    second = run(data, "stmt-again.xml")
    assert (first.matched, first.partial, len(first.unmatched)) == (1, 1, 1)
    assert (second.lines, second.duplicates, second.matched, second.unmatched) == (3, 3, 0, [])
    assert PaymentFact.objects.count() == 2
    assert StatementLine.objects.count() == 3
    plan[1].refresh_from_db()
    assert plan[1].amount_received == Decimal("10.00")


def test_unmatched_lines_are_reported_with_their_reason(plan):
    case = plan[0].case
    report = run(
        camt053([
            Entry("150.00", ["Invoice 4711"], ref="u1", debtor="Somebody Ltd"),
            Entry("150.00", ["FC-2026-999999"], ref="u2"),
            Entry("150.00", [case.reference], ref="u3", currency="USD"),
            Entry("12.50", ["fees"], ref="d1", credit=False),
        ])
    )  # fmt: skip
    reasons = [line.reason for line in report.unmatched]
    assert reasons == [
        "no case reference in remittance",
        "no case FC-2026-999999",
        f"paid in USD, {case.reference} is owed in EUR",
    ]
    assert report.ignored == 1
    text = report.as_text()
    assert "3 unmatched" in text
    assert "'Somebody Ltd'" in text
    assert "Invoice 4711" in text
    assert not PaymentFact.objects.exists()


def test_transfer_for_a_case_without_a_plan_waits_for_a_case_manager(cast):
    report = run(camt053([Entry("150.00", [cast.case.reference], ref="x")]))
    [line] = report.unmatched
    assert line.reason == f"{cast.case.reference} has no open payment"
    assert line.case == cast.case


def test_case_manager_assigns_an_unmatched_line(plan, cast):
    report = run(camt053([Entry("150.00", ["Payment for shop.example"], ref="m1")]))
    [line] = report.unmatched
    line = do_assign_statement_line(line, plan[0].case, actor=cast.manager.username)
    assert line.status == StatementLine.Status.MATCHED
    plan[0].refresh_from_db()
    assert plan[0].status == Payment.Status.SUCCEEDED
    assert plan[0].case.events.filter(kind="statement_line_assigned").exists()
    with pytest.raises(PaymentError, match="matched"):
        do_assign_statement_line(line, plan[0].case, actor="manager")


def test_command_imports_csv_and_camt_and_prints_json(plan, tmp_path, capsys):
    ref = plan[0].case.reference
    csv_file = tmp_path / "dec.csv"
    csv_file.write_text(
        f"Booking date;Amount;Currency;Remittance;Entry reference\n"
        f"2026-12-01;150,00;EUR;{ref.lower()};C-1\n"
        f"2026-12-02;9,99;EUR;unknown;C-2\n"
    )
    xml_file = tmp_path / "dec.xml"
    xml_file.write_bytes(camt053([Entry("150.00", [spaced(ref)], ref="X-1")]))
    call_command("import_bank_statement", str(csv_file), str(xml_file), "--json")
    reports = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["format"], r["matched"], r["unmatched"]) for r in reports] == [
        ("csv", 1, 1),
        ("camt053", 1, 0),
    ]
    assert reports[0]["unmatched_lines"][0]["remittance"] == "unknown"
    plan[0].case.refresh_from_db()
    assert plan[0].case.state == "resolved_paid"


def test_command_fails_on_an_unreadable_statement(db, tmp_path, capsys):
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<Document>")
    with pytest.raises(CommandError, match="1 statement"):
        call_command("import_bank_statement", str(bad))
    assert "well-formed" in capsys.readouterr().err
