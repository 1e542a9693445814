"""Stripe webhooks posted, signed with Stripe's scheme, to the real view: signatures, retries,
reordering, instalments."""

import time
from decimal import Decimal

from fairclaim.cases.log import verify_case_log
from fairclaim.payments.actions import do_start_card_payment
from fairclaim.payments.models import Payment, ProviderEvent

from .conftest import WEBHOOK_SECRET, event, sign


def checkout(fake, payment):
    do_start_card_payment(payment, "https://p.example/ok", "https://p.example/no")
    payment.refresh_from_db()
    return fake.pay(payment.checkout_session_id)


def test_signed_completion_marks_instalment_paid(fake_stripe, webhooks, plan):
    session, intent, _ = checkout(fake_stripe, plan[0])
    assert webhooks.send("evt_1", "checkout.session.completed", session) == "applied"
    plan[0].refresh_from_db()
    assert plan[0].status == Payment.Status.SUCCEEDED
    assert plan[0].provider_reference == intent["id"]
    assert plan[0].method == Payment.Method.CARD


def test_tampered_payload_is_refused_with_400(fake_stripe, webhooks, plan):
    session, _, _ = checkout(fake_stripe, plan[0])
    payload = event("evt_1", "checkout.session.completed", session)
    signature = sign(payload)
    tampered = payload.replace('"amount_total": 15000', '"amount_total": 1500000')
    assert tampered != payload
    response = webhooks.post(tampered, signature)
    assert response.status_code == 400
    assert b"signature" in response.content
    plan[0].refresh_from_db()
    assert plan[0].status == Payment.Status.PENDING
    assert not ProviderEvent.objects.exists()


def test_signature_with_another_secret_is_refused(fake_stripe, webhooks, plan):
    session, _, _ = checkout(fake_stripe, plan[0])
    payload = event("evt_1", "checkout.session.completed", session)
    assert webhooks.post(payload, sign(payload, secret="whsec_someone_else")).status_code == 400
    assert webhooks.post(payload, "").status_code == 400


def test_stale_timestamp_is_refused_as_a_replay(fake_stripe, webhooks, plan):
    session, _, _ = checkout(fake_stripe, plan[0])
    payload = event("evt_1", "checkout.session.completed", session)
    response = webhooks.post(payload, sign(payload, at=int(time.time()) - 1000))
    assert response.status_code == 400
    assert b"tolerance" in response.content.lower()


def test_get_is_not_allowed(webhooks):
    assert webhooks.client.get(webhooks.URL).status_code == 405


def test_unconfigured_secret_answers_503_so_stripe_retries(webhooks, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    payload = event("evt_1", "checkout.session.completed", {})
    assert webhooks.post(payload, sign(payload, secret=WEBHOOK_SECRET)).status_code == 503


def test_signed_body_that_is_not_an_event_is_refused(db, webhooks):
    assert webhooks.post('{"hello": "world"}').status_code == 400


def test_duplicate_delivery_answers_200_and_books_once(fake_stripe, webhooks, plan):
    session, _, _ = checkout(fake_stripe, plan[0])
    assert webhooks.send("evt_1", "checkout.session.completed", session) == "applied"
    assert webhooks.send("evt_1", "checkout.session.completed", session) == "duplicate"
    plan[0].refresh_from_db()
    assert plan[0].amount_received == Decimal("150.00")
    assert plan[0].case.events.filter(kind="payment_received").count() == 1


def test_completion_reported_by_two_event_types_counts_once(fake_stripe, webhooks, plan):
    session, intent, _ = checkout(fake_stripe, plan[0])
    assert webhooks.send("evt_pi", "payment_intent.succeeded", intent) == "applied"
    assert webhooks.send("evt_cs", "checkout.session.completed", session) == "applied"
    plan[0].refresh_from_db()
    assert plan[0].amount_received == Decimal("150.00")
    assert plan[0].status == Payment.Status.SUCCEEDED


def test_refund_before_completion_is_held_then_applied(fake_stripe, webhooks, plan):
    session, intent, _ = checkout(fake_stripe, plan[0])
    charge = fake_stripe.refund_everything(intent["id"])
    assert charge["metadata"] == {}  # nothing on the charge names our payment
    assert webhooks.send("evt_refund", "charge.refunded", charge) == "held"
    plan[0].refresh_from_db()
    assert plan[0].status == Payment.Status.PENDING
    assert webhooks.send("evt_done", "checkout.session.completed", session) == "applied"
    plan[0].refresh_from_db()
    assert plan[0].status == Payment.Status.REFUNDED
    assert plan[0].amount_received == Decimal("150.00")
    assert plan[0].amount_refunded == Decimal("150.00")
    assert not ProviderEvent.objects.filter(applied_at__isnull=True).exists()
    plan[0].case.refresh_from_db()
    assert plan[0].case.state == "payment_pending"  # refunded money does not resolve a case


def test_refund_carrying_our_metadata_before_completion_still_ends_refunded(
    fake_stripe, webhooks, plan
):
    _session, intent, _ = checkout(fake_stripe, plan[0])
    charge = fake_stripe.refund_everything(intent["id"])
    charge["metadata"] = intent["metadata"]
    assert webhooks.send("evt_refund", "charge.refunded", charge) == "applied"
    assert webhooks.send("evt_done", "payment_intent.succeeded", intent) == "applied"
    plan[0].refresh_from_db()
    assert plan[0].status == Payment.Status.REFUNDED


def test_events_in_any_order_end_in_the_same_state(fake_stripe, webhooks, plan):
    session, intent, _ = checkout(fake_stripe, plan[0])
    partial = dict(fake_stripe.intents[intent["id"]]["charge"], amount_refunded=5000)
    full = fake_stripe.refund_everything(intent["id"])
    deliveries = [
        ("evt_r2", "charge.refunded", full),
        ("evt_pi", "payment_intent.succeeded", intent),
        ("evt_r1", "charge.refunded", partial),
        ("evt_cs", "checkout.session.completed", session),
        ("evt_r2", "charge.refunded", full),
    ]
    for delivery in deliveries:
        webhooks.send(*delivery)
    plan[0].refresh_from_db()
    assert (plan[0].status, plan[0].amount_refunded) == (Payment.Status.REFUNDED, Decimal(150))


def test_two_instalments_paid_by_card_resolve_the_case(fake_stripe, webhooks, plan):
    case = plan[0].case
    for number, payment in enumerate(plan, start=1):
        session, _, _ = checkout(fake_stripe, payment)
        assert session["metadata"]["instalment"] == f"{number}/2"
        webhooks.send(f"evt_{number}", "checkout.session.completed", session)
    case.refresh_from_db()
    assert case.state == "resolved_paid"
    kinds = list(case.events.order_by("seq").values_list("kind", flat=True))
    assert kinds[-1] == "payment_completed"
    assert kinds.count("payment_received") == 2
    assert verify_case_log(case).ok


def test_unknown_event_types_are_acknowledged_and_ignored(db, webhooks):
    assert webhooks.send("evt_x", "customer.created", {"id": "cus_1"}) == "ignored"


def test_completion_naming_another_case_is_held_not_booked(fake_stripe, webhooks, plan):
    session, _, _ = checkout(fake_stripe, plan[0])
    session["metadata"] = {**session["metadata"], "case_reference": "FC-2026-999999"}
    session["payment_intent"] = "pi_elsewhere"
    session["client_reference_id"] = None
    assert webhooks.send("evt_1", "checkout.session.completed", session) == "held"
    plan[0].refresh_from_db()
    assert plan[0].status == Payment.Status.PENDING


def test_unpaid_session_completion_books_nothing(fake_stripe, webhooks, plan):
    session, _, _ = checkout(fake_stripe, plan[0])
    session["payment_status"] = "unpaid"
    assert webhooks.send("evt_1", "checkout.session.completed", session) == "applied"
    plan[0].refresh_from_db()
    assert plan[0].status == Payment.Status.PENDING
