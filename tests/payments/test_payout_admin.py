"""Agreements, journal entries, payout runs and statements show in the admin read-only, and only
for the rights holders the staff member handles."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from fairclaim.payments.actions import do_choose_offer
from fairclaim.payments.journal import agreement_for
from fairclaim.payments.models import JournalEntry
from fairclaim.payments.payouts import do_draft_run
from tests.cast import sign_in
from tests.payments.conftest import offer
from tests.payments.money import book


@pytest.fixture
def money(cast):
    case = cast.case
    type(case).objects.filter(pk=case.pk).update(state="notice_sent", law_firm=None)
    case.refresh_from_db()
    now = timezone.now()
    [payment] = do_choose_offer(case, offer("100.00"), 1, now)
    book(payment, "bank:1", "100.00", now=now)
    run = do_draft_run(
        operator=case.rights_holder.operator, cutoff=now + timedelta(minutes=1),
        execution_date=(now + timedelta(days=2)).date(), actor="t", now=now + timedelta(minutes=2),
    )  # fmt: skip
    return {
        "agreement": agreement_for(case.rights_holder),
        "entry": JournalEntry.objects.get(payment=payment),
        "run": run,
        "statement": run.statements.get(),
    }


def staff(client, user):
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="payments"))
    sign_in(client, user)
    return client


@pytest.mark.parametrize("model", ["agreement", "journalentry", "payoutrun", "payoutstatement"])
def test_the_handling_manager_sees_them_read_only_and_another_operator_does_not(
    client, cast, money, model
):
    key = {"journalentry": "entry", "payoutrun": "run", "payoutstatement": "statement"}
    obj = money[key.get(model, model)]
    change = reverse(f"admin:payments_{model}_change", args=[obj.pk])
    listing = reverse(f"admin:payments_{model}_changelist")
    manager = staff(client, cast.manager)
    assert change in manager.get(listing).content.decode()
    page = manager.get(change)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert manager.get(reverse(f"admin:payments_{model}_add")).status_code == 403
    outsider = staff(client, cast.outside_manager)
    assert change not in outsider.get(listing).content.decode()
    assert outsider.get(change).status_code == 302  # the admin's "doesn't exist" redirect


def test_an_agreement_cannot_be_changed_in_the_admin(client, cast, money):
    agreement = money["agreement"]
    manager = staff(client, cast.manager)
    url = reverse("admin:payments_agreement_change", args=[agreement.pk])
    manager.post(url, {"commission_percent": "99.00"})
    agreement.refresh_from_db()
    assert agreement.commission_percent != Decimal("99.00")
