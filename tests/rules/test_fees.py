"""Fee statement lines and totals, with literal dates and amounts."""

from decimal import Decimal

import pytest

from fairclaim.rules.check import check_claim
from fairclaim.rules.facts import PriceEntry
from fairclaim.rules.fees import FeeStatement, basis_for_recipient, cheapest_cover, size_class
from fairclaim.rules.linter import SOURCE_97A3

US = {"jurisdiction": "US", "recipient.country": "US", "recipient.us_state": "NY",
      "pricing.currency": "USD"}  # fmt: skip
REGISTERED = {"work.registration": {"number": "VA 1-111-111", "effective_date": "2021-06-01"}}
NO_CREDIT_100 = {
    "sighting.credit_present": False,
    "pricing.surcharges": [{"code": "missing_credit", "pct": "100"}],
}


def entry(months: int, price: str, **kw) -> PriceEntry:
    return PriceEntry(usage="web_commercial", months=months, price=Decimal(price), **kw)


def summary(result):
    return [(line.code, str(line.amount)) for line in result.statement.lines]


def totals(result):
    return {name: t.as_json() for name, t in result.statement.offers.items()}


@pytest.mark.parametrize(
    ("months", "expected", "total"),
    [
        (1, [(1, 1)], "100"),
        (5, [(1, 5)], "500"),
        (6, [(12, 1)], "600"),  # tie 6×1 month vs 1×12 months: fewer licences win
        (7, [(12, 1)], "600"),
        (13, [(1, 1), (12, 1)], "700"),
        (18, [(12, 2)], "1200"),
        (25, [(1, 1), (12, 2)], "1300"),
    ],
)
def test_cheapest_cover_buys_the_cheapest_set_of_listed_durations(months, expected, total):
    cover = cheapest_cover([entry(1, "100"), entry(12, "600")], months)
    assert [(e.months, n) for e, n in cover] == expected
    assert sum(e.price * n for e, n in cover) == Decimal(total)


def test_cheapest_cover_mixes_three_month_and_annual_licences():
    cover = cheapest_cover([entry(3, "95.00"), entry(12, "240.00")], 18)
    assert [(e.months, n) for e, n in cover] == [(3, 2), (12, 1)]


@pytest.mark.parametrize(
    ("width", "height", "size"),
    [(400, 300, "small"), (401, 300, "medium"), (1000, 10, "medium"), (600, 1001, "large")],
)
def test_size_class_by_longest_displayed_side(width, height, size):
    assert size_class(width, height) == size


def test_base_statement_has_past_and_future_licence_with_vat_on_future_only(make_facts):
    result = check_claim(make_facts())
    assert result.decision == "send"
    assert summary(result) == [("past_licence", "600.00"), ("future_licence", "600.00")]
    past = result.statement.lines[0]
    assert (str(past.period.start), str(past.period.end)) == ("2026-01-15", "2026-11-20")
    assert (past.months_covered, past.count, past.unit_months) == (11, 1, 12)
    assert past.basis.code == "licence_analogy"
    assert "§ 97 Abs. 2 S. 3 UrhG" in past.basis.statutes
    assert past.label == "past_licence"  # a code: the letters word it
    assert past.offers == ("past_only", "past_and_future")
    assert result.statement.lines[1].offers == ("past_and_future",)
    assert totals(result) == {
        "past_only": {"net": "600.00", "vat": "0.00", "gross": "600.00"},
        "past_and_future": {"net": "1200.00", "vat": "114.00", "gross": "1314.00"},
    }
    assert result.statement.currency == "EUR"


def test_vat_on_past_use_when_the_rights_holder_charges_it(make_facts):
    result = check_claim(make_facts({"pricing.vat": {"rate": "0.19", "on_past_use": True}}))
    assert totals(result)["past_only"] == {"net": "600.00", "vat": "114.00", "gross": "714.00"}
    assert totals(result)["past_and_future"]["vat"] == "228.00"


@pytest.mark.parametrize(
    ("pct", "amount", "capped"),
    [("100", "600.00", False), ("50", "300.00", False), ("150", "600.00", True)],
)
def test_missing_credit_surcharge_in_germany(make_facts, pct, amount, capped):
    result = check_claim(
        make_facts(
            {**NO_CREDIT_100, "pricing.surcharges": [{"code": "missing_credit", "pct": pct}]}
        )
    )
    line = next(line for line in result.statement.lines if line.code == "credit_surcharge")
    assert str(line.amount) == amount
    assert "§ 13 UrhG" in line.basis.statutes
    assert (line.pct, str(line.base)) == (min(Decimal(pct), Decimal(100)), "600.00")
    assert ("SURCHARGE_CAPPED" in {f.code for f in result.findings}) is capped


@pytest.mark.parametrize(
    "overrides",
    [
        {"sighting.credit_present": True},
        {"work.creator_type": "hobby"},
        {**US, **REGISTERED},
        {"jurisdiction": "UK", "recipient.country": "GB", "pricing.currency": "GBP"},
    ],
)
def test_credit_surcharge_is_refused_where_the_law_gives_none(make_facts, overrides):
    result = check_claim(make_facts({**NO_CREDIT_100, **overrides}))
    assert "credit_surcharge" not in {line.code for line in result.statement.lines}
    refused = [f for f in result.findings if f.code == "SURCHARGE_REFUSED"]
    assert [f.details["surcharge"] for f in refused] == ["missing_credit"]


def test_german_surcharge_only_on_days_within_the_regular_period(make_facts):
    # knowledge in 2021: on 2026-11-28 days before 2023-01-01 keep only the residual licence fee
    result = check_claim(make_facts({**NO_CREDIT_100, "sighting.first_seen": "2021-06-01"}))
    assert summary(result) == [
        ("past_licence", "3600.00"),  # 66 started months: 6 × 12-month licence
        ("credit_surcharge", "2400.00"),  # 100 % of 47 months 2023-01-01–2026-11-20: 4 × 600
        ("future_licence", "600.00"),
    ]
    surcharge = result.statement.lines[1]
    assert [(str(p.start), str(p.end)) for p in surcharge.periods] == [("2023-01-01", "2026-11-20")]
    assert result.decision == "send"


def test_us_time_barred_days_are_not_priced(make_facts):
    result = check_claim(
        make_facts(
            {
                **US,
                **REGISTERED,
                "sighting.first_seen": "2023-09-10",
                "sighting.last_seen": "2024-06-30",
            }
        )
    )
    past = result.statement.lines[0]
    assert (str(past.period.start), str(past.period.end)) == ("2023-11-28", "2024-06-30")
    assert past.months_covered == 8
    assert str(past.amount) == "600.00"
    assert past.amount.currency == "USD"
    assert "17 U.S.C. § 504(b)" in past.basis.statutes
    assert past.basis.authorities[0].startswith("Barcroft Media v. Coed Media Group")


def test_production_surcharge_from_a_schedule_applies_to_past_and_future(make_facts):
    result = check_claim(
        make_facts(
            {
                "pricing.mode": "schedule",
                "pricing.name": "MFM-Bildhonorare 2023",
                "pricing.surcharges": [
                    {"code": "production", "pct": "100", "label": "aerial photograph"}
                ],
            }
        )
    )
    assert summary(result) == [
        ("past_licence", "600.00"),
        ("production_surcharge", "600.00"),
        ("future_licence", "600.00"),
        ("production_surcharge", "600.00"),
    ]
    assert totals(result)["past_and_future"] == {
        "net": "2400.00",
        "vat": "228.00",
        "gross": "2628.00",
    }


def test_production_surcharge_is_refused_on_a_rate_card_and_skipped_when_not_applicable(
    make_facts,
):
    on_card = check_claim(make_facts({"pricing.surcharges": [{"code": "production", "pct": "30"}]}))
    assert "production_surcharge" not in {line.code for line in on_card.statement.lines}
    assert "SURCHARGE_REFUSED" in {f.code for f in on_card.findings}
    skipped = check_claim(
        make_facts(
            {
                "pricing.mode": "schedule",
                "pricing.surcharges": [{"code": "production", "pct": "30", "applies": False}],
            }
        )
    )
    assert summary(skipped) == [("past_licence", "600.00"), ("future_licence", "600.00")]
    assert "SURCHARGE_REFUSED" not in {f.code for f in skipped.findings}


@pytest.mark.parametrize("code", ["retroactive", "other"])
def test_retroactive_and_unnamed_surcharges_are_refused(make_facts, code):
    result = check_claim(make_facts({"pricing.surcharges": [{"code": code, "pct": "100"}]}))
    assert summary(result) == [("past_licence", "600.00"), ("future_licence", "600.00")]
    finding = next(f for f in result.findings if f.code == "SURCHARGE_REFUSED")
    assert finding.details == {"surcharge": code}


def test_documentation_expense_is_a_past_use_line_with_its_basis(make_facts):
    result = check_claim(
        make_facts(
            {
                "pricing.expenses": [
                    {"kind": "documentation", "amount": "85.00", "basis": "evidence capture"}
                ]
            }
        )
    )
    line = next(line for line in result.statement.lines if line.code == "documentation")
    assert (str(line.amount), line.basis.note) == ("85.00", "evidence capture")
    assert line.group == "expenses"
    assert totals(result)["past_only"]["gross"] == "685.00"


LAWYER_FEE = {"pricing.expenses": [{"kind": "lawyer_fee", "amount": "413.90", "basis": "RVG"}]}


@pytest.mark.parametrize(
    ("overrides", "amount", "finding"),
    [
        ({**US}, None, "LAWYER_FEE_DROPPED"),  # §412: no attorney's fees
        ({**US, **REGISTERED}, "413.90", None),
        ({"recipient.type": "consumer", "pricing.consumer_lawyer_fee_cap": "159.94"},
         "159.94", "LAWYER_FEE_CAPPED"),
        ({"recipient.type": "consumer", "pricing.consumer_lawyer_fee_cap": "500.00"},
         "413.90", None),
        # no cap given: 1.3 × 93.00 (RVG table from 1 Jun 2025) + 20.00 expenses
        ({"recipient.type": "consumer"}, "140.90", "LAWYER_FEE_CAPPED"),
        ({"recipient.type": "consumer", "recipient.bound_by_prior_undertaking": True},
         "413.90", None),
        ({}, "413.90", None),
    ],
)  # fmt: skip
def test_lawyer_fee_line_follows_412_and_the_97a3_consumer_cap(
    make_facts, overrides, amount, finding
):
    result = check_claim(make_facts({**LAWYER_FEE, **overrides}))
    lines = [line for line in result.statement.lines if line.code == "lawyer_fee"]
    assert [str(line.amount) for line in lines] == ([amount] if amount else [])
    codes = {f.code for f in result.findings}
    if finding:
        assert finding in codes
    assert not {"LAWYER_FEE_DROPPED", "LAWYER_FEE_CAPPED"} & (codes - {finding})


def test_cc_attribution_cure_asks_for_what_is_missing_with_zero_lines(make_facts):
    result = check_claim(make_facts({**NO_CREDIT_100, "work.cc_licence": {"code": "CC BY 4.0"}}))
    assert summary(result) == [("attribution_request", "0.00"), ("licence_notice_request", "0.00")]
    assert result.statement.attribution_only
    assert totals(result)["past_and_future"] == {"net": "0.00", "vat": "0.00", "gross": "0.00"}
    assert result.decision == "send"


def test_no_matching_price_holds_the_claim_and_prices_nothing(make_facts):
    result = check_claim(make_facts({"sighting.usage": "print_magazine"}))
    assert summary(result) == []
    assert result.decision == "hold"
    assert "NO_PRICE" in {f.code for f in result.findings}


def test_most_specific_price_entries_win(make_facts):
    entries = [
        {"usage": "web_commercial", "months": 12, "price": "600.00"},
        {"usage": "web_commercial", "size": "large", "months": 12, "price": "900.00"},
        {"usage": "web_commercial", "size": "large", "placement": "homepage", "months": 12,
         "price": "1500.00"},
        {"usage": "web_editorial", "months": 12, "price": "200.00"},
    ]  # fmt: skip
    large = {"pricing.entries": entries, "sighting.displayed_width": 1600}
    assert summary(check_claim(make_facts(large)))[0] == ("past_licence", "900.00")
    homepage = {**large, "sighting.placement": "homepage"}
    assert summary(check_claim(make_facts(homepage)))[0] == ("past_licence", "1500.00")
    medium = {"pricing.entries": entries}
    assert summary(check_claim(make_facts(medium)))[0] == ("past_licence", "600.00")


def test_each_line_is_rounded_half_up_and_vat_once_per_offer(make_facts):
    result = check_claim(
        make_facts(
            {
                "sighting.credit_present": False,
                "pricing.surcharges": [{"code": "missing_credit", "pct": "50"}],
                "pricing.entries": [{"usage": "web_commercial", "months": 12, "price": "33.33"}],
            }
        )
    )
    assert summary(result) == [
        ("past_licence", "33.33"),
        ("credit_surcharge", "16.67"),  # 16.665 rounds half up
        ("future_licence", "33.33"),
    ]
    assert totals(result)["past_and_future"] == {"net": "83.33", "vat": "6.33", "gross": "89.66"}


def test_statement_carries_version_and_a_digest_of_its_inputs(make_facts):
    first = check_claim(make_facts()).statement
    again = check_claim(make_facts({"statement_version": 3})).statement
    changed = check_claim(make_facts({"sighting.last_seen": "2026-11-21"})).statement
    assert (first.version, again.version) == (1, 3)
    assert first.inputs_digest == again.inputs_digest
    assert changed.inputs_digest != first.inputs_digest
    assert len(first.inputs_digest) == 64
    assert first.rules_version


def test_a_recipient_reads_the_basis_without_research_tags():
    basis = "user principle: damages, CDPA s.96 [U1][U4]; practice (OLG Hamm 4 U 34/15 [G10])"
    assert basis_for_recipient(basis) == (
        "user principle: damages, CDPA s.96; practice (OLG Hamm 4 U 34/15)"
    )
    assert basis_for_recipient(f"capped: {SOURCE_97A3}") == f"capped: {SOURCE_97A3}"
    assert basis_for_recipient("MFM 2023: online shop (market-and-law.md C2 [G17])") == (
        "MFM 2023: online shop"
    )
    assert basis_for_recipient("§97a(2) UrhG [a note in brackets]") == (
        "§97a(2) UrhG [a note in brackets]"
    )


LEGACY_KEYS = {"code", "label", "amount", "currency", "basis", "offers", "vat_applies", "period",
               "details"}  # fmt: skip


@pytest.mark.parametrize(
    "overrides",
    [
        {**NO_CREDIT_100, "sighting.first_seen": "2021-06-01"},
        {"pricing.expenses": [{"kind": "documentation", "amount": "85.00", "basis": "capture"}]},
        {**US, **REGISTERED},
    ],
)
def test_a_statement_read_back_from_json_is_the_same_typed_value(make_facts, overrides):
    statement = check_claim(make_facts(overrides)).statement
    stored = statement.to_json()
    again = FeeStatement.from_json(stored)
    assert again.lines == statement.lines
    assert again.offers == statement.offers
    assert again.to_json() == stored
    for line in stored["lines"]:
        assert set(line) >= LEGACY_KEYS  # the documented shape: keys added, none removed
        assert line["label"] == line["code"]  # no sentence leaves rules/


def test_a_statement_stored_before_line_values_still_reads():
    legacy = {
        "version": 1, "inputs_digest": "0" * 64, "rules_version": "2026.11.1",
        "currency": "EUR", "rounding": "half_up_per_line", "vat": {"rate": "0.19"},
        "attribution_only": False, "priced_period": ["2026-06-01", "2026-12-04"],
        "priced_periods": [["2026-06-01", "2026-12-04"]], "nothing_owed": False,
        "future_licence_months": 12,
        "lines": [{"code": "past_licence", "label": "Licence for past use", "amount": "450.00",
                   "currency": "EUR", "basis": "licence analogy", "offers": ["past_only"],
                   "vat_applies": False, "period": ["2026-06-01", "2026-12-04"],
                   "details": {"months_covered": 7, "count": 1, "unit_months": 12}}],
        "totals": {"past_only": {"net": "450.00", "vat": "0.00", "gross": "450.00"}},
    }  # fmt: skip
    statement = FeeStatement.from_json(legacy)
    line = statement.lines[0]
    assert (line.amount.amount, line.months_covered, line.label) == (
        Decimal("450.00"), 7, "Licence for past use"
    )  # fmt: skip
    assert line.basis.note == "licence analogy"
    assert statement.offers["past_only"].gross.amount == Decimal("450.00")
