"""The demo web: real sites on loopback addresses that discovery can crawl."""

import pytest

from fairclaim.discovery.submitted import fetch_page_sightings
from fairclaim.ops.demo import demo_web_photos
from fairclaim.ops.demo_web import build_sites, serve_sites
from tests.webserver import free_port


@pytest.fixture(scope="module")
def demo_sites(tmp_path_factory):
    from django.conf import settings

    photos = demo_web_photos(settings.FAIRCLAIM_DEMO_PHOTOS)
    if len(photos) < 6:
        pytest.skip("the shared demo photos are not on this machine")
    sites = build_sites(photos, port=free_port())
    servers = serve_sites(sites)
    yield sites
    for server in servers:
        server.shutdown()
        server.server_close()


def test_the_shop_shows_edited_copies_with_an_imprint(demo_sites):
    shop = demo_sites["shop"]
    records = fetch_page_sightings(f"{shop.base}/p/1", allow_loopback=True)
    [hero] = records
    assert hero.image_url == f"{shop.base}/media/hero.jpg"
    assert hero.sha256
    assert hero.imprint_url == f"{shop.base}/impressum"


def test_the_blog_credits_under_cc_by(demo_sites):
    [garden] = fetch_page_sightings(f"{demo_sites['blog'].base}/", allow_loopback=True)
    assert "Demo Photography" in garden.credit
    assert garden.licence_url == "https://creativecommons.org/licenses/by/4.0/"


def test_each_site_is_its_own_domain(demo_sites):
    hosts = {site.host for site in demo_sites.values()}
    assert len(hosts) == len(demo_sites)


@pytest.mark.django_db
def test_watching_the_demo_web_records_the_licensee_once():
    from django.utils import timezone

    from fairclaim.accounts.models import Organisation
    from fairclaim.ops.demo import watch_demo_web
    from fairclaim.works.models import Licence

    owner = Organisation.objects.create(
        name="Demo Photography", slug="demo-photography", kind=Organisation.Kind.RIGHTS_HOLDER
    )
    bases = {"shop": "http://127.0.0.2:8100", "licensee": "http://127.0.0.4:8100"}
    watch_demo_web(bases, timezone.now())
    watch_demo_web(bases, timezone.now())
    [licence] = Licence.objects.filter(owner=owner)
    assert (licence.licensee_name, licence.domains) == ("Licensed Ltd", ["127.0.0.4"])
    assert (licence.source, licence.usage) == ("own_sale", "commercial")
    assert owner.watch_lists.get().start_urls == [f"{base}/" for base in bases.values()]
