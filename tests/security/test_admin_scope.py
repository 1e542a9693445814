"""The admin follows the same access functions as the views (issue 16 item 5, low item L1).

The case manager gets every model permission of the product apps (as the demo gives them), so
only the scoping itself stands between them and other operators' data.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from fairclaim.payments.models import Payment
from tests.cast import sign_in


@pytest.fixture
def manager(client, cast):
    cast.manager.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["accounts", "works", "monitoring", "cases", "payments"]
        )
    )
    sign_in(client, cast.manager)
    return client


def test_a_handled_work_and_match_show_without_error_and_read_only_to_a_manager(manager, cast):
    work = manager.get(reverse("admin:works_work_change", args=[cast.work.pk]))
    assert work.status_code == 200
    assert cast.work.file.name in work.content.decode()
    assert 'name="_save"' not in work.content.decode()
    match = manager.get(reverse("admin:monitoring_match_change", args=[cast.match.pk]))
    assert match.status_code == 200
    assert 'name="_save"' not in match.content.decode()


def test_a_manager_cannot_add_licences_or_payments_in_the_admin(manager, cast):
    assert manager.get(reverse("admin:works_licence_add")).status_code == 403
    assert manager.get(reverse("admin:payments_payment_add")).status_code == 403


def test_payments_cannot_be_changed_in_the_admin(manager, cast):
    payment = Payment.objects.create(
        case=cast.case, instalment_number=1, amount="492.75", currency="USD"
    )
    url = reverse("admin:payments_payment_change", args=[payment.pk])
    assert 'name="_save"' not in manager.get(url).content.decode()
    manager.post(url, {"amount": "0.01", "currency": "USD", "instalment_number": 1})
    payment.refresh_from_db()
    assert str(payment.amount) == "492.75"


def test_organisations_and_users_are_for_platform_admins_only(manager, cast):
    assert manager.get(reverse("admin:accounts_organisation_changelist")).status_code == 403
    user_page = manager.get(reverse("admin:accounts_user_change", args=[cast.manager.pk]))
    assert user_page.status_code in (302, 403)
    manager.post(
        reverse("admin:accounts_user_change", args=[cast.manager.pk]),
        {"username": "manager", "is_superuser": "on", "is_staff": "on", "role": "admin"},
    )
    cast.manager.refresh_from_db()
    assert not cast.manager.is_superuser


def test_a_case_cannot_be_moved_to_another_operators_rights_holder(manager, cast):
    charlie_org = cast.charlie.organisation
    page = manager.get(reverse("admin:cases_case_change", args=[cast.case.pk])).content.decode()
    assert charlie_org.name not in page
    assert "Other ops" not in page
    manager.post(
        reverse("admin:cases_case_change", args=[cast.case.pk]),
        {"rights_holder": charlie_org.pk, "jurisdiction": "DE", "recipient_domain": "x.example"},
    )
    cast.case.refresh_from_db()
    assert cast.case.rights_holder_id != charlie_org.pk


def test_a_message_cannot_be_rewritten_in_the_admin(manager, cast):
    """Probe M1: a recipient's message edited in the admin ("I admit everything and will pay
    double") while the case page still said the chain was intact."""
    from fairclaim.cases.responses import do_post_message

    message = do_post_message(cast.case, "We never used it.", author_kind="recipient",
                              author=None, now=cast.case.created_at)  # fmt: skip
    url = reverse("admin:cases_message_change", args=[message.pk])
    page = manager.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    manager.post(url, {"body": "I admit everything and will pay double.", "author_kind": "x"})
    message.refresh_from_db()
    assert message.body == "We never used it."
