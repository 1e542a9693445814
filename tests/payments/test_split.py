"""The split of collected money, with plain values: shares always add up to what was collected."""

import itertools
from decimal import Decimal

from fairclaim.payments.payable import Outcome, payable
from fairclaim.payments.split import (
    Account,
    Bearer,
    Collection,
    Terms,
    difference,
    is_balanced,
    split,
)

D = Decimal
TERMS = Terms(
    commission_percent=D("50"),
    card_fee_percent=D("1.5"),
    card_fee_fixed=D("0.25"),
    chargeback_fee=D("20"),
    card_costs_bearer=Bearer.RIGHTS_HOLDER,
    law_firm_fee_percent=D("30"),
    law_firm_costs_bearer=Bearer.SHARED,
)


def shares_add_up(result) -> bool:
    return (
        result.rights_holder_share + result.commission + result.rights_holder_costs
        == result.collected
    )


def test_bank_transfer_is_split_by_commission_alone():
    result = split(Collection(receipts=(D("300.00"),), returned=D(0)), TERMS)
    assert (result.commission, result.rights_holder_share, result.costs) == (
        D("150.00"),
        D("150.00"),
        D(0),
    )
    assert is_balanced(result.postings())


def test_card_fee_is_taken_from_the_rights_holders_share_when_they_bear_it():
    result = split(Collection(receipts=(D("99.99"),), returned=D(0), card=True), TERMS)
    # 1.5 % of 99.99 = 1.49985 -> 1.50, plus 0.25; commission 50 % of 99.99 = 49.995 -> 50.00
    assert result.card_fees == D("1.75")
    assert result.commission == D("50.00")
    assert result.rights_holder_share == D("99.99") - D("50.00") - D("1.75")
    assert shares_add_up(result)


def test_platform_borne_costs_leave_the_share_whole_and_book_an_expense():
    terms = Terms(D("40"), D("1.5"), D("0.25"), card_costs_bearer=Bearer.PLATFORM)
    result = split(Collection(receipts=(D("200.00"),), returned=D(0), card=True), terms)
    assert result.rights_holder_share == D("120.00")
    assert result.platform_costs == D("3.25")
    assert result.postings()[Account.PLATFORM_COSTS] == D("3.25")
    assert is_balanced(result.postings())


def test_shared_law_firm_fee_is_deducted_before_commission_on_escalated_cases():
    result = split(Collection(receipts=(D("1000.00"),), returned=D(0)), TERMS, escalated=True)
    assert result.law_firm_fees == D("300.00")
    assert (result.commission, result.rights_holder_share) == (D("350.00"), D("350.00"))
    assert shares_add_up(result)


def test_full_refund_reverses_share_and_commission_but_card_fee_stays():
    result = split(Collection(receipts=(D("100.00"),), returned=D("100.00"), card=True), TERMS)
    assert (result.collected, result.commission) == (D(0), D(0))
    assert result.rights_holder_share == D("-1.75")  # the processor kept its fee
    assert shares_add_up(result)


def test_chargeback_adds_the_dispute_fee():
    result = split(
        Collection(receipts=(D("100.00"),), returned=D("100.00"), chargebacks=1, card=True),
        TERMS,
    )
    assert result.card_fees == D("21.75")
    assert shares_add_up(result)
    assert is_balanced(result.postings())


def test_every_combination_balances_to_the_cent():
    amounts = [D("0.01"), D("0.03"), D("33.33"), D("99.99"), D("150.00"), D("1234.57")]
    percents = [D("0"), D("33.33"), D("50"), D("100")]
    for receipts, pct, bearer, card, escalated in itertools.product(
        itertools.combinations(amounts, 2), percents, list(Bearer), [True, False], [True, False]
    ):
        terms = Terms(pct, D("1.4"), D("0.25"), D("15"), bearer, D("25"), bearer)
        for returned in (D(0), receipts[0]):
            result = split(Collection(receipts, returned, 0, card), terms, escalated=escalated)
            assert shares_add_up(result), (receipts, pct, bearer, card, escalated, returned)
            assert is_balanced(result.postings())
            assert result.commission == result.commission.quantize(D("0.01"))


def test_difference_posts_only_what_changed_and_nothing_twice():
    first = split(Collection((D("150.00"),), D(0)), TERMS).postings()
    both = split(Collection((D("150.00"), D("150.00")), D(0)), TERMS).postings()
    delta = difference(both, first)
    assert delta[Account.COLLECTED] == D("150.00")
    assert is_balanced(delta)
    assert difference(both, both) == {}


def test_payable_carries_balances_below_minimum_or_without_account():
    assert payable(D("10"), D("30"), minimum=D("50"), account_ok=True).outcome == (
        Outcome.BELOW_MINIMUM
    )
    paid = payable(D("10"), D("45"), minimum=D("50"), account_ok=True)
    assert (paid.outcome, paid.paid, paid.carried) == (Outcome.PAID, D("55"), D(0))
    assert payable(D("0"), D("80"), minimum=D("50"), account_ok=False).carried == D("80")
    assert payable(D("-5"), D("3"), minimum=D("0"), account_ok=True).outcome == (
        Outcome.NOTHING_DUE
    )
