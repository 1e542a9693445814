"""Reading camt.053 and CSV statements (pure: bytes in, lines out)."""

from datetime import date
from decimal import Decimal

import pytest

from fairclaim.payments.providers.bank_transfer.statements import (
    MAX_STATEMENT_BYTES,
    StatementError,
    parse_statement,
)

from .camt import ACCOUNT, Entry, camt053


@pytest.mark.parametrize("version", ["02", "08"])
def test_reads_booked_credit_with_payer_and_remittance(version):
    data = camt053(
        [Entry("150.00", ["FC 2026 000001 Rate 1"], ref="2026120100001")], version=version
    )
    statement = parse_statement(data)
    assert (statement.format, statement.account) == ("camt053", ACCOUNT)
    [line] = statement.lines
    assert line.key == f"camt:{ACCOUNT}:2026120100001"
    assert (line.amount, line.currency, line.credit, line.booked) == (
        Decimal("150.00"), "EUR", True, True
    )  # fmt: skip
    assert line.booked_on == date(2026, 12, 1)
    assert (line.counterparty, line.counterparty_account) == (
        "Shop Example GmbH", "DE02120300000000202051"
    )  # fmt: skip
    assert line.remittance == "FC 2026 000001 Rate 1"


def test_remittance_split_over_several_fields_is_joined_whole():
    data = camt053([Entry("150.00", ["Zahlung fc-2026-0", "00001 danke"], ref="r1")])
    assert parse_statement(data).lines[0].remittance == "Zahlung fc-2026-000001 danke"


def test_batch_entry_gives_one_line_per_transaction():
    batch = [("100.00", "tx-1", "FC-2026-000001"), ("50.00", "tx-2", "FC-2026-000002")]
    data = camt053([Entry("150.00", ref="batch-1", batch=batch)])
    lines = parse_statement(data).lines
    assert [(ln.amount, ln.key) for ln in lines] == [
        (Decimal("100.00"), f"camt:{ACCOUNT}:tx-1"),
        (Decimal("50.00"), f"camt:{ACCOUNT}:tx-2"),
    ]


def test_debits_and_pending_entries_are_read_but_marked():
    data = camt053([
        Entry("12.50", ["Kontofuehrung"], ref="fee", credit=False),
        Entry("99.00", ["FC-2026-000001"], ref="pend", status="PDNG"),
    ])  # fmt: skip
    fee, pending = parse_statement(data).lines
    assert not fee.credit
    assert fee.booked
    assert pending.credit
    assert not pending.booked


def test_lines_without_bank_reference_get_stable_distinct_keys():
    twice = [Entry("10.00", ["same"]), Entry("10.00", ["same"])]
    first = [ln.key for ln in parse_statement(camt053(twice)).lines]
    again = [ln.key for ln in parse_statement(camt053(twice)).lines]
    assert first == again
    assert len(set(first)) == 2
    assert all(k.startswith("hash:") for k in first)


def test_unreadable_entry_is_reported_and_the_rest_still_read():
    data = camt053([Entry("1O.00", ["typo"], ref="bad"), Entry("5.00", ["ok"], ref="good")])
    statement = parse_statement(data)
    assert [ln.entry_reference for ln in statement.lines] == ["good"]
    [problem] = statement.problems
    assert "entry 1" in problem.position
    assert "1O.00" in problem.reason


def test_refuses_xml_with_entity_expansion():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">&b;</Document>'
    )
    with pytest.raises(StatementError, match="unsafe"):
        parse_statement(bomb)


def test_refuses_other_iso_messages_and_broken_xml():
    with pytest.raises(StatementError, match=r"not a camt\.053"):
        parse_statement(camt053([]).replace(b"camt.053", b"camt.054"))
    with pytest.raises(StatementError, match="well-formed"):
        parse_statement(b"<Document><unclosed></Document>")


def test_refuses_a_file_over_the_size_limit():
    with pytest.raises(StatementError, match="MAX_STATEMENT_BYTES"):
        parse_statement(b" " * (MAX_STATEMENT_BYTES + 1))


def test_reads_a_german_bank_csv_export():
    text = (
        "Buchungstag;Valutadatum;Name Zahlungsbeteiligter;IBAN Zahlungsbeteiligter;"
        "Verwendungszweck;Betrag;Waehrung\n"
        "01.12.2026;01.12.2026;Müller Bäckerei;DE02 1203 0000 0000 2020 51;"
        "FC 2026 000001;1.234,56;EUR\n"
        "02.12.2026;02.12.2026;Bank;;Kontoführung;-12,50;EUR\n"
    )
    statement = parse_statement(text.encode("cp1252"), account=ACCOUNT)
    credit, fee = statement.lines
    assert (credit.amount, credit.credit, credit.counterparty) == (
        Decimal("1234.56"), True, "Müller Bäckerei"
    )  # fmt: skip
    assert credit.counterparty_account == "DE02120300000000202051"
    assert (fee.amount, fee.credit) == (Decimal("12.50"), False)
    assert credit.key.startswith("hash:")


def test_reads_an_english_csv_with_entry_references():
    text = (
        "Booking date,Amount,Currency,Counterparty,Remittance,Entry reference\n"
        '2026-12-01,"1,500.00",EUR,Shop Example,fc-2026-000001,E-77\n'
    )
    [line] = parse_statement(text.encode(), account=ACCOUNT).lines
    assert (line.amount, line.key) == (Decimal("1500.00"), f"csv:{ACCOUNT}:E-77")


def test_csv_without_needed_columns_names_them():
    with pytest.raises(StatementError, match="amount"):
        parse_statement(b"Date,Text\n2026-12-01,hello\n")


def test_csv_row_with_a_bad_date_is_reported_not_fatal():
    text = "Date,Amount,Currency,Remittance\n12/01/2026,5.00,EUR,x\n2026-12-01,6.00,EUR,y\n"
    statement = parse_statement(text.encode())
    assert [ln.amount for ln in statement.lines] == [Decimal("6.00")]
    assert statement.problems[0].position == "row 2"
