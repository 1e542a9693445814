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
# The one table of it: the linter, the Django layer's cases and the letters all read it here.
EURO_AREA = frozenset(
    {
        "AT",
        "BE",
        "BG",
        "CY",
        "DE",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PT",
        "SI",
        "SK",
    }
)  # fmt: skip  (Bulgaria from 1 Jan 2026)
CURRENCY_BY_JURISDICTION = {
    "US": "USD",
    "UK": "GBP",
    "GB": "GBP",
    **{country: "EUR" for country in sorted(EURO_AREA)},
}


def currency_for(jurisdiction: str | None, default: str | None = None) -> str | None:
    """The currency a claim under `jurisdiction`'s law (ISO code; GB and UK alike) is made in,
    or `default` for a country the table does not list."""
    return CURRENCY_BY_JURISDICTION.get((jurisdiction or "").upper(), default)


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
