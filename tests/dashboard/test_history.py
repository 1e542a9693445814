"""The demo's history goes through the real ledger: it balances, pays out once, seeds once."""

from datetime import UTC, datetime
from decimal import Decimal

from django.db.models import Sum

from fairclaim.dashboard.history import pay_last_month, seed_history
from fairclaim.payments.models import JournalEntry, Posting

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def test_history_balances_pays_out_and_seeds_once(cast):
    org = cast.charlie.organisation  # has a work and no matches yet
    made = seed_history(org, now=NOW, iban="DE02120300000000202051", holder="Alice", seed=3)
    assert made > 0
    assert seed_history(org, now=NOW, iban="DE02120300000000202051", holder="Alice") == 0
    assert Posting.objects.aggregate(total=Sum("amount"))["total"] == 0
    kinds = set(JournalEntry.objects.values_list("description", flat=True))
    assert any(d.startswith("Refund") for d in kinds)
    run = pay_last_month(org.operator, NOW)
    assert run.status == "final"
    statement = run.statements.get(organisation=org)
    assert statement.paid > Decimal(0)
    assert statement.collected == statement.commission + statement.costs + statement.period
    assert pay_last_month(org.operator, NOW) is None
