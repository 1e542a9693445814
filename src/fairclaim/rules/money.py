"""Money for fee statements: Decimal amounts with a currency, and the rounding rule in one place.

Rounding: every statement line is rounded to the currency's minor unit, half up (commercial
rounding, what a recipient checking by hand expects); totals are sums of rounded lines; VAT is
computed on an offer's VAT-able net total and rounded once. No floats anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ROUNDING = ROUND_HALF_UP
ROUNDING_NAME = "half_up_per_line"

MINOR_UNIT_DIGITS = {"EUR": 2, "USD": 2, "GBP": 2}

# A claim is made in the currency of the law it is made under; a price list in another currency
# must be converted by the rights holder first (rules/ has no exchange rates: no I/O).
CURRENCY_BY_JURISDICTION = {"US": "USD", "DE": "EUR", "UK": "GBP"}


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-MINOR_UNIT_DIGITS[currency])


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0).quantize(quantum(currency)), currency)

    def rounded(self) -> Money:
        return Money(self.amount.quantize(quantum(self.currency), rounding=ROUNDING), self.currency)

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(self.amount + other.amount, self.currency)

    def times(self, factor: Decimal | int) -> Money:
        return Money(self.amount * Decimal(factor), self.currency)

    def percent(self, pct: Decimal) -> Money:
        """`pct` percent of this amount, rounded."""
        return Money(self.amount * pct / Decimal(100), self.currency).rounded()

    def __str__(self) -> str:
        return f"{self.amount:.{MINOR_UNIT_DIGITS[self.currency]}f}"
