"""The price list as a form: rows of use, duration, price and currency; errors beside the field;
nothing typed is lost on a bad row; every change logged; only the owner and its case managers."""

import re

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.urls import reverse
from django.utils import translation

from fairclaim.cases.models import RateCard
from tests.cast import sign_in

SETTINGS = {
    "creator_type": "professional", "name": "Alice 2026", "future_licence_months": "12",
    "vat_rate": "19", "vat_on_future_licence": "on", "own_domains": "", "agency_domains": "",
}  # fmt: skip
GOOD = [
    {"usage": "web_commercial", "months": "12", "price": "450.00", "currency": "EUR",
     "reference": "own list price"},
    {"usage": "online_shop", "months": "6", "price": "300", "currency": "EUR"},
]  # fmt: skip
PRICING = {
    "mode": "rate_card", "name": "Old", "currency": "EUR",
    "entries": [{"usage": "web_commercial", "months": 12, "price": "400.00",
                 "placement": "subpage", "reference": "2025 list"}],
    "surcharges": [{"code": "missing_credit", "pct": "100"}],
    "expenses": [{"kind": "documentation", "amount": "25.00", "basis": "capture costs"}],
    "vat": {"rate": "0.19", "on_past_use": False, "on_future_licence": True},
}  # fmt: skip


def form_data(rows, extra=(), **settings):
    data = {**SETTINGS, **settings, "rows-TOTAL_FORMS": str(len(rows)), "rows-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        data.update({f"rows-{i}-{key}": value for key, value in row.items()})
    data.update(dict(extra))
    return data


def cell_errors(html, row, field):
    """The error messages in the table cell of row `row`'s `field` (shown beside it)."""
    options = r"(?:\s*<option[^>]*>[^<]*</option>)*\s*</select>"
    errors = r'((?:<span class="error"[^>]*>[^<]*</span>\s*)*)'
    match = re.search(rf'id="id_rows-{row}-{field}">(?:{options})?\s*{errors}</td>', html)
    assert match, f"no cell for row {row} {field}"
    return re.findall(r'<span class="error"[^>]*>([^<]*)</span>', match.group(1))


@pytest.fixture
def alice(client, cast):
    sign_in(client, cast.alice)
    return cast.alice


def test_the_prices_page_shows_the_rows_of_the_price_list(client, alice):
    RateCard.objects.create(owner=alice.organisation, pricing=PRICING)
    html = client.get(reverse("cases:rate_card")).content.decode()
    assert '<option value="web_commercial" selected>Website of a business</option>' in html
    assert 'name="rows-0-price" value="400.00"' in html
    assert 'name="rows-0-reference" value="2025 list"' in html
    assert "<textarea" not in html  # no JSON to edit
    assert "docs/" not in html


def test_good_rows_become_the_price_list_and_the_change_is_logged(client, alice):
    response = client.post(reverse("cases:rate_card"), form_data([*GOOD, {}]))
    assert response.status_code == 302
    card = RateCard.objects.get(owner=alice.organisation)
    assert card.pricing["entries"] == [
        {"usage": "web_commercial", "months": 12, "price": "450.00",
         "reference": "own list price"},
        {"usage": "online_shop", "months": 6, "price": "300.00"},
    ]  # fmt: skip
    assert (card.pricing["currency"], card.pricing["name"]) == ("EUR", "Alice 2026")
    assert card.pricing["vat"] == {"rate": "0.19", "on_past_use": False, "on_future_licence": True}
    [entry] = LogEntry.objects.filter(object_id=str(card.pk))
    assert (entry.user, entry.action_flag) == (alice, ADDITION)
    assert "online_shop, 6 months, 300.00 EUR" in entry.change_message


def test_a_change_keeps_what_the_form_does_not_show_and_logs_what_changed(client, alice):
    card = RateCard.objects.create(owner=alice.organisation, pricing=PRICING)
    data = form_data(
        [{"usage": "web_commercial", "months": "12", "price": "420", "currency": "EUR",
          "reference": "2025 list", "keep": '{"placement": "subpage"}'}]
    )  # fmt: skip
    assert client.post(reverse("cases:rate_card"), data).status_code == 302
    card.refresh_from_db()
    assert card.pricing["entries"] == [
        {"usage": "web_commercial", "months": 12, "price": "420.00", "placement": "subpage",
         "reference": "2025 list"}
    ]  # fmt: skip
    assert card.pricing["surcharges"] == PRICING["surcharges"]
    assert card.pricing["expenses"] == PRICING["expenses"]
    [entry] = LogEntry.objects.filter(object_id=str(card.pk))
    assert entry.action_flag == CHANGE
    assert "added web_commercial, 12 months, 420.00 EUR" in entry.change_message
    assert "removed web_commercial, 12 months, 400.00 EUR" in entry.change_message


def test_a_bad_row_shows_errors_beside_its_fields_and_loses_no_row(client, alice):
    card = RateCard.objects.create(owner=alice.organisation, pricing=PRICING)
    rows = [
        GOOD[0],
        {"usage": "online_shop", "months": "0", "price": "-5", "currency": "EUR"},
        {"usage": "social_media", "months": "3", "price": "abc", "currency": "EUR",
         "reference": "kept text"},
    ]  # fmt: skip
    response = client.post(reverse("cases:rate_card"), form_data(rows))
    assert response.status_code == 200
    html = response.content.decode()
    assert cell_errors(html, 0, "price") == []
    assert cell_errors(html, 1, "months") == ["A licence runs at least 1 month."]
    assert cell_errors(html, 1, "price") == ["A price cannot be negative."]
    assert cell_errors(html, 2, "price") == ["Give the price as a number, e.g. 450.00."]
    # every row comes back as typed
    for typed in ('name="rows-0-price" value="450.00"', 'name="rows-1-price" value="-5"',
                  'name="rows-2-price" value="abc"', 'name="rows-2-reference" value="kept text"',
                  '<option value="social_media" selected>'):  # fmt: skip
        assert typed in html
    assert "Value error" not in html
    card.refresh_from_db()
    assert card.pricing == PRICING
    assert not LogEntry.objects.exists()


def test_one_list_has_one_currency_and_prices_each_use_once(client, alice):
    rows = [GOOD[0], {**GOOD[1], "currency": "USD"}, {**GOOD[0], "price": "500"}]
    html = client.post(reverse("cases:rate_card"), form_data(rows)).content.decode()
    assert cell_errors(html, 1, "currency") == [
        "All prices of one list are in one currency (row 1: EUR)."
    ]
    assert cell_errors(html, 2, "months") == ["Row 1 already prices this use for this duration."]
    assert not RateCard.objects.exists()


def test_a_list_needs_one_price_and_removed_rows_are_left_out(client, alice):
    html = client.post(reverse("cases:rate_card"), form_data([{}, {}])).content.decode()
    assert "Give at least one price." in html
    rows = [GOOD[0], {**GOOD[1], "DELETE": "on"}, {"currency": "EUR"}]  # a select always sends
    assert client.post(reverse("cases:rate_card"), form_data(rows)).status_code == 302
    assert [e["usage"] for e in RateCard.objects.get().pricing["entries"]] == ["web_commercial"]


def test_adding_a_row_keeps_what_was_typed(client, alice):
    data = form_data([{**GOOD[0], "price": "-1"}], extra={"add_row": "1"})
    html = client.post(reverse("cases:rate_card"), data).content.decode()
    assert 'name="rows-0-price" value="-1"' in html
    assert 'name="rows-1-price"' in html
    assert 'name="rows-TOTAL_FORMS" value="2"' in html
    assert not RateCard.objects.exists()


def test_errors_and_labels_are_german_for_a_german_reader(client, alice):
    rows = [{"usage": "online_shop", "months": "0", "price": "1", "currency": "EUR"}]
    with translation.override("de"):
        html = client.post(
            reverse("cases:rate_card"), form_data(rows), HTTP_ACCEPT_LANGUAGE="de"
        ).content.decode()
    assert "Preise nach Nutzung" in html
    assert cell_errors(html, 0, "months") == ["Eine Lizenz läuft mindestens 1 Monat."]


@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 200), ("alice_viewer", 404), ("manager", 200), ("outside_manager", 404),
     ("charlie", 404), ("lawfirm", 404)],
)  # fmt: skip
def test_another_organisations_prices_are_not_found(client, cast, who, status):
    sign_in(client, getattr(cast, who))
    url = reverse("cases:rate_card_of", args=[cast.alice.organisation_id])
    assert client.get(url).status_code == status
    response = client.post(url, form_data(GOOD))
    assert response.status_code == (302 if status == 200 else 404)
    assert RateCard.objects.exists() is (status == 200)


def test_a_case_manager_change_is_logged_under_their_name(client, cast):
    sign_in(client, cast.manager)
    url = reverse("cases:rate_card_of", args=[cast.alice.organisation_id])
    client.post(url, form_data(GOOD))
    card = RateCard.objects.get(owner=cast.alice.organisation)
    assert LogEntry.objects.get(object_id=str(card.pk)).user == cast.manager


def test_enter_in_a_field_saves_rather_than_adding_a_row(client, alice):
    html = client.get(reverse("cases:rate_card")).content.decode()
    form = html[html.index('<form method="post" class="stacked wide"') :]
    first = re.search(r"<button[^>]*>", form).group(0)
    assert 'type="submit"' in first
    assert "name=" not in first  # the form's default button saves
