"""Choosing an offer: the instalment plan, the case transition, changing the offer."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from fairclaim.cases.log import verify_case_log
from fairclaim.cases.models import Case
from fairclaim.payments.actions import OfferError, OfferLocked, do_choose_offer
from fairclaim.payments.models import Payment
from fairclaim.payments.providers.bank_transfer.backend import import_statement
from tests.payments.bank_transfer.camt import Entry, camt053
from tests.payments.conftest import offer

# A Tuesday; +14 days is Tuesday 2026-12-15, a working day in Germany.
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def test_plan_splits_the_total_exactly_into_monthly_instalments(open_case):
    plan = do_choose_offer(open_case, offer("1000.00", "past_and_future"), 3, NOW)
    assert [p.amount for p in plan] == [Decimal("333.34"), Decimal("333.33"), Decimal("333.33")]
    assert sum(p.amount for p in plan) == Decimal("1000.00")
    assert [p.due_on for p in plan] == [date(2026, 12, 15), date(2027, 1, 15), date(2027, 2, 15)]
    assert {(p.offer, p.currency, p.instalment_count, p.status) for p in plan} == {
        ("past_and_future", "EUR", 3, Payment.Status.PENDING)
    }


def test_choosing_logs_the_plan_and_leaves_the_case_as_it_was(open_case):
    plan = do_choose_offer(open_case, offer("300.00"), 2, NOW)
    open_case.refresh_from_db()
    assert open_case.state == "notice_sent"  # not a commitment until money moves
    chosen = open_case.events.get(kind="payment_plan_created")
    assert chosen.payload["total"] == "300.00"
    assert [i["payment"] for i in chosen.payload["instalments"]] == [p.pk for p in plan]
    assert verify_case_log(open_case).ok


def test_pay_at_once_is_one_instalment_due_after_the_payment_term(open_case):
    [payment] = do_choose_offer(open_case, offer("99.99"), 1, NOW)
    assert (payment.amount, payment.due_on) == (Decimal("99.99"), date(2026, 12, 15))


def test_choosing_again_cancels_the_earlier_unpaid_plan(open_case):
    first = do_choose_offer(open_case, offer("300.00"), 2, NOW)
    second = do_choose_offer(open_case, offer("450.00", "past_and_future"), 1, NOW)
    statuses = set(Payment.objects.filter(pk__in=[p.pk for p in first]).values_list("status"))
    assert statuses == {(Payment.Status.CANCELLED,)}
    assert open_case.events.filter(kind="payment_plan_created").last().payload["replaces"] == [
        p.pk for p in first
    ]
    assert [p.amount for p in second] == [Decimal("450.00")]


def test_plan_cannot_change_once_money_was_received(open_case):
    plan = do_choose_offer(open_case, offer("300.00"), 2, NOW)
    import_statement(
        camt053([Entry("150.00", [open_case.reference], ref="r1")]), "s.xml", now=timezone.now()
    )
    with pytest.raises(OfferLocked, match="case manager"):
        do_choose_offer(open_case, offer("450.00", "past_and_future"), 1, NOW)
    assert Payment.objects.filter(case=open_case, cancelled_at__isnull=True).count() == len(plan)


def test_escalated_case_logs_the_plan_and_settles_when_paid(cast):
    case = cast.case
    assert case.state == "escalated"
    do_choose_offer(case, offer("300.00"), 1, NOW, actor="lawyer")
    case.refresh_from_db()
    assert case.state == "escalated"
    assert case.events.filter(kind="payment_plan_created").exists()
    import_statement(camt053([Entry("300.00", [case.reference], ref="r1")]), "s.xml", now=NOW)
    case.refresh_from_db()
    assert case.state == "resolved_paid"
    assert case.events.get(kind="settled").payload["paid"] == "300.00"


@pytest.mark.parametrize(
    ("the_offer", "instalments", "message"),
    [
        (offer("300.00"), 7, "between 1 and 6"),
        (offer("300.00", "everything"), 1, "unknown offer"),
        (offer("300.00", currency="USD"), 1, "USD"),
        (offer("0.00"), 1, "positive total"),
    ],
)
def test_refuses_offers_it_cannot_plan(open_case, the_offer, instalments, message):
    with pytest.raises(OfferError, match=message):
        do_choose_offer(open_case, the_offer, instalments, NOW)
    assert not Payment.objects.exists()


def test_refuses_a_closed_case(open_case):
    Case.objects.filter(pk=open_case.pk).update(state="withdrawn")
    open_case.refresh_from_db()
    with pytest.raises(OfferError, match="closed"):
        do_choose_offer(open_case, offer("300.00"), 1, NOW)
