import itertools
from decimal import Decimal

from fairclaim.payments.settlement import MoneyFact, Standing, settle

DUE = Decimal("150.00")


def receipt(key, amount, currency="EUR"):
    return MoneyFact(key, "receipt", Decimal(amount), currency)


def refund(key, amount, cumulative=False):
    return MoneyFact(key, "refund", Decimal(amount), "EUR", cumulative)


def test_nothing_received_is_pending():
    assert settle(DUE, "EUR", []).standing == Standing.PENDING


def test_exact_amount_succeeds():
    result = settle(DUE, "EUR", [receipt("a", "150.00")])
    assert (result.standing, result.outstanding) == (Standing.SUCCEEDED, Decimal(0))
    assert result.paid


def test_repeated_fact_counts_once():
    assert settle(DUE, "EUR", [receipt("a", "150.00")] * 3).received == DUE


def test_short_and_over_payments_are_named():
    assert settle(DUE, "EUR", [receipt("a", "100")]).standing == Standing.PART_PAID
    over = settle(DUE, "EUR", [receipt("a", "100"), receipt("b", "60")])
    assert (over.standing, over.outstanding) == (Standing.OVERPAID, Decimal("-10.00"))


def test_refund_of_the_excess_leaves_it_paid():
    facts = [receipt("a", "160"), refund("r", "10")]
    assert settle(DUE, "EUR", facts).standing == Standing.SUCCEEDED


def test_single_and_running_refund_totals_are_not_added():
    facts = [receipt("a", "150"), refund("re_1", "50"), refund("ch:5000", "50", cumulative=True)]
    assert settle(DUE, "EUR", facts).refunded == Decimal(50)
    facts.append(refund("ch:8000", "80", cumulative=True))  # a later refund made elsewhere
    result = settle(DUE, "EUR", facts)
    assert (result.refunded, result.standing) == (Decimal(80), Standing.PARTIALLY_REFUNDED)


def test_result_does_not_depend_on_arrival_order():
    facts = [
        receipt("pi", "150"),
        refund("ch:50", "50", cumulative=True),
        refund("ch:150", "150", cumulative=True),
        receipt("pi", "150"),
    ]
    results = {settle(DUE, "EUR", order) for order in itertools.permutations(facts)}
    assert len(results) == 1
    assert next(iter(results)).standing == Standing.REFUNDED


def test_money_in_another_currency_is_not_counted_and_says_why():
    result = settle(DUE, "EUR", [receipt("a", "150", "USD")])
    assert result.standing == Standing.PENDING
    assert result.ignored == ("a: currency USD, payment is in EUR",)
