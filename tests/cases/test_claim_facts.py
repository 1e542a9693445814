"""The facts the app builds from the database carry every field the fairness rules need: one test
per field, each through `build_facts` on a real database, most also through the linter."""

import importlib
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse

from fairclaim.cases.claims import build_facts, do_check_claim, work_licence
from fairclaim.cases.forms import ClaimInputsForm, RateCardForm
from fairclaim.cases.models import Claim, RateCard
from fairclaim.monitoring.models import Match, Sighting, WhitelistedDomain
from fairclaim.rules.facts import parse_facts
from fairclaim.works.forms import LicenceForm, WorkForm
from fairclaim.works.models import Licence
from tests.cast import sign_in

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "facts" / "examples"
PRICING = json.loads((EXAMPLES / "de-send-shop-missing-credit.json").read_text())["pricing"]
TODAY = date(2026, 11, 28)
INPUTS = {
    "jurisdiction": "DE", "site_type": "commercial", "usage": "online_shop",
    "placement": "subpage", "territory": "worldwide", "use_started_on": "",
    "recipient_name": "Laden GmbH", "recipient_type": "business", "recipient_country": "DE",
}  # fmt: skip


@pytest.fixture
def org(cast):
    return cast.alice.organisation


@pytest.fixture
def make_claim(cast, org):
    RateCard.objects.create(owner=org, pricing=PRICING)
    seen = datetime(2026, 3, 1, tzinfo=UTC)

    def make(page_url="https://www.laden.de/p/1", domain="laden.de", **inputs):
        sighting = Sighting.objects.create(
            organisation=org, source="crawl", page_domain=domain, page_url=page_url,
            image_url=f"https://{domain}/i/1.jpg", display_width=900, display_height=600,
            first_seen=seen, last_seen=seen, context={"credit": "", "company": "Laden GmbH"},
        )  # fmt: skip
        match = Match.objects.create(work=cast.work, sighting=sighting, score=0.95)
        return Claim.objects.create(match=match, inputs={**INPUTS, **inputs})

    return make


def codes(claim):
    return {f["code"] for f in claim.result["findings"]}


def test_send_on_defaults_to_today_and_can_be_given(make_claim):
    claim = make_claim()
    assert build_facts(claim, TODAY)["send_on"] == "2026-11-28"
    assert build_facts(claim, TODAY, send_on=date(2026, 12, 23))["send_on"] == "2026-12-23"
    do_check_claim(claim, TODAY)
    assert claim.result["deadlines"]["payment_deadline"] == "2026-12-14"


def test_recipient_subdivision_comes_from_the_claim_form_and_moves_the_deadline(make_claim):
    claim = make_claim(recipient_subdivision="by")
    facts = build_facts(claim, TODAY, send_on=date(2026, 12, 23))
    assert facts["recipient"]["subdivision"] == "BY"
    result = parse_facts(facts)
    assert result.recipient_subdivision == "BY"
    form = ClaimInputsForm({**INPUTS, "recipient_subdivision": "by"})
    assert form.is_valid(), form.errors
    assert form.as_inputs()["recipient_subdivision"] == "BY"


def test_a_us_recipients_state_is_also_its_circuit(make_claim, cast):
    claim = make_claim(
        jurisdiction="US", recipient_country="US", recipient_subdivision="ca", usage="online_shop"
    )
    recipient = build_facts(claim, TODAY)["recipient"]
    assert (recipient["subdivision"], recipient["us_state"]) == ("CA", "CA")
    german = make_claim(page_url="https://www.laden.de/p/2", recipient_subdivision="BY")
    assert "us_state" not in build_facts(german, TODAY)["recipient"]


def test_own_domains_come_from_the_organisation_and_block_a_subdomain(make_claim, org):
    org.own_domains = ["laden.de"]
    org.save()
    claim = make_claim(page_url="https://shop.laden.de/p/1")
    assert build_facts(claim, TODAY)["rights_holder"]["own_domains"] == ["laden.de"]
    do_check_claim(claim, TODAY)
    assert claim.decision == "block"
    assert "OWN_SITE" in codes(claim)
    assert claim.check_result()["statement"]["lines"] == []


def test_agency_domains_come_from_the_organisation(make_claim, org):
    org.agency_domains = ["www.laden.de"]
    org.save()
    claim = make_claim()
    assert build_facts(claim, TODAY)["rights_holder"]["agency_domains"] == ["www.laden.de"]
    do_check_claim(claim, TODAY)
    assert "AGENCY_SITE" in codes(claim)


def test_whitelist_comes_from_the_whitelisted_domains(make_claim, org):
    WhitelistedDomain.objects.create(organisation=org, domain="laden.de")
    claim = make_claim()
    assert build_facts(claim, TODAY)["rights_holder"]["whitelist"] == ["laden.de"]
    do_check_claim(claim, TODAY)
    assert claim.decision == "block"
    assert "WHITELISTED_SITE" in codes(claim)


@pytest.mark.parametrize(
    ("creator_type", "professional"), [("professional", True), ("hobby", False)]
)
def test_professional_status_comes_from_the_rate_card(make_claim, org, creator_type, professional):
    claim = make_claim()
    RateCard.objects.filter(owner=org).update(creator_type=creator_type)
    assert build_facts(claim, TODAY)["rights_holder"]["professional"] is professional


def test_a_licence_proven_in_a_case_carries_its_reference_and_blocks(make_claim, org, cast):
    Licence.objects.create(
        owner=org, work=cast.work, licensee_name="Laden GmbH", domains=["laden.de"],
        source=Licence.Source.RECIPIENT_PROOF, reference="Adobe 7", proven_in_case="FC-2025-0042",
    )  # fmt: skip
    claim = make_claim()
    [licence] = build_facts(claim, TODAY)["licences"]
    assert licence["proven_in_case"] == "FC-2025-0042"
    assert licence["work_id"] == f"W-{cast.work.pk}"
    assert licence["recipient_id"] == "R-laden.de"
    do_check_claim(claim, TODAY)
    assert claim.decision == "block"
    proven = next(f for f in claim.result["findings"] if f["code"] == "LICENCE_PROVEN")
    assert "FC-2025-0042" in proven["reason"]


def test_a_licence_covers_the_recipient_by_registrable_domain(make_claim, org, cast):
    Licence.objects.create(
        owner=org, work=None, licensee_name="Laden GmbH", domains=["shop.laden.de"],
        source=Licence.Source.OWN_SALE, reference="INV-1", ends_on=date(2026, 2, 28),
    )  # fmt: skip
    claim = make_claim(page_url="https://www.laden.de/p/1")
    [licence] = build_facts(claim, TODAY)["licences"]
    assert licence["covers_recipient"] is True
    assert licence["work_id"] is None  # a licence for every work of the owner
    assert licence["valid_until"] == "2026-02-28"
    do_check_claim(claim, TODAY)
    assert claim.decision == "send"  # the use (1 Mar 2026) is after the licence expired
    assert "LICENCE_OTHER_PERIOD" in codes(claim)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"licence": "CC0 1.0"}, {"code": "CC0 1.0", "url": None, "source": "rights_holder"}),
        ({"licence_url": "https://creativecommons.org/licenses/by/4.0/"},
         {"code": None, "url": "https://creativecommons.org/licenses/by/4.0/",
          "source": "rights_holder"}),
        ({"embedded_metadata": {"Xmp.cc.license": "https://creativecommons.org/publicdomain/zero/1.0/"}},
         {"code": "https://creativecommons.org/publicdomain/zero/1.0/", "url": None,
          "source": "metadata"}),
        ({"copyright_notice": "Public domain"},
         {"code": "Public domain", "url": None, "source": "notice"}),
        ({"copyright_notice": "© 2021 Anna Berg. All rights reserved."}, None),
    ],
)  # fmt: skip
def test_the_works_own_licence_comes_from_its_record_metadata_or_notice(cast, fields, expected):
    for name, value in fields.items():
        setattr(cast.work, name, value)
    cast.work.save()
    assert work_licence(cast.work) == expected


def test_the_licence_the_page_links_is_in_the_facts(make_claim, cast):
    claim = make_claim()
    sighting = claim.match.sighting
    sighting.context = {**sighting.context, "credit": "Ada Lens",
                        "licence_url": "https://www.gnu.org/licenses/gpl-3.0.html"}  # fmt: skip
    sighting.save()
    cast.work.licence = "GPL-3.0-or-later"
    cast.work.save()
    facts = build_facts(claim, TODAY)
    assert facts["sighting"]["page_licence"] == "https://www.gnu.org/licenses/gpl-3.0.html"
    do_check_claim(claim, TODAY)
    assert claim.decision == "block"  # credited and licensed as the work's own licence asks
    assert "CC_LICENSED" in codes(claim)


def test_a_cc0_work_is_not_claimed(make_claim, cast):
    cast.work.licence = "CC0 1.0 Universal"
    cast.work.save()
    claim = make_claim()
    assert build_facts(claim, TODAY)["work"]["own_licence"]["code"] == "CC0 1.0 Universal"
    do_check_claim(claim, TODAY)
    assert claim.decision == "block"
    assert "WORK_CC0" in codes(claim)


def test_a_case_takes_its_currency_from_the_one_table(cast):
    from fairclaim.cases.claims import FALLBACK_CURRENCY
    from fairclaim.rules.money import currency_for

    assert currency_for("AT", FALLBACK_CURRENCY) == "EUR"
    assert currency_for("GB", FALLBACK_CURRENCY) == currency_for("UK") == "GBP"
    assert currency_for("CH", FALLBACK_CURRENCY) == FALLBACK_CURRENCY


def _price_list(**settings) -> dict:
    """The prices page's form data: the example's first price as the one row, plus `settings`."""
    entry = PRICING["entries"][0]
    return {
        "creator_type": "professional", "name": PRICING["name"], "future_licence_months": "12",
        "vat_rate": "19", "rows-TOTAL_FORMS": "1", "rows-INITIAL_FORMS": "0",
        "rows-0-usage": entry["usage"], "rows-0-months": str(entry["months"]),
        "rows-0-price": entry["price"], "rows-0-currency": PRICING["currency"], **settings,
    }  # fmt: skip


def test_the_rate_card_page_edits_own_and_agency_sites(client, cast, org):
    sign_in(client, cast.alice)
    response = client.post(
        reverse("cases:rate_card"),
        _price_list(own_domains="https://www.anna-berg.de/, anna.github.io",
                    agency_domains="agentur.example"),
    )  # fmt: skip
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.own_domains == ["www.anna-berg.de", "anna.github.io"]
    assert org.agency_domains == ["agentur.example"]  # an unlisted TLD is a suffix too
    assert "anna.github.io" in client.get(reverse("cases:rate_card")).content.decode()


def test_a_bare_public_suffix_is_refused_as_an_own_site():
    form = RateCardForm(_price_list(own_domains="github.io"))
    assert not form.is_valid()
    assert "not a site of its own" in str(form.errors["own_domains"])


def test_work_and_licence_forms_edit_the_new_fields(cast, org):
    assert {"licence", "licence_url"} <= set(WorkForm().fields)
    assert "proven_in_case" in LicenceForm(owner=org).fields


def test_the_migration_moves_the_proven_case_out_of_the_notes(org, cast):
    licence = Licence.objects.create(
        owner=org, work=cast.work, licensee_name="Laden", domains=["laden.de"],
        source=Licence.Source.RECIPIENT_PROOF, notes="Proven in case FC-2026-0007: invoice shown",
    )  # fmt: skip
    migration = importlib.import_module(
        "fairclaim.works.migrations.0004_work_licence_proven_in_case"
    )
    migration.backfill_proven_in_case(apps, None)
    licence.refresh_from_db()
    assert licence.proven_in_case == "FC-2026-0007"


def test_the_recipients_calendar_is_the_rules_one_with_the_state_from_the_claim(make_claim, cast):
    from fairclaim.cases.claims import recipient_calendar

    case = cast.case
    case.recipient_country = "DE"
    case.save()
    epiphany = date(2027, 1, 6)  # a Wednesday; a holiday in Bavaria, not in Hamburg
    assert not recipient_calendar(case)(epiphany)
    claim = make_claim(recipient_subdivision="BY")
    Claim.objects.filter(pk=claim.pk).update(case=case)
    assert recipient_calendar(case)(epiphany)
    case.recipient_country = ""
    case.jurisdiction = "ZZ"
    case.save()
    assert not recipient_calendar(case)(epiphany)  # unknown country: weekends only, no error
