"""From a match to a case: facts from the database, the linter's verdict, approval, grouping."""

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.urls import reverse

from fairclaim.cases.claims import ClaimNotReady, build_facts, do_check_claim
from fairclaim.cases.models import Case, Claim, FeeStatement, RateCard
from fairclaim.monitoring.models import Match, Sighting
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
def claim(cast):
    RateCard.objects.create(owner=cast.alice.organisation, pricing=PRICING)
    seen = datetime(2026, 3, 1, tzinfo=UTC)
    sighting = Sighting.objects.create(
        organisation=cast.alice.organisation, source="crawl", page_domain="laden.de",
        page_url="https://laden.de/p/1", image_url="https://laden.de/i/1.jpg",
        display_width=900, display_height=600, first_seen=seen, last_seen=seen,
        context={"credit": "", "company": "Laden GmbH"},
    )  # fmt: skip
    match = Match.objects.create(work=cast.work, sighting=sighting, score=0.95)
    return Claim.objects.create(match=match, inputs=INPUTS)


def test_facts_come_from_the_database_and_the_rights_holders_answers(claim):
    facts = build_facts(claim, TODAY)
    assert facts["sighting"]["displayed_width"] == 900
    assert facts["sighting"]["credit_present"] is False
    assert facts["recipient"] == {
        "id": "R-laden.de", "name": "Laden GmbH", "type": "business", "country": "DE",
        "subdivision": None,
    }  # fmt: skip
    assert facts["statement_version"] == 1


def test_a_checked_claim_keeps_every_statement_version(claim):
    do_check_claim(claim, TODAY)
    do_check_claim(claim, TODAY)
    assert claim.decision == "send"
    versions = list(FeeStatement.objects.filter(claim=claim).values_list("version", flat=True))
    assert versions == [1, 2]
    lines = claim.check_result()["statement"]["lines"]
    assert all(line["basis"] for line in lines)


def test_a_known_licence_blocks_the_claim(claim, cast):
    Licence.objects.create(
        owner=cast.alice.organisation, work=cast.work, licensee_name="Laden GmbH",
        domains=["laden.de"], source="stock", reference="STOCK-1",
    )  # fmt: skip
    do_check_claim(claim, TODAY)
    assert claim.decision == "block"
    assert "LICENCE_KNOWN" in {f["code"] for f in claim.result["findings"]}


def test_a_claim_without_prices_says_what_is_missing(cast, claim):
    RateCard.objects.all().delete()
    with pytest.raises(ClaimNotReady, match="rate card"):
        do_check_claim(claim, TODAY)


def test_approval_opens_one_case_per_recipient_with_a_line_per_work(client, cast, claim):
    sign_in(client, cast.alice)
    url = reverse("cases:claim", args=[claim.pk])
    response = client.post(url, {**INPUTS, "do": "check"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "checked"
    response = client.post(url, {"do": "approve"})
    claim.refresh_from_db()
    case = Case.objects.get(claims=claim)
    assert response["Location"] == case.get_absolute_url()
    assert (case.recipient_domain, case.jurisdiction, case.currency) == ("laden.de", "DE", "EUR")
    [line] = case.lines.all()
    assert line.work == cast.work
    assert str(line.amount) == claim.check_result()["statement"]["totals"]["past_only"]["gross"]
    assert claim.status == "in_case"
    assert [e.kind for e in case.events.order_by("seq")] == ["case_opened", "claim_added"]


def test_a_held_claim_cannot_be_approved(client, cast, claim):
    sign_in(client, cast.alice)
    url = reverse("cases:claim", args=[claim.pk])
    client.post(url, {**INPUTS, "site_type": "non_commercial", "do": "check"})
    claim.refresh_from_db()
    assert claim.decision == "hold"
    response = client.post(url, {"do": "approve"}, follow=True)
    assert "resolve its findings before approving" in response.content.decode()
    assert not Case.objects.filter(claims=claim).exists()


@pytest.mark.parametrize(
    ("who", "get", "post"),
    [("alice", 200, 302), ("alice_viewer", 200, 403), ("manager", 200, 403),
     ("charlie", 404, 404), ("lawfirm", 404, 404)],
)  # fmt: skip
def test_claim_page_permission_cast(client, cast, claim, who, get, post):
    sign_in(client, getattr(cast, who))
    url = reverse("cases:claim", args=[claim.pk])
    assert client.get(url).status_code == get
    assert client.post(url, {**INPUTS, "do": "check"}).status_code == post


@pytest.mark.parametrize(
    ("who", "status"), [("alice", 200), ("alice_viewer", 403), ("manager", 403), ("lawfirm", 403)]
)
def test_prices_page_permission_cast(client, cast, who, status):
    sign_in(client, getattr(cast, who))
    assert client.get(reverse("cases:rate_card")).status_code == status
