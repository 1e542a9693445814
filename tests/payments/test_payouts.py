"""Payout runs: drafted for review, made final once, immutable after; statements carry the
balance; the pain.001 file validates against its XSD; the scheduler and the command."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from lxml import etree

from fairclaim.accounts.models import Organisation
from fairclaim.ops.schedule import run_steps
from fairclaim.payments.actions import do_choose_offer
from fairclaim.payments.journal import agreement_for, owed_to
from fairclaim.payments.models import ImmutableRecord, JournalEntry, PayoutRun, Posting
from fairclaim.payments.payouts import (
    RunNotDraft,
    RunOutdated,
    do_discard_run,
    do_draft_run,
    do_finalise_run,
)
from fairclaim.payments.schedule import draft_monthly_runs
from fairclaim.payments.sepa import NAMESPACE, schema_path
from fairclaim.payments.statements import statement_csv, statement_pdf
from tests.payments.conftest import offer
from tests.payments.money import NOW, book

D = Decimal
DEBTOR = {"holder": "fairclaim Treuhand", "iban": "DE89370400440532013000", "bic": "COBADEFFXXX"}
CUTOFF = datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC)
LATER = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def operator(cast):
    return cast.case.rights_holder.operator


@pytest.fixture
def org(cast):
    org = cast.case.rights_holder
    agreement = agreement_for(org)
    agreement.commission_percent = D("40.00")
    agreement.minimum_payout = D("50.00")
    agreement.account_holder = "Alice Photo GmbH"
    agreement.iban = "DE02120300000000202051"
    agreement.bic = "BYLADEM1001"
    agreement.save()
    return org


@pytest.fixture
def case(cast, org):
    type(cast.case).objects.filter(pk=cast.case.pk).update(state="notice_sent", law_firm=None)
    cast.case.refresh_from_db()
    return cast.case


def draft(operator, cutoff=CUTOFF, now=LATER):
    return do_draft_run(
        operator=operator, cutoff=cutoff, execution_date=date(2026, 12, 3), actor="t", now=now
    )


def finalise(run, now=LATER):
    return do_finalise_run(run, actor="t", now=now, debtor=DEBTOR)


def validate_pain001(xml: str):
    schema = etree.XMLSchema(etree.parse(schema_path()))
    document = etree.fromstring(xml.encode())
    schema.assertValid(document)
    return document


def test_run_pays_what_is_due_and_shares_sum_to_collected(case, org, operator):
    plan = do_choose_offer(case, offer("1000.00"), 3, NOW)
    book(plan[0], "bank:1", "333.34")
    book(plan[1], "bank:2", "200.00")  # partial
    run = draft(operator)
    [statement] = run.statements.all()
    assert (statement.collected, statement.commission, statement.period) == (
        D("533.34"),
        D("213.34"),
        D("320.00"),
    )
    assert statement.collected == statement.commission + statement.costs + statement.period
    assert JournalEntry.objects.filter(statement__isnull=False).count() == 0  # drafts book nothing
    run = finalise(run)
    assert run.status == PayoutRun.Status.FINAL
    statement.refresh_from_db()
    assert (statement.paid, statement.carried, statement.outcome) == (D("320.00"), D(0), "paid")
    assert owed_to(org, "EUR") == 0
    # every posting ever made still balances, the payout moved money out of the trust account
    assert Posting.objects.aggregate(total=Sum("amount"))["total"] == 0
    document = validate_pain001(run.sepa_xml)
    amounts = document.findall(".//p:CdtTrfTxInf/p:Amt/p:InstdAmt", NAMESPACE)
    assert [a.text for a in amounts] == ["320.00"]
    assert document.findtext(".//p:CdtrAcct/p:Id/p:IBAN", namespaces=NAMESPACE) == (
        "DE02120300000000202051"
    )
    assert document.findtext(".//p:EndToEndId", namespaces=NAMESPACE) == statement.end_to_end_id


def test_money_after_the_cutoff_waits_for_the_next_run(case, org, operator):
    [payment] = do_choose_offer(case, offer("300.00"), 1, NOW)
    book(payment, "bank:1", "100.00")
    book(payment, "bank:2", "200.00", now=CUTOFF + timedelta(hours=1))
    first = finalise(draft(operator))
    assert first.statements.get().paid == D("60.00")
    second = finalise(draft(operator, cutoff=LATER, now=LATER + timedelta(hours=1)))
    statement = second.statements.get()
    assert (statement.previous_balance, statement.period, statement.paid) == (
        D(0),
        D("120.00"),
        D("120.00"),
    )


def test_balance_below_minimum_is_carried_into_the_next_statement(case, org, operator):
    [payment] = do_choose_offer(case, offer("300.00"), 1, NOW)
    book(payment, "bank:1", "100.00")  # share 60.00
    book(payment, "bank-refund:1", "30.00", kind="refund")  # share back to 42.00
    first = finalise(draft(operator))
    statement = first.statements.get()
    assert (statement.paid, statement.carried, statement.outcome) == (
        D(0),
        D("42.00"),
        "below_minimum",
    )
    assert first.sepa_xml == ""  # nothing to transfer
    book(payment, "bank:2", "230.00", now=LATER)  # share +138.00
    second = finalise(draft(operator, cutoff=LATER, now=LATER + timedelta(hours=1)))
    statement = second.statements.get()
    assert (statement.previous_balance, statement.period, statement.paid) == (
        D("42.00"),
        D("138.00"),
        D("180.00"),
    )
    rows = list(csv.reader(io.StringIO(statement_csv(statement))))
    assert rows[1][3:8] == ["previous balance", "", "", "", "42.00"]
    assert rows[-2][3] == "paid out"
    assert rows[-2][7] == "-180.00"
    assert sum(D(r[7]) for r in rows[2:-2]) == D("138.00")


def test_no_account_means_no_transfer(case, org, operator):
    agreement = agreement_for(org)
    agreement.iban = ""
    agreement.save()
    [payment] = do_choose_offer(case, offer("300.00"), 1, NOW)
    book(payment, "bank:1", "300.00")
    run = finalise(draft(operator))
    assert run.statements.get().outcome == "no_account"
    assert owed_to(org, "EUR") == D("180.00")


def test_final_run_is_immutable_and_cannot_be_made_final_twice(case, operator):
    [payment] = do_choose_offer(case, offer("300.00"), 1, NOW)
    book(payment, "bank:1", "300.00")
    run = finalise(draft(operator))
    with pytest.raises(RunNotDraft):
        finalise(run)
    with pytest.raises(RunNotDraft):
        do_discard_run(run)
    run.created_by = "someone else"
    with pytest.raises(ImmutableRecord):
        run.save()
    statement = run.statements.get()
    statement.paid = D("1000000.00")
    with pytest.raises(ImmutableRecord):
        statement.save()
    with pytest.raises(ImmutableRecord):
        run.delete()


def test_money_booked_after_review_makes_the_draft_outdated(case, operator):
    [payment] = do_choose_offer(case, offer("300.00"), 1, NOW)
    book(payment, "bank:1", "100.00")
    run = draft(operator)
    book(payment, "bank:2", "200.00", now=CUTOFF - timedelta(days=1))  # a late-imported statement
    with pytest.raises(RunOutdated):
        finalise(run)
    run.refresh_from_db()
    assert run.status == PayoutRun.Status.DRAFT
    assert JournalEntry.objects.filter(statement__isnull=False).count() == 0


def test_a_new_draft_discards_the_previous_one(case, operator):
    first = draft(operator)
    second = draft(operator)
    first.refresh_from_db()
    assert (first.status, second.status) == ("discarded", "draft")


def test_statement_pdf_is_rendered(case, operator):
    [payment] = do_choose_offer(case, offer("300.00"), 1, NOW)
    book(payment, "bank:1", "300.00")
    run = finalise(draft(operator))
    pdf = statement_pdf(run.statements.get())
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 2000


def test_scheduler_drafts_one_monthly_run_per_operator(case, operator):
    [payment] = do_choose_offer(case, offer("300.00"), 1, NOW)
    book(payment, "bank:1", "300.00")
    now = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    assert draft_monthly_runs(now) == 1
    assert draft_monthly_runs(now + timedelta(hours=1)) == 0  # idempotent
    run = PayoutRun.objects.get()
    assert (run.operator, run.status) == (operator, "draft")
    assert run.cutoff.date() == date(2026, 11, 30)
    assert run.statements.get().period == D("180.00")
    run_steps(now + timedelta(hours=2))  # registered with the scheduler: still one run
    assert PayoutRun.objects.count() == 1


def test_manage_payout_run_drafts_and_makes_final(case, operator, tmp_path):
    [payment] = do_choose_offer(case, offer("300.00"), 1, NOW)
    book(payment, "bank:1", "300.00")
    out = io.StringIO()
    sepa = tmp_path / "run.xml"
    call_command(
        "payout_run",
        "--operator",
        operator.slug,
        "--until",
        "2026-11-30",
        "--final",
        "--sepa-out",
        str(sepa),
        stdout=out,
    )
    assert "paid 180.00 EUR (paid)" in out.getvalue()
    validate_pain001(sepa.read_text())
    with pytest.raises(CommandError, match="no operator"):
        call_command("payout_run", "--operator", "nope", stdout=io.StringIO())
    with pytest.raises(CommandError, match="not a date"):
        call_command("payout_run", "--until", "30.11.2026", stdout=io.StringIO())


def test_rights_holders_without_operator_have_their_own_runs(case, operator):
    lone = Organisation.objects.create(name="Lone", slug="lone", kind="rights_holder")
    assert draft(None).statements.count() == 0
    assert lone.operator is None


def test_scheduler_never_discards_a_draft_under_review(case, operator):
    [payment] = do_choose_offer(case, offer("300.00"), 1, NOW)
    book(payment, "bank:1", "300.00")
    mine = draft(operator, cutoff=datetime(2026, 11, 20, tzinfo=UTC), now=LATER)
    now = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
    assert draft_monthly_runs(now) == 0
    mine.refresh_from_db()
    assert mine.status == "draft"
    do_discard_run(mine)
    assert draft_monthly_runs(now) == 1
