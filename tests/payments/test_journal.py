"""The double-entry journal: every reconciled payment is split by the rights holder's
agreement, refunds and chargebacks are reversed, and everything balances to the cent."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from fairclaim.payments.actions import do_choose_offer
from fairclaim.payments.journal import agreement_for, owed_to
from fairclaim.payments.models import Agreement, ImmutableRecord, JournalEntry, Payment, Posting
from fairclaim.payments.split import Account
from tests.payments.conftest import offer
from tests.payments.money import NOW, book

D = Decimal


@pytest.fixture
def org(cast):
    return cast.case.rights_holder


@pytest.fixture
def terms(org):
    agreement = agreement_for(org)
    agreement.commission_percent = D("40.00")
    agreement.card_costs_bearer = "rights_holder"
    agreement.save()
    return agreement


@pytest.fixture
def case(cast, terms):
    """alice's case, not escalated, notice sent."""
    case = cast.case
    type(case).objects.filter(pk=case.pk).update(state="notice_sent", law_firm=None)
    case.refresh_from_db()
    return case


def totals(**filters) -> dict:
    rows = Posting.objects.filter(**filters).values("account").annotate(total=Sum("amount"))
    return {row["account"]: row["total"] for row in rows}


def assert_journal_balances():
    for entry in JournalEntry.objects.all():
        assert sum(p.amount for p in entry.postings.all()) == 0, entry
    assert sum(totals().values(), D(0)) == 0


def assert_shares_equal_collected(payment: Payment):
    t = totals(entry__payment=payment)
    collected = t.get("collected", D(0))
    share = -t.get("rights_holder", D(0))
    commission = -t.get("commission", D(0))
    costs_rh = -t.get("costs_payable", D(0)) - t.get("platform_costs", D(0))
    assert share + commission + costs_rh == collected
    return collected, share, commission


def test_full_payment_is_split_by_the_agreement(case, org):
    [payment] = do_choose_offer(case, offer("300.00"), 1, NOW)
    book(payment, "bank:1", "300.00")
    collected, share, commission = assert_shares_equal_collected(payment)
    assert (collected, share, commission) == (D("300.00"), D("180.00"), D("120.00"))
    assert owed_to(org, "EUR") == D("180.00")
    assert_journal_balances()


def test_partial_payments_and_instalments_balance_to_the_cent(case, org):
    plan = do_choose_offer(case, offer("1000.00"), 3, NOW)  # 333.34 + 333.33 + 333.33
    book(plan[0], "bank:a", "100.01")
    book(plan[0], "bank:b", "233.33")
    book(plan[1], "bank:c", "333.33")
    book(plan[2], "bank:d", "333.33")
    for payment in plan:
        assert_shares_equal_collected(payment)
    t = totals()
    assert t["collected"] == D("1000.00")
    assert -t["rights_holder"] - t["commission"] == D("1000.00")
    # 40 % of each part, rounded per part: 133.34 + 133.33 + 133.33 = 400.00 commission
    assert owed_to(org, "EUR") == D("600.00")
    assert_journal_balances()


def test_repeated_fact_books_nothing_twice(case):
    [payment] = do_choose_offer(case, offer("300.00"), 1, NOW)
    book(payment, "bank:1", "300.00")
    book(payment, "bank:1", "300.00")
    assert JournalEntry.objects.filter(payment=payment).count() == 1


def test_refund_reverses_share_and_commission(case, org):
    [payment] = do_choose_offer(case, offer("300.00"), 1, NOW)
    book(payment, "bank:1", "300.00")
    book(payment, "bank-refund:1", "100.00", kind="refund")
    collected, share, commission = assert_shares_equal_collected(payment)
    assert (collected, share, commission) == (D("200.00"), D("120.00"), D("80.00"))
    reversal = JournalEntry.objects.filter(payment=payment).last()
    assert reversal.description == "Refund: 100.00 EUR returned"
    book(payment, "bank-refund:2", "200.00", kind="refund")
    assert owed_to(org, "EUR") == 0
    assert_journal_balances()


def test_card_chargeback_reverses_and_charges_the_dispute_fee(case, org, terms):
    [payment] = do_choose_offer(case, offer("100.00"), 1, NOW)
    Payment.objects.filter(pk=payment.pk).update(method="card", provider="stripe")
    payment.refresh_from_db()
    book(payment, "stripe:pi_1", "100.00", source="stripe")
    card_fee = D("1.50") + D("0.25")
    assert owed_to(org, "EUR") == D("60.00") - card_fee
    book(payment, "stripe-dispute:dp_1", "100.00", kind="chargeback", source="stripe")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    assert owed_to(org, "EUR") == -(card_fee + terms.chargeback_fee)
    assert case.events.filter(kind="payment_charged_back").exists()
    assert_shares_equal_collected(payment)
    assert_journal_balances()


def test_escalated_case_pays_the_law_firm_fee_shared(cast, terms):
    case = cast.case  # escalated to a law firm
    [payment] = do_choose_offer(case, offer("1000.00"), 1, NOW)
    book(payment, "bank:1", "1000.00")
    t = totals(entry__payment=payment)
    assert -t["costs_payable"] == D("300.00")  # 30 % law-firm fee, shared before commission
    assert (-t["commission"], -t["rights_holder"]) == (D("280.00"), D("420.00"))


def test_journal_entries_are_append_only(case):
    [payment] = do_choose_offer(case, offer("300.00"), 1, NOW)
    book(payment, "bank:1", "300.00")
    entry = JournalEntry.objects.get(payment=payment)
    entry.description = "changed"
    with pytest.raises(ImmutableRecord):
        entry.save()
    with pytest.raises(ImmutableRecord):
        entry.delete()


def test_agreement_validates_iban_and_bic_and_fills_the_bic(org):
    agreement = Agreement(organisation=org, iban="DE89 3704 0044 0532 0130 00", account_holder="A")
    agreement.full_clean()
    assert (agreement.iban, agreement.bic) == ("DE89370400440532013000", "COBADEFFXXX")
    with pytest.raises(ValidationError) as problem:
        Agreement(organisation=org, iban="DE89370400440532013001").full_clean()
    assert "iban" in problem.value.message_dict
    with pytest.raises(ValidationError) as problem:
        Agreement(organisation=org, bic="1234ZZ").full_clean()
    assert "bic" in problem.value.message_dict


def test_posting_accounts_are_the_split_accounts():
    assert {value for value, _ in Posting._meta.get_field("account").choices} == {
        a.value for a in Account
    }


def test_a_payment_keeps_the_terms_it_was_first_split_by(case, org, terms):
    [payment] = do_choose_offer(case, offer("300.00"), 1, NOW)
    book(payment, "bank:1", "300.00")  # 40 %: share 180.00
    terms.commission_percent = D("10.00")
    terms.save()
    book(payment, "bank-refund:1", "300.00", kind="refund")
    assert owed_to(org, "EUR") == 0  # reversed at 40 %, not at the new 10 %
    payment.refresh_from_db()
    assert payment.split_terms["commission_percent"] == "40.00"
