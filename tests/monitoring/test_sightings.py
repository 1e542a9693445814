"""Pages submitted by hand and re-scans become Sightings with their page context."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fairclaim.discovery.errors import DiscoveryError
from fairclaim.monitoring.actions import do_mark_gone, do_record_sightings, do_submit_page
from fairclaim.monitoring.models import Sighting
from tests.cast import sign_in
from tests.images import photo_bytes, with_rights_metadata
from tests.webserver import serving

PAGE = b"""<!doctype html><html lang="de"><head><title>Shop</title></head><body>
<figure><img src="/img/hero.jpg" alt="Harbour at dawn" width="640" height="480">
<figcaption>Foto: Ada Lens</figcaption></figure>
<a href="/impressum">Impressum</a></body></html>"""


@pytest.fixture
def shop():
    hero = with_rights_metadata(
        photo_bytes(5), creator="Ada Lens", copyright_notice="© Ada", taken="2024:01:02 03:04:05"
    )
    routes = {"/p/1": ("text/html; charset=utf-8", PAGE), "/img/hero.jpg": ("image/jpeg", hero)}
    with serving(routes) as base:
        yield base, routes


def test_a_submitted_page_becomes_sightings_with_context(cast, settings, shop):
    settings.FAIRCLAIM_ALLOW_LOOPBACK = True
    base, _ = shop
    org = cast.alice.organisation
    recorded = do_submit_page(org, cast.alice, f"{base}/p/1", None, timezone.now())
    [sighting] = recorded.new
    assert sighting.image_url == f"{base}/img/hero.jpg"
    assert (sighting.display_width, sighting.display_height) == (640, 480)
    assert sighting.hotlinked is False
    assert sighting.image_sha256
    assert sighting.context["alt"] == "Harbour at dawn"
    assert "Ada Lens" in sighting.context["credit"]
    assert sighting.context["embedded_creator"] == "Ada Lens"
    assert sighting.context["language"] == "de"
    assert sighting.context["imprint_url"] == f"{base}/impressum"
    assert sighting.submitted_by == cast.alice


def test_loopback_is_refused_unless_allowed(cast, settings, shop):
    settings.FAIRCLAIM_ALLOW_LOOPBACK = False
    base, _ = shop
    with pytest.raises(DiscoveryError):
        do_submit_page(cast.alice.organisation, cast.alice, f"{base}/p/1", None, timezone.now())
    assert not Sighting.objects.filter(page_url=f"{base}/p/1").exists()


def test_seeing_a_sighting_again_updates_last_seen_and_gone_images_are_marked(cast, settings, shop):
    settings.FAIRCLAIM_ALLOW_LOOPBACK = True
    base, routes = shop
    org = cast.alice.organisation
    first = timezone.now()
    [sighting] = do_submit_page(org, None, f"{base}/p/1", None, first).new
    later = first + dt.timedelta(days=3)
    again = do_submit_page(org, None, f"{base}/p/1", None, later)
    assert (again.new, [s.pk for s in again.seen_again]) == ([], [sighting.pk])
    sighting.refresh_from_db()
    assert sighting.first_seen < sighting.last_seen
    routes["/p/1"] = ("text/html", b"<html><body>Nothing here any more</body></html>")
    assert do_mark_gone(org, {sighting.page_domain}, set(), later) == 1
    sighting.refresh_from_db()
    assert sighting.gone_at == later


def test_recording_is_idempotent(cast, settings, shop):
    settings.FAIRCLAIM_ALLOW_LOOPBACK = True
    base, _ = shop
    from fairclaim.discovery.submitted import fetch_page_sightings

    records = fetch_page_sightings(f"{base}/p/1", allow_loopback=True)
    now = timezone.now()
    do_record_sightings(cast.alice.organisation, records, now=now)
    do_record_sightings(cast.alice.organisation, records, now=now)
    assert Sighting.objects.filter(page_url=f"{base}/p/1").count() == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 302), ("alice_viewer", 403), ("manager", 403), ("charlie", 302), (None, 302)],
)
def test_who_may_submit_a_page(client, cast, who, status):
    if who:
        sign_in(client, getattr(cast, who))
    response = client.post(reverse("monitoring:submit_page"), {"page_url": "https://x.example/"})
    assert response.status_code == status
    if who is None:
        assert response["Location"].startswith(reverse("login"))


def test_sightings_list_shows_only_own_sightings(client, cast):
    sign_in(client, cast.charlie)
    assert (
        cast.sighting.image_url not in client.get(reverse("monitoring:sightings")).content.decode()
    )
    sign_in(client, cast.alice)
    assert cast.sighting.image_url in client.get(reverse("monitoring:sightings")).content.decode()


def test_an_invalid_address_is_explained(client, cast):
    sign_in(client, cast.alice)
    response = client.post(reverse("monitoring:submit_page"), {"page_url": "not a url"})
    assert response.status_code == 400
    assert "Enter a valid URL." in response.content.decode()
