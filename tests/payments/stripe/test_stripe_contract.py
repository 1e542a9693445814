"""The shared provider contract, kept by Stripe Checkout (sessions on the local Stripe,
money through signed webhooks posted to the real view)."""

from decimal import Decimal

import pytest

from fairclaim.payments.actions import do_start_card_payment
from fairclaim.payments.models import Payment
from tests.payments.contract import PaymentProviderContract


class TestStripeKeepsTheProviderContract(PaymentProviderContract):
    method = Payment.Method.CARD

    @pytest.fixture(autouse=True)
    def _stripe(self, fake_stripe, webhooks):
        self.fake = fake_stripe
        self.webhooks = webhooks
        self.sent = {}

    def deliver(self, payment, amount, key):
        if key not in self.sent:
            do_start_card_payment(payment, "https://p.example/ok", "https://p.example/no")
            payment.refresh_from_db()
            cents = int(amount * 100)
            session, _intent, _charge = self.fake.pay(payment.checkout_session_id, cents)
            self.sent[key] = (f"evt_{key}", "checkout.session.completed", session)
        self.webhooks.send(*self.sent[key])


def test_contract_amounts_use_minor_units(fake_stripe, plan):
    """The session asks Stripe for the instalment in cents (150.00 EUR -> 15000)."""
    do_start_card_payment(plan[0], "https://p.example/ok", "https://p.example/no")
    params = fake_stripe.requests[-1]["params"]
    assert params["line_items"][0]["price_data"] == {
        "currency": "eur",
        "unit_amount": "15000",
        "product_data": {
            "name": f"Case {plan[0].case.reference}: Past use only (instalment 1 of 2)"
        },
    }
    assert Decimal(params["line_items"][0]["price_data"]["unit_amount"]) / 100 == plan[0].amount
