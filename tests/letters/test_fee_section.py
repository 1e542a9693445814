"""The fee section from typed statements, without a database: per work damages, expenses and
subtotal; the future licence (and a surcharge on it) only in the second offer; the offers'
totals summed over works; statements stored before lines carried values still shown."""

from django.utils import translation

from fairclaim.letters.fee_section import build_fee_section
from fairclaim.rules.check import check_claim
from fairclaim.rules.fees import FeeStatement
from tests.rules.conftest import make_facts  # noqa: F401 - fixture

SCHEDULE = {
    "pricing.mode": "schedule",
    "pricing.surcharges": [{"code": "production", "pct": "100", "label": "aerial photograph"}],
    "pricing.expenses": [{"kind": "documentation", "amount": "85.00", "basis": "capture"}],
}


def statement(make_facts, overrides=None) -> FeeStatement:  # noqa: F811
    return check_claim(make_facts(overrides or {})).statement


def test_two_works_each_get_damages_expenses_and_a_subtotal_and_the_offers_add_up(make_facts):  # noqa: F811
    one, two = statement(make_facts, SCHEDULE), statement(make_facts)
    with translation.override("de"):
        section = build_fee_section([("Berg", one), ("See", two)], "DE", "de_DE")
    assert section is not None
    assert section.reconciles()
    assert [w.title for w in section.works] == ["Berg", "See"]
    berg, see = section.works
    assert [line.code for line in berg.damages] == ["past_licence", "production_surcharge"]
    assert [line.code for line in berg.expenses] == ["documentation"]
    assert all(line.code != "future_licence" for w in section.works for line in w.damages)
    # The surcharge on the future licence belongs to the second offer, like the licence itself.
    assert sorted(line.code for line in berg.future) == ["future_licence", "production_surcharge"]
    past = section.past_only.total
    assert past.net == one.offers["past_only"].net + two.offers["past_only"].net
    assert past.gross == one.offers["past_only"].gross + two.offers["past_only"].gross
    assert berg.subtotal_value + see.subtotal_value == past.net
    assert "Lizenzgebühr für die Nutzung vom" in berg.damages[0].text
    assert "€" in berg.subtotal
    assert see.use  # the type of use, in words


def test_a_statement_stored_before_line_values_is_shown_as_it_was_written():
    legacy = {
        "version": 1, "inputs_digest": "0" * 64, "rules_version": "2026.11.1",
        "currency": "EUR", "rounding": "half_up_per_line", "vat": {"rate": "0.19"},
        "attribution_only": False, "priced_period": None, "priced_periods": [],
        "nothing_owed": False, "future_licence_months": 12,
        "lines": [
            {"code": "past_licence", "label": "Licence for past use", "amount": "450.00",
             "currency": "EUR", "basis": "licence analogy [G1]",
             "offers": ["past_only", "past_and_future"],
             "vat_applies": False, "period": None, "details": {}},
            {"code": "future_licence", "label": "Licence for future use", "amount": "450.00",
             "currency": "EUR", "basis": "offer", "offers": ["past_and_future"],
             "vat_applies": True, "period": None, "details": {}},
        ],
        "totals": {"past_only": {"net": "450.00", "vat": "0.00", "gross": "450.00"},
                   "past_and_future": {"net": "900.00", "vat": "85.50", "gross": "985.50"}},
    }  # fmt: skip
    with translation.override("en"):
        section = build_fee_section([("Old", FeeStatement.from_json(legacy))], "DE", "en_GB")
    assert section is not None
    assert section.reconciles()
    [work] = section.works
    assert work.damages[0].text == "Licence for past use"
    assert work.damages[0].basis == "licence analogy"  # research tags never reach a reader
    assert work.future[0].text == "Licence for future use"
    assert section.past_and_future.gross == "€985.50"
