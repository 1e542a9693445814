"""Facts validation names the bad field; the committed JSON Schema matches the models."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from fairclaim.rules.check import check_claim
from fairclaim.rules.facts import InvalidFacts, facts_json_schema, parse_facts

from .conftest import build

DOCS = Path(__file__).resolve().parents[2] / "docs" / "facts"


def test_committed_schema_is_the_generated_one():
    committed = json.loads((DOCS / "facts.schema.json").read_text(encoding="utf-8"))
    assert committed == facts_json_schema()


@pytest.mark.parametrize("path", sorted((DOCS / "examples").glob("*.json")), ids=lambda p: p.name)
def test_every_example_validates(path):
    facts = parse_facts(path.read_text(encoding="utf-8"))
    assert facts.today is not None  # examples carry their day, so their results never drift
    assert facts.today >= date(2026, 11, 1)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"sighting.first_seen": "2026-02-30"}, "sighting.first_seen", "valid date"),
        ({"sighting.first_seen": ...}, "sighting.first_seen", "Field required"),
        ({"sighting.first_seen": 20260115}, "sighting.first_seen", "valid date"),
        ({"pricing.entries": [{"usage": "web", "months": 12, "price": 600.0}]},
         "pricing.entries[0].price", "decimal strings"),
        ({"pricing.entries": [{"usage": "web", "months": 12, "price": "1e3"}]},
         "pricing.entries[0].price", "plain non-negative decimal"),
        ({"pricing.entries": [{"usage": "web", "months": 12, "price": "-5.00"}]},
         "pricing.entries[0].price", "plain non-negative decimal"),
        ({"pricing.entries": []}, "pricing.entries", "at least 1"),
        ({"sighting.hotlinkd": True}, "sighting.hotlinkd", "Extra inputs"),
        ({"recipient.type": "person"}, "recipient.type", "consumer"),
        ({"jurisdiction": "germany"}, "jurisdiction", "pattern"),
        ({"sighting.displayed_width": 0}, "sighting.displayed_width", "greater than 0"),
        ({"sighting.last_seen": "2026-01-14"}, "sighting.last_seen", "before"),
        ({"sighting.use_started_on": "2026-01-16"}, "sighting.use_started_on", "after"),
        ({"sighting.last_seen": "2026-11-29"}, "sighting.last_seen", "after today"),
        ({"work.registration": {"number": "VA 1", "effective_date": "2027-01-01"}},
         "work.registration.effective_date", "after today"),
        ({"licences": [{"reference": "L", "licensee": "X", "source": "stock",
                        "covers_recipient": True, "valid_from": "2026-02-01",
                        "valid_until": "2026-01-01"}]}, "licences[0].valid_until", "before"),
        ({"schema_version": 2}, "schema_version", "1"),
        ({"today": "0001-01-01"}, "today", "outside 1900-01-01–2999-12-31"),
        ({"work.first_published_on": "1850-01-01"}, "work.first_published_on", "outside"),
        ({"rights_holder.discovered_on": "2026-01-14"}, "rights_holder.discovered_on",
         "before the use started"),
    ],
)  # fmt: skip
def test_invalid_facts_name_the_bad_field(overrides, field, message):
    with pytest.raises(InvalidFacts) as caught:
        parse_facts(build(overrides))
    assert caught.value.field == field
    assert message in str(caught.value)


def test_text_that_is_not_json_is_invalid_facts():
    with pytest.raises(InvalidFacts) as caught:
        parse_facts("{not json")
    assert caught.value.field == "(file)"


def test_gb_is_read_as_uk(make_facts):
    assert make_facts({"jurisdiction": "GB"}).claim_jurisdiction == "UK"


def test_defaults_for_use_start_and_discovery_come_from_first_seen(make_facts):
    facts = make_facts()
    assert facts.use_start == date(2026, 1, 15)
    assert facts.discovered_on == date(2026, 1, 15)


def test_check_needs_a_today_and_revalidates_a_passed_one(make_facts):
    undated = make_facts({"today": None})
    with pytest.raises(ValueError, match="today is required"):
        check_claim(undated)
    assert check_claim(undated, today=date(2026, 12, 1)).today == date(2026, 12, 1)
    with pytest.raises(InvalidFacts, match="after today"):
        check_claim(undated, today=date(2026, 11, 1))


def test_python_dates_and_decimals_in_a_dict_are_accepted():
    data = build({"today": date(2026, 11, 28), "sighting.first_seen": date(2026, 1, 15)})
    data["pricing"]["entries"][0]["price"] = Decimal("100.00")
    facts = parse_facts(data)
    assert facts.sighting.first_seen == date(2026, 1, 15)
    assert facts.pricing.entries[0].price == Decimal("100.00")


def test_message_counts_further_problems():
    with pytest.raises(InvalidFacts, match=r"\(and 1 more problem\)"):
        parse_facts(build({"sighting.first_seen": ..., "sighting.last_seen": ...}))
