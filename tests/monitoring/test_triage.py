"""Match review: each action, in bulk, with suppression of later matches and access checks."""

import pytest
from django.urls import reverse
from django.utils import timezone

from fairclaim.cases.models import Claim
from fairclaim.monitoring.models import Match, Sighting, WhitelistedDomain
from fairclaim.monitoring.triage import suppression_for
from fairclaim.works.models import Licence
from tests.cast import sign_in


def add_match(cast, n, domain="shop.example", work=None):
    now = timezone.now()
    sighting = Sighting.objects.create(
        organisation=cast.alice.organisation, source="crawl", page_domain=domain,
        page_url=f"https://{domain}/t/{n}", image_url=f"https://{domain}/t/{n}.jpg",
        first_seen=now, last_seen=now,
    )  # fmt: skip
    return Match.objects.create(work=work or cast.work, sighting=sighting, score=0.9)


def triage(client, action, *matches):
    return client.post(
        reverse("monitoring:triage"), {"action": action, "match": [m.pk for m in matches]}
    )


@pytest.mark.parametrize(
    ("action", "status"), [("ignore", "ignored"), ("not_mine", "not_mine"), ("seen", "seen")]
)
def test_simple_actions_set_the_status_in_bulk(client, cast, action, status):
    sign_in(client, cast.alice)
    a, b = add_match(cast, 1), add_match(cast, 2)
    assert triage(client, action, a, b).status_code == 302
    assert set(Match.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == {
        status
    }


def test_licensed_records_a_licence_and_settles_later_matches_on_that_domain(client, cast):
    sign_in(client, cast.alice)
    first, second = add_match(cast, 1), add_match(cast, 2)
    triage(client, "licensed", first)
    licence = Licence.objects.get(owner=cast.alice.organisation, work=cast.work)
    assert licence.domains == ["shop.example"]
    assert Match.objects.get(pk=second.pk).status == "licensed"
    assert suppression_for(cast.work, "www.shop.example") == "licensed"
    assert suppression_for(cast.work, "other.example") is None


def test_whitelisting_a_domain_settles_every_match_there(client, cast):
    sign_in(client, cast.alice)
    here, there = add_match(cast, 1), add_match(cast, 2, domain="elsewhere.example")
    triage(client, "whitelist", here)
    assert WhitelistedDomain.objects.filter(domain="shop.example").exists()
    assert Match.objects.get(pk=here.pk).status == "whitelisted"
    assert Match.objects.get(pk=there.pk).status == "new"
    assert suppression_for(cast.work, "shop.example") == "whitelisted"


def test_claim_starts_a_claim_with_answers_from_the_page(client, cast):
    sign_in(client, cast.alice)
    match = add_match(cast, 1, domain="laden.de")
    triage(client, "claim", match)
    claim = Claim.objects.get(match=match)
    assert claim.inputs["recipient_country"] == "DE"
    assert Match.objects.get(pk=match.pk).status == "claimed"


def test_matches_of_others_in_the_form_are_untouched(client, cast):
    sign_in(client, cast.charlie)
    mine = add_match(cast, 1)
    triage(client, "ignore", mine)
    assert Match.objects.get(pk=mine.pk).status == "new"


def test_read_only_members_and_law_firms_cannot_triage(client, cast):
    match = add_match(cast, 1)
    for who in (cast.alice_viewer, cast.lawfirm):
        sign_in(client, who)
        assert triage(client, "ignore", match).status_code in {403}
    assert Match.objects.get(pk=match.pk).status == "new"


def test_inbox_filters_and_sorts(client, cast):
    sign_in(client, cast.alice)
    de = add_match(cast, 1, domain="laden.de")
    add_match(cast, 2, domain="shop.example")
    page = client.get(reverse("monitoring:list"), {"country": "de"}).content.decode()
    assert f'data-match="{de.pk}"' in page
    assert page.count("data-match=") == 1
    page = client.get(reverse("monitoring:list"), {"domain": "laden", "sort": "score"})
    assert page.status_code == 200
    assert page.content.decode().count("data-match=") == 1


def test_the_inbox_stays_paginated_with_many_matches(client, cast, django_assert_max_num_queries):
    sign_in(client, cast.alice)
    now = timezone.now()
    sightings = Sighting.objects.bulk_create(
        Sighting(organisation=cast.alice.organisation, source="crawl", page_domain="bulk.example",
                 page_url=f"https://bulk.example/{i}", image_url=f"https://bulk.example/{i}.jpg",
                 key=f"{i:064d}", first_seen=now, last_seen=now)
        for i in range(300)
    )  # fmt: skip
    Match.objects.bulk_create(
        Match(work=cast.work, organisation=cast.work.owner, sighting=s, score=0.8)
        for s in sightings
    )
    with django_assert_max_num_queries(12):
        response = client.get(reverse("monitoring:list"))
    assert response.content.decode().count("data-match=") == 50
