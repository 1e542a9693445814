"""Checkout Sessions and refunds against the local Stripe: idempotency keys, retries after a
lost answer, reuse of an open session, expiry when the offer changes."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fairclaim.payments.actions import do_choose_offer, do_refund, do_start_card_payment
from fairclaim.payments.models import Payment
from fairclaim.payments.providers.base import (
    ProviderNotConfigured,
    ProviderUnavailable,
    RefundNotPossible,
)
from tests.payments.conftest import offer

OK, NO = "https://portal.example/ok", "https://portal.example/cancel"


def test_session_names_the_payment_and_the_case(fake_stripe, plan):
    url = do_start_card_payment(plan[1], OK, NO)
    request = fake_stripe.requests[-1]
    assert request["path"] == "/v1/checkout/sessions"
    assert request["key"] == f"fairclaim-checkout-{plan[1].pk}-1"
    params = request["params"]
    expected = {
        "payment_id": str(plan[1].pk),
        "case_reference": plan[1].case.reference,
        "instalment": "2/2",
    }
    assert params["client_reference_id"] == str(plan[1].pk)
    assert params["metadata"] == expected
    assert params["payment_intent_data"]["metadata"] == expected
    assert (params["mode"], params["success_url"], params["cancel_url"]) == ("payment", OK, NO)
    plan[1].refresh_from_db()
    assert url == plan[1].checkout_url == fake_stripe.sessions[plan[1].checkout_session_id]["url"]
    assert plan[1].case.events.filter(kind="card_checkout_started").count() == 1


def test_lost_answer_is_retried_with_the_same_key_and_makes_one_session(fake_stripe, plan):
    fake_stripe.drop_responses = 1
    url = do_start_card_payment(plan[0], OK, NO)
    keys = [r["key"] for r in fake_stripe.requests]
    assert len(keys) == 2
    assert len(set(keys)) == 1
    assert len(fake_stripe.sessions) == 1
    assert url == next(iter(fake_stripe.sessions.values()))["url"]


def test_second_click_reuses_the_open_session(fake_stripe, plan):
    first = do_start_card_payment(plan[0], OK, NO)
    second = do_start_card_payment(plan[0], OK, NO)
    assert first == second
    assert len(fake_stripe.requests) == 1


def test_expired_session_is_replaced_under_a_new_key(fake_stripe, plan):
    first = do_start_card_payment(plan[0], OK, NO)
    Payment.objects.filter(pk=plan[0].pk).update(
        checkout_expires_at=timezone.now() - timedelta(minutes=1)
    )
    second = do_start_card_payment(plan[0], OK, NO)
    assert first != second
    assert [r["key"] for r in fake_stripe.requests] == [
        f"fairclaim-checkout-{plan[0].pk}-1",
        f"fairclaim-checkout-{plan[0].pk}-2",
    ]


def test_card_payment_without_api_key_names_the_setting(fake_stripe, plan, settings):
    settings.STRIPE_API_KEY = ""
    with pytest.raises(ProviderNotConfigured, match="STRIPE_API_KEY"):
        do_start_card_payment(plan[0], OK, NO)


def test_wrong_api_key_is_reported_as_configuration(fake_stripe, plan, settings):
    settings.STRIPE_API_KEY = "sk_test_wrong"
    with pytest.raises(ProviderNotConfigured, match="refused"):
        do_start_card_payment(plan[0], OK, NO)


def test_unreachable_stripe_is_a_retry_safe_error(fake_stripe, plan, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # discard port: nothing listens
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    with pytest.raises(ProviderUnavailable, match="try again"):
        do_start_card_payment(plan[0], OK, NO)
    plan[0].refresh_from_db()
    assert plan[0].checkout_session_id is None


def test_stripe_is_reached_only_through_the_address_guard(fake_stripe, plan, settings):
    settings.FAIRCLAIM_ALLOW_LOOPBACK = False  # the local Stripe is on 127.0.0.1
    with pytest.raises(ProviderUnavailable, match="loopback address"):
        do_start_card_payment(plan[0], OK, NO)
    assert fake_stripe.requests == []


def test_changing_the_offer_expires_the_open_checkout(fake_stripe, plan):
    do_start_card_payment(plan[0], OK, NO)
    plan[0].refresh_from_db()
    session_id = plan[0].checkout_session_id
    new_plan = do_choose_offer(plan[0].case, offer("450.00", "past_and_future"), 1, timezone.now())
    assert fake_stripe.sessions[session_id]["status"] == "expired"
    plan[0].refresh_from_db()
    assert plan[0].status == Payment.Status.CANCELLED
    assert [p.amount for p in new_plan] == [Decimal("450.00")]


def test_late_payment_for_a_replaced_plan_is_flagged_as_overpaid(fake_stripe, webhooks, plan):
    do_start_card_payment(plan[0], OK, NO)
    plan[0].refresh_from_db()
    session, _, _ = fake_stripe.pay(plan[0].checkout_session_id)  # paid; webhook still on its way
    do_choose_offer(plan[0].case, offer("450.00", "past_and_future"), 1, timezone.now())
    webhooks.send("evt_late", "checkout.session.completed", session)
    plan[0].refresh_from_db()
    assert plan[0].status == Payment.Status.OVERPAID  # owed nothing: a case manager refunds
    plan[0].case.refresh_from_db()
    assert plan[0].case.state == "payment_pending"


def paid(fake, webhooks, payment):
    do_start_card_payment(payment, OK, NO)
    payment.refresh_from_db()
    session, intent, _ = fake.pay(payment.checkout_session_id)
    webhooks.send(f"evt_{payment.pk}", "checkout.session.completed", session)
    payment.refresh_from_db()
    return intent


def test_refund_goes_through_stripe_with_an_idempotency_key(fake_stripe, webhooks, plan):
    intent = paid(fake_stripe, webhooks, plan[0])
    payment = do_refund(plan[0], Decimal("20.50"))
    request = fake_stripe.requests[-1]
    assert request["path"] == "/v1/refunds"
    assert request["params"]["payment_intent"] == intent["id"]
    assert request["params"]["amount"] == "2050"
    assert request["key"] == f"fairclaim-refund-{plan[0].pk}-0-2050"
    assert payment.amount_refunded == Decimal("20.50")


def test_lost_refund_answer_refunds_once(fake_stripe, webhooks, plan):
    paid(fake_stripe, webhooks, plan[0])
    fake_stripe.drop_responses = 1
    payment = do_refund(plan[0])
    assert len(fake_stripe.refunds) == 1
    assert payment.status == Payment.Status.REFUNDED


def test_refund_webhook_after_api_refund_does_not_count_twice(fake_stripe, webhooks, plan):
    intent = paid(fake_stripe, webhooks, plan[0])
    do_refund(plan[0], Decimal("50.00"))
    charge = dict(fake_stripe.intents[intent["id"]]["charge"])
    assert charge["amount_refunded"] == 5000
    webhooks.send("evt_refunded", "charge.refunded", charge)
    plan[0].refresh_from_db()
    assert plan[0].amount_refunded == Decimal("50.00")
    assert plan[0].status == Payment.Status.PART_REFUNDED


def test_refund_without_a_card_payment_is_refused(fake_stripe, plan):
    Payment.objects.filter(pk=plan[0].pk).update(method=Payment.Method.CARD)
    plan[0].refresh_from_db()
    with pytest.raises(RefundNotPossible):
        do_refund(plan[0], Decimal("1.00"))
