"""Step 3 in the portal: choose an offer and instalments, pay by card (Stripe Checkout on a local
server speaking its API) or get bank transfer instructions."""

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from fairclaim.cases.access_codes import new_access_code
from fairclaim.cases.claims import do_check_claim
from fairclaim.cases.models import Case, Claim, RateCard
from fairclaim.cases.statements import statement_lines
from fairclaim.payments.models import Payment
from tests.payments.stripe.conftest import API_KEY
from tests.payments.stripe.fake_stripe import FakeStripe
from tests.webserver import drain

EXAMPLE = (
    Path(__file__).resolve().parents[2] / "docs/facts/examples/de-send-shop-missing-credit.json"
)
INPUTS = {
    "jurisdiction": "DE",
    "site_type": "commercial",
    "usage": "online_shop",
    "placement": "subpage",
    "territory": "worldwide",
    "use_started_on": "",
    "recipient_name": "Shop GmbH",
    "recipient_type": "business",
    "recipient_country": "DE",
}


@pytest.fixture
def priced_case(cast, client):
    RateCard.objects.create(
        owner=cast.alice.organisation, pricing=json.loads(EXAMPLE.read_text())["pricing"]
    )
    sighting = cast.match.sighting
    sighting.display_width, sighting.display_height = 900, 600
    sighting.first_seen = sighting.last_seen = timezone.now() - dt.timedelta(days=40)
    sighting.save()
    claim = Claim.objects.create(match=cast.match, inputs=INPUTS, case=cast.case)
    do_check_claim(claim, timezone.localdate())
    Case.objects.filter(pk=cast.case.pk).update(
        state="notice_sent", law_firm=None, recipient_country="DE", currency="EUR"
    )
    case = Case.objects.get(pk=cast.case.pk)
    code = new_access_code(case)
    client.post(reverse("portal:enter"), {"reference": case.reference, "code": code})
    return case, claim


def test_bank_transfer_in_three_instalments_shows_the_reference_and_the_plan(client, priced_case):
    case, claim = priced_case
    gross = claim.check_result()["statement"]["totals"]["past_and_future"]["gross"]
    response = client.post(
        reverse("portal:pay", args=[case.reference]),
        {"offer": "past_and_future", "instalments": 3, "method": "bank_transfer"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert case.reference in page
    plan = list(Payment.objects.filter(case=case, status="pending").order_by("instalment_number"))
    assert [p.instalment_number for p in plan] == [1, 2, 3]
    assert str(sum(p.amount for p in plan)) == gross.split()[0]
    case.refresh_from_db()
    assert case.state == "notice_sent"  # a choice commits nobody until money moves
    assert case.events.filter(kind="payment_plan_created").count() == 1


def test_past_only_needs_the_removal_confirmed(client, priced_case):
    case, _ = priced_case
    response = client.post(
        reverse("portal:pay", args=[case.reference]),
        {"offer": "past_only", "instalments": 1, "method": "card"},
    )
    assert response.status_code == 200
    assert "Please confirm the photo is removed" in response.content.decode()
    assert not Payment.objects.filter(case=case).exists()


def test_card_payment_goes_to_a_stripe_checkout_page(client, priced_case, settings):
    case, _ = priced_case
    with FakeStripe(API_KEY) as stripe:
        settings.STRIPE_API_KEY = API_KEY
        settings.STRIPE_API_BASE = stripe.url
        settings.STRIPE_TIMEOUT_SECONDS = 5
        settings.FAIRCLAIM_ALLOW_LOOPBACK = True  # the local Stripe is on 127.0.0.1
        response = client.post(
            reverse("portal:pay", args=[case.reference]),
            {"offer": "past_only", "removal_confirmed": "on", "instalments": 1, "method": "card"},
        )
    assert response.status_code == 302
    payment = Payment.objects.get(case=case)
    assert payment.checkout_session_id
    assert response["Location"] == payment.checkout_url


def test_a_paid_plan_brings_a_signed_release_and_licence_certificate(
    client, priced_case, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from fairclaim.cases.models import Notice
    from fairclaim.cases.sending import do_issue_settlement
    from fairclaim.monitoring.triage import suppression_for
    from fairclaim.payments.providers.bank_transfer.backend import import_statement

    case, claim = priced_case
    client.post(
        reverse("portal:pay", args=[case.reference]),
        {"offer": "past_and_future", "instalments": 1, "method": "bank_transfer"},
    )
    [payment] = Payment.objects.filter(case=case, cancelled_at__isnull=True)
    csv = (
        "date,amount,currency,purpose,name\n"
        f"2026-11-28,{payment.amount},EUR,{case.reference},Shop GmbH\n"
    ).encode()
    with django_capture_on_commit_callbacks(execute=True):
        report = import_statement(csv, "statement.csv", now=timezone.now(), format="csv")
    assert report.matched == 1, report
    case.refresh_from_db()
    assert case.state == "resolved_paid"
    queued = DBTaskResult.objects.get(task_path__endswith="issue_settlement").args_kwargs
    # Payments tells the settlement step what was paid and for which offer.
    assert queued == {
        "args": [case.pk],
        "kwargs": {"paid_total": str(payment.amount), "offer": "past_and_future"},
    }
    paid = {"paid_total": payment.amount, "offer": "past_and_future"}
    release, certificate = do_issue_settlement(case.pk, timezone.now(), **paid)
    assert (release.kind, certificate.kind) == ("release", "certificate")
    assert do_issue_settlement(case.pk, timezone.now(), **paid) == []  # once only
    assert suppression_for(claim.match.work, case.recipient_domain) == "licensed"
    Notice.objects.filter(pk__in=[release.pk, certificate.pk]).update(status="sent")
    page = client.get(reverse("portal:case", args=[case.reference])).content.decode()
    assert "Settlement and release" in page
    assert "Licence certificate" in page
    response = client.get(reverse("portal:document", args=[case.reference, certificate.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert drain(response).startswith(b"%PDF")


def test_the_case_page_itemises_every_amount_with_its_basis(client, priced_case):
    case, _claim = priced_case
    page = client.get(reverse("portal:case", args=[case.reference])).content.decode()
    lines = statement_lines(case)  # the statement's lines as worded for the reader
    assert lines
    assert "How the amounts are made up" in page
    for line in lines:
        assert escape(line["label"]) in page
        assert f"{line['amount']} {line['currency']}" in page
    # The legal sources are named in full; no research notes' tags ([G10], [U1]) are shown
    # (rules/ no longer writes them; statements stored before still have them stripped).
    assert any("UrhG" in line["basis"] or "U.S.C." in line["basis"] for line in lines)
    assert not re.search(r"\[[A-Z]{1,2}\d{1,3}\]", page)
    assert "market-and-law" not in page
