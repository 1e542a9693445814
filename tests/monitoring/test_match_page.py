"""The match page carries the triage actions and returns to itself."""

from django.urls import reverse

from fairclaim.monitoring.models import Match
from tests.cast import sign_in


def test_match_page_triages_and_comes_back(client, cast):
    sign_in(client, cast.alice)
    url = cast.match.get_absolute_url()
    page = client.get(url).content.decode()
    assert 'value="ignore"' in page
    assert f"work #{cast.work.pk}" in page
    response = client.post(
        reverse("monitoring:triage"), {"match": cast.match.pk, "action": "ignore", "next": url}
    )
    assert response["Location"] == url
    assert Match.objects.get(pk=cast.match.pk).status == "ignored"


def test_read_only_member_sees_no_actions(client, cast):
    sign_in(client, cast.alice_viewer)
    page = client.get(cast.match.get_absolute_url()).content.decode()
    assert 'value="ignore"' not in page


def test_sightings_show_the_page_and_the_match_they_led_to(client, cast):
    sign_in(client, cast.alice)
    page = client.get(reverse("monitoring:sightings")).content.decode()
    assert cast.sighting.page_url in page
    assert f"match #{cast.match.pk}" in page
    assert reverse("works:thumbnail", args=[cast.work.pk]) in page
