"""The contract every payment provider keeps (payments.providers.base.PaymentProvider),
as one suite each provider's tests inherit (one shared contract suite per adapter family, after
Django's SharedEmailBackendTests).

A subclass names the provider's `method` and implements `deliver(payment, amount, key)`:
money for `payment` arriving through the provider's real inbound channel (a signed webhook, an
imported statement), where the same `key` means the very same delivery again.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from fairclaim.cases.log import verify_case_log
from fairclaim.payments.actions import do_refund
from fairclaim.payments.models import Payment
from fairclaim.payments.providers import get_provider
from fairclaim.payments.providers.base import PaymentNotOpen, RefundNotPossible


class PaymentProviderContract:
    method = ""

    def deliver(self, payment: Payment, amount: Decimal, key: str) -> None:
        raise NotImplementedError

    def start(self, payment: Payment):
        return get_provider(self.method).start(
            payment,
            success_url="https://portal.example/paid",
            cancel_url="https://portal.example/cancel",
            now=timezone.now(),
        )

    def test_provider_serves_its_method(self):
        provider = get_provider(self.method)
        assert provider.method == self.method
        assert provider.name

    def test_start_books_no_money(self, plan):
        start = self.start(plan[0])
        assert start.redirect_url
        plan[0].refresh_from_db()
        assert plan[0].status == Payment.Status.PENDING
        assert plan[0].facts.count() == 0

    def test_starting_twice_prepares_the_same_payment(self, plan):
        assert self.start(plan[0]) == self.start(plan[0])

    def test_full_amount_marks_payment_succeeded(self, plan):
        self.deliver(plan[0], Decimal("150.00"), "first")
        plan[0].refresh_from_db()
        assert plan[0].status == Payment.Status.SUCCEEDED
        assert plan[0].amount_received == Decimal("150.00")
        assert plan[0].case.events.filter(kind="payment_received").count() == 1

    def test_same_delivery_twice_books_once(self, plan):
        self.deliver(plan[0], Decimal("150.00"), "first")
        self.deliver(plan[0], Decimal("150.00"), "first")
        plan[0].refresh_from_db()
        assert plan[0].amount_received == Decimal("150.00")
        assert plan[0].facts.count() == 1
        assert plan[0].case.events.filter(kind="payment_received").count() == 1

    def test_short_amount_leaves_payment_part_paid_and_case_open(self, plan):
        self.deliver(plan[0], Decimal("100.00"), "short")
        plan[0].refresh_from_db()
        assert plan[0].status == Payment.Status.PART_PAID
        assert plan[0].outstanding == Decimal("50.00")
        plan[0].case.refresh_from_db()
        assert plan[0].case.state == "payment_pending"

    def test_starting_a_paid_payment_is_refused(self, plan):
        self.deliver(plan[0], Decimal("150.00"), "first")
        with pytest.raises(PaymentNotOpen, match="succeeded"):
            self.start(plan[0])

    def test_paying_every_instalment_resolves_the_case(self, plan):
        case = plan[0].case
        self.deliver(plan[0], Decimal("150.00"), "first")
        case.refresh_from_db()
        assert case.state == "payment_pending"
        self.deliver(plan[1], Decimal("150.00"), "second")
        case.refresh_from_db()
        assert case.state == "resolved_paid"
        completed = case.events.get(kind="payment_completed")
        assert completed.payload["paid"] == "300.00"
        assert verify_case_log(case).ok

    def test_refund_is_booked_and_logged(self, plan):
        self.deliver(plan[0], Decimal("150.00"), "first")
        payment = do_refund(plan[0], Decimal("50.00"), actor="manager")
        assert payment.status == Payment.Status.PART_REFUNDED
        assert payment.amount_refunded == Decimal("50.00")
        payment = do_refund(payment, actor="manager")
        assert payment.status == Payment.Status.REFUNDED
        assert payment.amount_refunded == Decimal("150.00")
        kinds = list(payment.case.events.values_list("kind", flat=True))
        assert kinds.count("payment_refunded") == 2
        assert verify_case_log(payment.case).ok

    def test_refund_of_more_than_was_received_is_refused(self, plan):
        self.deliver(plan[0], Decimal("150.00"), "first")
        plan[0].refresh_from_db()
        with pytest.raises(RefundNotPossible, match="exceeds"):
            do_refund(plan[0], Decimal("150.01"))
