"""Payout pages: who sees runs, statements and agreements (strangers 404, read-only 403)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from fairclaim.payments.actions import do_choose_offer
from fairclaim.payments.journal import agreement_for
from fairclaim.payments.models import PayoutRun
from tests.cast import sign_in
from tests.payments.conftest import offer
from tests.payments.money import NOW, book
from tests.payments.test_payouts import draft, finalise


@pytest.fixture
def final_run(cast):
    org = cast.case.rights_holder
    agreement = agreement_for(org)
    agreement.account_holder, agreement.iban = "Alice Photo", "DE02120300000000202051"
    agreement.save()
    type(cast.case).objects.filter(pk=cast.case.pk).update(state="notice_sent", law_firm=None)
    [payment] = do_choose_offer(cast.case, offer("300.00"), 1, NOW)
    book(payment, "bank:1", "300.00")
    return finalise(draft(org.operator))


def get(client, user, url):
    sign_in(client, user)
    return client.get(url)


def test_rights_holder_sees_own_statement_with_pdf_and_csv(client, cast, final_run):
    statement = final_run.statements.get()
    page = get(client, cast.alice, statement.get_absolute_url())
    assert page.status_code == 200
    assert b"Balance carried in" in page.content
    assert b"150.00" in page.content
    pdf = client.get(reverse("payments:statement_file", args=[statement.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    data = client.get(reverse("payments:statement_file", args=[statement.pk, "csv"]))
    assert b"previous balance" in data.content
    assert (
        client.get(reverse("payments:statement_file", args=[statement.pk, "exe"])).status_code
        == 404
    )
    assert get(client, cast.alice_viewer, statement.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("who", ["charlie", "outside_manager", "lawfirm"])
def test_strangers_get_404_for_statements_runs_and_agreements(client, cast, final_run, who):
    user = getattr(cast, who)
    statement = final_run.statements.get()
    assert get(client, user, statement.get_absolute_url()).status_code == 404
    assert client.get(final_run.get_absolute_url()).status_code == 404
    assert client.get(reverse("payments:sepa", args=[final_run.pk])).status_code == 404
    url = reverse("payments:agreement", args=[cast.case.rights_holder.slug])
    assert client.get(url).status_code == 404


def test_rights_holder_cannot_see_runs_or_draft_statements(client, cast, final_run):
    assert get(client, cast.alice, final_run.get_absolute_url()).status_code == 404
    run = draft(cast.case.rights_holder.operator, now=NOW.replace(month=12, day=3))
    statement = run.statements.first()
    if statement:
        assert client.get(statement.get_absolute_url()).status_code == 404


def test_manager_drafts_reviews_and_makes_a_run_final(client, cast):
    sign_in(client, cast.manager)
    response = client.post(
        reverse("payments:payouts"), {"cutoff": "2026-11-30", "execution_date": "2099-01-04"}
    )
    run = PayoutRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == run.get_absolute_url()
    assert b"Make final" in client.get(run.get_absolute_url()).content
    client.post(reverse("payments:finalise_run", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == "final"


def test_bad_run_dates_are_refused_with_a_reason(client, cast):
    sign_in(client, cast.manager)
    page = client.post(
        reverse("payments:payouts"), {"cutoff": "2999-01-01", "execution_date": "2000-01-01"}
    )
    assert b"Choose a day that has ended" in page.content
    assert b"cannot be requested for a past day" in page.content
    assert not PayoutRun.objects.exists()


def test_read_only_and_rights_holders_cannot_run_payouts(client, cast, final_run):
    sign_in(client, cast.alice)
    assert client.post(reverse("payments:payouts"), {}).status_code == 403
    assert client.post(reverse("payments:finalise_run", args=[final_run.pk])).status_code == 404
    readonly_manager = cast.manager
    readonly_manager.read_only = True
    readonly_manager.save()
    sign_in(client, readonly_manager)
    assert client.post(reverse("payments:discard_run", args=[final_run.pk])).status_code == 403


def test_manager_downloads_a_valid_sepa_file(client, cast, final_run):
    response = get(client, cast.manager, reverse("payments:sepa", args=[final_run.pk]))
    assert response.status_code == 200
    assert b"pain.001.001.03" in response.content


def test_rights_holder_sets_payout_account_but_not_commission(client, cast):
    org = cast.case.rights_holder
    url = reverse("payments:agreement", args=[org.slug])
    sign_in(client, cast.alice)
    form = {
        "commission_percent": "1.00",
        "account_holder": "Alice Photo",
        "iban": "DE02 1203 0000 0000 2020 51",
        "bic": "",
    }
    assert client.post(url, form).status_code == 302
    agreement = agreement_for(org)
    assert agreement.iban == "DE02120300000000202051"
    assert agreement.bic == "BYLADEM1001"
    assert agreement.commission_percent == Decimal("50.00")  # disabled for the rights holder
    page = client.post(url, {**form, "iban": "DE02120300000000202052"})
    assert b"Not a valid IBAN" in page.content
    sign_in(client, cast.alice_viewer)
    assert client.post(url, form).status_code == 403
    assert client.get(url).status_code == 200
