"""A payment choice is not a commitment until money moves: it blocks no defence or licence, an
abandoned checkout leaves the case as it was, the plan can be cancelled before the first payment,
each instalment is shown before choosing, and methods that are not configured are not offered."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fairclaim.payments.models import Payment
from fairclaim.payments.providers.bank_transfer.backend import import_statement
from tests.payments.stripe.conftest import API_KEY
from tests.payments.stripe.fake_stripe import FakeStripe
from tests.portal.test_payment_step import priced_case  # noqa: F401  (fixture)
from tests.portal.test_portal import PDF


def choose(client, case, method="bank_transfer", instalments=3):
    return client.post(
        reverse("portal:pay", args=[case.reference]),
        {"offer": "past_and_future", "instalments": instalments, "method": method},
    )


def test_a_defence_after_choosing_a_payment_is_accepted(client, priced_case):  # noqa: F811
    case, _ = priced_case
    assert choose(client, case).status_code == 200
    response = client.post(
        reverse("portal:defence", args=[case.reference]),
        {"kind": "licence_elsewhere", "statement": "We bought a licence from the agency."},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "defence_review"
    assert case.defences.count() == 1


def test_a_licence_after_choosing_a_payment_is_accepted(client, priced_case):  # noqa: F811
    case, _ = priced_case
    choose(client, case)
    response = client.post(
        reverse("portal:licence", args=[case.reference]),
        {"licensee": "Shop GmbH", "source": "Stock", "proof": SimpleUploadedFile("l.pdf", PDF)},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "licence_review"


def test_card_is_not_offered_without_a_configured_provider(client, priced_case, settings):  # noqa: F811
    case, _ = priced_case
    settings.STRIPE_API_KEY = ""
    page = client.get(reverse("portal:pay", args=[case.reference])).content.decode()
    assert 'value="card"' not in page
    assert 'value="bank_transfer"' in page
    refused = choose(client, case, method="card").content.decode()
    assert "STRIPE" not in refused
    assert not Payment.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert case.state == "notice_sent"


def test_an_abandoned_card_checkout_leaves_the_case_and_the_plan_can_be_cancelled(
    client,
    priced_case,  # noqa: F811
    settings,
):
    case, _ = priced_case
    with FakeStripe(API_KEY) as stripe:
        settings.STRIPE_API_KEY = API_KEY
        settings.STRIPE_API_BASE = stripe.url
        settings.STRIPE_TIMEOUT_SECONDS = 5
        settings.FAIRCLAIM_ALLOW_LOOPBACK = True  # the local Stripe is on 127.0.0.1
        started = choose(client, case, method="card", instalments=2)
        assert started.status_code == 302  # to the checkout page, which the recipient leaves
        case.refresh_from_db()
        assert case.state == "notice_sent"
        page = client.get(reverse("portal:case", args=[case.reference])).content.decode()
        assert "Your chosen payment plan" in page
        assert "Raise a defence" in page
        [first, _] = Payment.objects.filter(case=case).order_by("instalment_number")
        session = first.checkout_session_id
        cancelled = client.post(reverse("portal:pay", args=[case.reference]), {"cancel_plan": "1"})
        assert cancelled.status_code == 302
        assert stripe.sessions[session]["status"] == "expired"
    assert not Payment.objects.filter(case=case, cancelled_at__isnull=True).exists()
    assert case.events.filter(kind="payment_plan_cancelled").count() == 1
    case.refresh_from_db()
    assert case.state == "notice_sent"
    page = client.get(reverse("portal:case", args=[case.reference])).content.decode()
    assert "Your chosen payment plan" not in page


def test_each_instalment_and_the_total_are_shown_before_choosing(client, priced_case):  # noqa: F811
    from fairclaim.cases.claims import case_offers
    from fairclaim.payments.plan import split_amount

    case, _ = priced_case
    page = client.get(reverse("portal:pay", args=[case.reference])).content.decode()
    for total in case_offers(case).values():
        parts = split_amount(total.gross, 3)
        assert f"{parts[-1].amount} {total.gross.currency}" in page
        assert f"total {total.gross.amount} {total.gross.currency}" in page


def test_the_first_money_makes_the_plan_a_commitment(client, priced_case):  # noqa: F811
    case, _ = priced_case
    choose(client, case, instalments=2)
    first = Payment.objects.get(case=case, instalment_number=1, cancelled_at__isnull=True)
    csv = (
        "date,amount,currency,purpose,name\n"
        f"2026-11-28,{first.amount},EUR,{case.reference},Shop GmbH\n"
    ).encode()
    report = import_statement(csv, "statement.csv", now=timezone.now(), format="csv")
    assert report.matched == 1, report
    case.refresh_from_db()
    assert case.state == "payment_pending"
    committed = case.events.get(kind="offer_chosen")
    assert committed.payload["first_money"] == first.pk
    assert Decimal(committed.payload["total"]) == sum(
        p.amount for p in Payment.objects.filter(case=case, cancelled_at__isnull=True)
    )
    # Once money moved, the plan is no longer the recipient's to cancel.
    client.post(reverse("portal:pay", args=[case.reference]), {"cancel_plan": "1"})
    assert Payment.objects.filter(case=case, cancelled_at__isnull=True).count() == 2
