"""The dashboard at `/` and per rights holder, and the lists behind its figures: figures count
only what the reader may open (strangers 404), lists filter and export."""

import csv
import io
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from fairclaim.cases.models import Case, CaseLine, Notice
from fairclaim.monitoring.models import Match, Sighting
from fairclaim.payments.models import Payment
from tests.cast import sign_in
from tests.payments.money import book


@pytest.fixture
def data(cast):
    """alice: 1 new match (the cast's), a case with a deadline this week and 400.00 demanded
    of which 150.00 is paid; charlie: 3 new matches and a paid case nobody else may count."""
    today = timezone.localdate()
    case = cast.case
    Case.objects.filter(pk=case.pk).update(
        state="payment_pending", law_firm=None, deadline=today + timedelta(days=2)
    )
    CaseLine.objects.filter(case=case).update(amount=Decimal("400.00"))
    payment = Payment.objects.create(
        case=case, offer="past_only", amount=Decimal("400.00"), currency="EUR"
    )
    book(payment, "bank:alice", "150.00", now=timezone.now())
    charlie_org = cast.charlie.organisation
    now = timezone.now()
    for n in range(3):
        sighting = Sighting.objects.create(
            organisation=charlie_org, source="manual", page_url=f"https://secret.example/{n}",
            image_url=f"https://secret.example/{n}.jpg", page_domain="secret.example",
            first_seen=now, last_seen=now,
        )  # fmt: skip
        Match.objects.create(work=cast.charlie_work, sighting=sighting, score=0.9)
    charlie_case = Case.objects.create(
        rights_holder=charlie_org, jurisdiction="DE", recipient_domain="secret.example",
        state="payment_pending",
    )  # fmt: skip
    CaseLine.objects.create(case=charlie_case, work=cast.charlie_work, amount=Decimal("9999.00"))
    other = Payment.objects.create(
        case=charlie_case, offer="past_only", amount=Decimal("9999.00"), currency="EUR"
    )
    book(other, "bank:charlie", "9999.00", now=timezone.now())
    for n, target in enumerate([case, charlie_case]):
        Notice.objects.create(
            case=target, kind="demand", idempotency_key=f"k{n}", subject="Demand",
            recipient_email=f"owner@{target.recipient_domain}", body_text="...",
        )  # fmt: skip
    return cast


def test_rights_holder_home_shows_their_own_figures(client, data):
    sign_in(client, data.alice)
    page = client.get("/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "1</span> new match to review" in text
    assert "1</span> deadline by" in text
    assert "400.00 EUR" in text  # demanded
    assert "150.00 EUR" in text  # collected
    assert "250.00 EUR" in text  # outstanding
    assert "9,999" not in text
    assert "secret.example" not in text


def test_charts_are_svg_with_text_alternatives_and_links(client, data):
    sign_in(client, data.alice)
    text = client.get("/").content.decode()
    assert text.count('role="img"') == 3  # no case has ended yet: that chart says so instead
    assert "Nothing yet." in text
    assert '<desc id="matches-per-week-desc">Matches found per week: 12 bars, total 1' in text
    assert "Top domains where images were found (12 weeks) as a table" in text
    assert "/lists/matches/?domain=shop.example&amp;exact=1&amp;found_from=" in text
    assert "<script" not in text


def test_manager_gets_an_overview_and_one_dashboard_per_rights_holder(client, data):
    sign_in(client, data.manager)
    home = client.get("/").content.decode()
    url = reverse("dashboard:organisation", args=["alice"])
    assert url in home
    page = client.get(url)
    assert page.status_code == 200
    assert "400.00 EUR" in page.content.decode()
    assert client.get(reverse("dashboard:organisation", args=["charlie"])).status_code == 404


@pytest.mark.parametrize("who", ["charlie", "outside_manager"])
def test_strangers_get_404_for_another_rights_holders_dashboard_and_lists(client, data, who):
    sign_in(client, getattr(data, who))
    assert client.get(reverse("dashboard:organisation", args=["alice"])).status_code == 404
    url = reverse("dashboard:list", args=["cases"]) + "?org=alice"
    assert client.get(url).status_code == 404


def test_read_only_member_sees_the_dashboard(client, data):
    sign_in(client, data.alice_viewer)
    assert client.get("/").status_code == 200


def test_law_firm_goes_to_its_cases_and_strangers_sign_in(client, data):
    assert client.get("/")["Location"].startswith(reverse("login"))
    sign_in(client, data.lawfirm)
    assert client.get("/")["Location"] == reverse("cases:list")


def test_case_list_filters_by_deadline_and_reports_bad_input(client, data):
    sign_in(client, data.alice)
    url = reverse("dashboard:list", args=["cases"])
    today = timezone.localdate()
    page = client.get(url, {"deadline_from": today, "deadline_to": today + timedelta(days=7)})
    assert data.case.reference in page.content.decode()
    page = client.get(url, {"deadline_from": today + timedelta(days=3)})
    assert data.case.reference not in page.content.decode()
    page = client.get(url, {"deadline_from": "31.12.2026"})
    assert "is not a date (YYYY-MM-DD)" in page.content.decode()
    assert data.case.reference in page.content.decode()  # the bad filter was not applied
    assert data.case.reference not in client.get(url, {"min_amount": "400.01"}).content.decode()


def test_csv_export_streams_only_the_readers_rows(client, data):
    sign_in(client, data.manager)
    response = client.get(reverse("dashboard:list", args=["payments"]), {"format": "csv"})
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Case", "Instalment", "Of"]
    assert [r[0] for r in rows[1:]] == [data.case.reference]
    assert rows[1][6] == "150.00"  # received, the exact decimal


def test_xlsx_export_is_a_workbook_with_every_row(client, data):
    sign_in(client, data.charlie)
    response = client.get(reverse("dashboard:list", args=["matches"]), {"format": "xlsx"})
    body = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(body)) as workbook:
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
    assert sheet.count("<row ") == 4  # header + charlie's 3 matches
    assert "shop.example" not in sheet


def test_unknown_list_is_404(client, data):
    sign_in(client, data.alice)
    assert client.get(reverse("dashboard:list", args=["secrets"])).status_code == 404


def test_csv_export_defuses_formulas_from_web_pages(client, data):
    Sighting.objects.filter(pk=data.sighting.pk).update(page_url='=HYPERLINK("https://x")')
    sign_in(client, data.alice)
    response = client.get(reverse("dashboard:list", args=["matches"]), {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "\n=HYPERLINK" not in text
    assert ",=HYPERLINK" not in text


def test_chart_series_are_cached_briefly_but_counts_stay_live(client, data):
    sign_in(client, data.alice)
    client.get("/")
    Match.objects.filter(pk=data.match.pk).update(status="ignored")
    text = client.get("/").content.decode()
    assert "0</span> new matches to review" in text  # live
    assert "Matches found per week: 12 bars, total 1" in text  # the cached series


@pytest.mark.parametrize("kind", ["claims", "sightings", "notices"])
def test_claims_sightings_and_notices_lists_are_scoped_and_export(client, data, kind):
    sign_in(client, data.alice)
    page = client.get(reverse("dashboard:list", args=[kind]))
    assert page.status_code == 200
    assert "secret.example" not in page.content.decode()
    response = client.get(reverse("dashboard:list", args=[kind]), {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "secret.example" not in text
    if kind in {"sightings", "notices"}:
        assert "shop.example" in text
