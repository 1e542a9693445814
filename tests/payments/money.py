"""Booking money the way the providers do (payments.ledger.record_fact + resettle)."""

from datetime import UTC, datetime
from decimal import Decimal

from django.db import transaction

from fairclaim.payments.ledger import record_fact, resettle
from fairclaim.payments.models import Payment

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


def book(payment: Payment, key: str, amount: str, kind: str = "receipt", *, now=NOW, **extra):
    with transaction.atomic():
        record_fact(
            payment,
            key=key,
            kind=kind,
            amount=Decimal(amount),
            currency=payment.currency,
            source=extra.pop("source", "bank"),
            now=now,
            actor="test",
            **extra,
        )
        return resettle(payment, now=now, actor="test")
