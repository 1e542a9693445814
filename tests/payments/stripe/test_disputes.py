"""Card disputes, posted as signed Stripe webhooks to the real view with objects from the local
Stripe-protocol server: a lost dispute is a chargeback that reverses the split (and charges the
dispute fee); a won one changes nothing; and a payout run over payments, partial payments,
instalments, refunds and chargebacks balances to the cent."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from fairclaim.cases.log import verify_case_log
from fairclaim.payments.actions import do_start_card_payment
from fairclaim.payments.journal import agreement_for, owed_to
from fairclaim.payments.models import Payment, PaymentFact, Posting
from fairclaim.payments.payouts import do_draft_run, do_finalise_run
from tests.payments.money import book

D = Decimal
DEBTOR = {"holder": "fairclaim Treuhand", "iban": "DE89370400440532013000", "bic": "COBADEFFXXX"}


def paid_by_card(fake, webhooks, payment, event_id):
    do_start_card_payment(payment, "https://p.example/ok", "https://p.example/no")
    payment.refresh_from_db()
    session, intent, _ = fake.pay(payment.checkout_session_id)
    assert webhooks.send(event_id, "checkout.session.completed", session) == "applied"
    return intent


def journal_total() -> Decimal:
    # Summed here, not by SQLite (which sums decimals as floats: 7e-15 is not a cent).
    return sum(Posting.objects.values_list("amount", flat=True), D(0))


def shares_equal_collected(payment) -> None:
    t: dict[str, Decimal] = {}
    for account, amount in Posting.objects.filter(entry__payment=payment).values_list(
        "account", "amount"
    ):
        t[account] = t.get(account, D(0)) + amount
    collected = t.get("collected", D(0))
    paid_out_of_it = -sum(
        t.get(account, D(0))
        for account in ("rights_holder", "commission", "costs_payable", "platform_costs")
    )
    assert paid_out_of_it == collected, t


def test_lost_dispute_books_a_chargeback_that_reverses_the_split(fake_stripe, webhooks, plan):
    org = plan[0].case.rights_holder
    intent = paid_by_card(fake_stripe, webhooks, plan[0], "evt_paid")
    owed_before = owed_to(org, "EUR")
    assert owed_before > 0
    dispute = fake_stripe.dispute(intent["id"], "lost")
    assert webhooks.send("evt_lost", "charge.dispute.closed", dispute) == "applied"
    plan[0].refresh_from_db()
    assert plan[0].status == Payment.Status.REFUNDED
    fact = plan[0].facts.get(kind=PaymentFact.Kind.CHARGEBACK)
    assert (fact.amount, fact.key) == (D("150.00"), f"stripe-dispute:{dispute['id']}")
    # The rights holder's share is gone again; the card fee and the dispute fee remain costs.
    fee = agreement_for(org).chargeback_fee
    assert owed_to(org, "EUR") < 0
    assert owed_to(org, "EUR") <= -fee
    shares_equal_collected(plan[0])
    assert journal_total() == 0
    case = plan[0].case
    assert case.events.filter(kind="payment_charged_back").count() == 1
    assert verify_case_log(case).ok
    # Stripe delivers again, and as another event about the same dispute: booked once.
    assert webhooks.send("evt_lost", "charge.dispute.closed", dispute) == "duplicate"
    webhooks.send("evt_lost_again", "charge.dispute.closed", dispute)
    assert plan[0].facts.filter(kind=PaymentFact.Kind.CHARGEBACK).count() == 1


def test_won_dispute_changes_nothing(fake_stripe, webhooks, plan):
    org = plan[0].case.rights_holder
    intent = paid_by_card(fake_stripe, webhooks, plan[0], "evt_paid")
    owed = owed_to(org, "EUR")
    dispute = fake_stripe.dispute(intent["id"], "won")
    assert webhooks.send("evt_won", "charge.dispute.closed", dispute) == "applied"
    plan[0].refresh_from_db()
    assert plan[0].status == Payment.Status.SUCCEEDED
    assert not plan[0].facts.filter(kind=PaymentFact.Kind.CHARGEBACK).exists()
    assert owed_to(org, "EUR") == owed


def test_lost_dispute_before_the_completion_is_held_then_booked(fake_stripe, webhooks, plan):
    do_start_card_payment(plan[0], "https://p.example/ok", "https://p.example/no")
    plan[0].refresh_from_db()
    session, intent, _ = fake_stripe.pay(plan[0].checkout_session_id)
    dispute = fake_stripe.dispute(intent["id"], "lost")
    assert webhooks.send("evt_lost", "charge.dispute.closed", dispute) == "held"
    assert webhooks.send("evt_paid", "checkout.session.completed", session) == "applied"
    plan[0].refresh_from_db()
    assert (plan[0].status, plan[0].amount_refunded) == (Payment.Status.REFUNDED, D("150.00"))


def test_a_dispute_amount_of_the_wrong_type_is_refused(fake_stripe, webhooks, plan):
    intent = paid_by_card(fake_stripe, webhooks, plan[0], "evt_paid")
    dispute = dict(fake_stripe.dispute(intent["id"], "lost"), amount="150.00")
    from .conftest import event

    assert webhooks.post(event("evt_bad", "charge.dispute.closed", dispute)).status_code == 400
    assert not plan[0].facts.filter(kind=PaymentFact.Kind.CHARGEBACK).exists()


def test_payout_run_over_every_kind_of_money_balances_to_the_cent(fake_stripe, webhooks, plan):
    """Instalment 1 by card, charged back; instalment 2 by bank in two parts, one refunded in
    part: the statement's shares sum to what was collected and the journal balances."""
    case = plan[0].case
    org = case.rights_holder
    agreement = agreement_for(org)
    agreement.commission_percent = D("33.33")  # a rate that does not divide evenly
    agreement.account_holder, agreement.iban = "Alice Photo GmbH", "DE02120300000000202051"
    agreement.minimum_payout = D("1.00")
    agreement.save()
    intent = paid_by_card(fake_stripe, webhooks, plan[0], "evt_paid")
    webhooks.send("evt_lost", "charge.dispute.closed", fake_stripe.dispute(intent["id"], "lost"))
    now = timezone.now()
    book(plan[1], "bank:1", "100.01", now=now)  # partial
    book(plan[1], "bank:2", "49.99", now=now)  # the rest
    book(plan[1], "bank-refund:1", "10.01", kind="refund", now=now)
    for payment in plan:
        shares_equal_collected(payment)
    run = do_draft_run(
        operator=org.operator, cutoff=now + timedelta(minutes=1),
        execution_date=(now + timedelta(days=2)).date(), actor="t", now=now + timedelta(minutes=2),
    )  # fmt: skip
    [statement] = run.statements.all()
    assert statement.collected == D("139.99")  # 150.00 - 10.01; the charged-back 150 is gone
    assert statement.collected == statement.commission + statement.costs + statement.period
    run = do_finalise_run(run, actor="t", now=now + timedelta(minutes=3), debtor=DEBTOR)
    statement.refresh_from_db()
    assert owed_to(org, "EUR") == statement.carried
    assert journal_total() == 0
    assert verify_case_log(case).ok
