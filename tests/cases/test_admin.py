"""The admin shows the case record and cannot change it; rate cards are scoped by operator."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, reverse

from fairclaim.accounts.models import User
from fairclaim.cases.models import Case, CaseLine, RateCard
from tests.cast import sign_in

PRICING = {"mode": "rate_card", "name": "P", "currency": "EUR", "entries": []}


@pytest.fixture
def staff_client(client, cast):
    cast.manager.user_permissions.set(Permission.objects.filter(content_type__app_label="cases"))
    sign_in(client, User.objects.get(pk=cast.manager.pk))
    return client


def test_the_case_page_in_admin_is_read_only(staff_client, cast):
    case = cast.case
    url = reverse("admin:cases_case_change", args=[case.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="recipient_email"' not in html
    assert 'name="lines-0-amount"' not in html
    assert "its case page" in html
    before = list(case.events.values_list("hash", flat=True))
    changed = staff_client.post(url, {"recipient_email": "x@evil.example", "rights_holder": 999})
    assert changed.status_code == 403
    delete = reverse("admin:cases_case_delete", args=[case.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    case.refresh_from_db()
    assert case.recipient_email == ""
    assert list(case.events.values_list("hash", flat=True)) == before
    assert CaseLine.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    "name", ["case", "caseline", "claim", "notice", "defence", "message", "caseevent"]
)
def test_no_case_record_can_be_added_in_admin(staff_client, name):
    try:
        url = reverse(f"admin:cases_{name}_add")
    except NoReverseMatch:
        return  # not registered on its own: shown read-only inside the case
    assert staff_client.get(url).status_code == 403


def test_rate_cards_are_scoped_to_the_operators_rights_holders(staff_client, cast):
    mine = RateCard.objects.create(owner=cast.alice.organisation, pricing=PRICING)
    theirs = RateCard.objects.create(owner=cast.charlie.organisation, pricing=PRICING)
    listing = staff_client.get(reverse("admin:cases_ratecard_changelist")).content.decode()
    assert str(cast.alice.organisation) in listing
    assert str(cast.charlie.organisation) not in listing
    other = staff_client.get(reverse("admin:cases_ratecard_change", args=[theirs.pk]))
    assert other.status_code == 302  # the admin's "does not exist" redirect
    page = staff_client.get(reverse("admin:cases_ratecard_change", args=[mine.pk]))
    assert 'name="owner"' not in page.content.decode()  # cannot be moved to another owner
    add = staff_client.get(reverse("admin:cases_ratecard_add")).content.decode()
    assert str(cast.charlie.organisation) not in add


def test_another_operators_case_is_not_in_the_admin(client, cast):
    sign_in(client, cast.outside_manager)
    response = client.get(reverse("admin:cases_case_change", args=[cast.case.pk]))
    assert response.status_code in {302, 403}
    assert Case.objects.filter(pk=cast.case.pk).exists()
