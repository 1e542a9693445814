"""Every list behind the dashboard searches, filters (state, deadline, amount, domain, country,
date), sorts and pages, and its CSV export holds exactly the filtered rows."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from fairclaim.cases.models import Case, Claim
from fairclaim.monitoring.models import Sighting
from fairclaim.payments.models import Payment
from tests.cast import sign_in
from tests.dashboard.test_dashboard import data  # noqa: F401 - the fixture


@pytest.fixture
def world(data):  # noqa: F811
    Case.objects.filter(pk=data.case.pk).update(recipient_country="DE")
    Claim.objects.create(match=data.match, inputs={}, case=data.case)
    Payment.objects.filter(case=data.case).update(due_on=timezone.localdate())
    return data


def exported(client, kind: str, **params) -> list[list[str]]:
    response = client.get(reverse("dashboard:list", args=[kind]), {**params, "format": "csv"})
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))[1:]


# (list, filters that keep alice's row, filters that drop it)
CASES = [
    ("cases", {"q": "FC-", "country": "de", "min_amount": "399"}, {"country": "fr"}),
    (
        "payments",
        {"domain": "shop", "country": "DE", "min_amount": "400", "max_amount": "400"},
        {"max_amount": "399.99"},
    ),
    ("payments", {"due_from": "2000-01-01"}, {"due_to": "2000-01-01"}),
    ("notices", {"domain": "shop.example", "country": "DE"}, {"country": "AT"}),
    ("claims", {"q": "shop", "status": "draft"}, {"q": "nowhere"}),
    ("sightings", {"q": "/p/1", "country": ""}, {"q": "elsewhere"}),
    ("sightings", {"source": "manual"}, {"country": "de"}),
    ("matches", {"q": "photo", "status": "new"}, {"country": "fr"}),
]


@pytest.mark.parametrize(("kind", "keep", "drop"), CASES)
def test_filters_narrow_the_list_and_its_export(client, world, kind, keep, drop):
    sign_in(client, world.alice)
    assert len(exported(client, kind, **keep)) == 1, keep
    assert exported(client, kind, **drop) == [], drop
    page = client.get(reverse("dashboard:list", args=[kind]), keep)
    assert page.status_code == 200
    assert "shop.example" in page.content.decode() or world.case.reference in page.content.decode()


def test_country_of_a_site_is_its_country_code_domain(client, world):
    Sighting.objects.filter(pk=world.sighting.pk).update(page_domain="laden.de")
    sign_in(client, world.alice)
    assert len(exported(client, "sightings", country="DE")) == 1
    assert len(exported(client, "matches", country="de")) == 1
    assert len(exported(client, "claims", country="de")) == 1


def test_a_bad_amount_is_reported_and_not_applied(client, world):
    sign_in(client, world.alice)
    page = client.get(reverse("dashboard:list", args=["payments"]), {"min_amount": "lots"})
    assert "is not an amount" in page.content.decode()
    assert world.case.reference in page.content.decode()


def test_sorting_and_pages(client, world):
    sign_in(client, world.charlie)
    url = reverse("dashboard:list", args=["matches"])
    first = client.get(url, {"sort": "domain", "page": 1})
    assert first.status_code == 200
    assert client.get(url, {"sort": "nonsense"}).status_code == 200  # falls back to newest
    assert client.get(url, {"page": 99}).status_code == 200  # the last page, never an error


def test_the_app_lists_lead_to_their_searchable_exportable_lists(client, world):
    sign_in(client, world.alice)
    for page, kind in [
        (reverse("cases:list"), "cases"),
        (reverse("cases:claims"), "claims"),
        (reverse("cases:notices"), "notices"),
        (reverse("monitoring:sightings"), "sightings"),
    ]:
        text = client.get(page).content.decode()
        assert reverse("dashboard:list", args=[kind]) in text, page
