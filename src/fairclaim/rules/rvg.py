"""German statutory lawyer fees on the §97a(3) UrhG value: what a private person may be asked to
reimburse for a lawyer's warning letter (pure).

§97a(3) sentence 2 UrhG: towards a natural person who does not use the work for a trade or
profession (and is not already bound to cease and desist towards this claimant), the necessary
lawyer costs are limited to the statutory fees on a value (Gegenstandswert) of 1,000 EUR for the
injunction and removal claim. The statutory fee is the RVG table amount for that value (Anlage 2
zu §13(1) RVG), times the business fee rate (No. 2300 VV RVG: 1.3 for a matter of average scope
and difficulty), plus the expenses lump sum (No. 7002 VV RVG: 20 % of the fees, at most 20 EUR).
Net of VAT: VAT is the rights holder's tax matter (`pricing.vat`).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

CAP_VALUE_EUR: Final = Decimal("1000")  # §97a(3) sentence 2 UrhG
BUSINESS_FEE_RATE: Final = Decimal("1.3")  # No. 2300 VV RVG, the usual rate for a warning letter
EXPENSES_PCT: Final = Decimal("0.20")  # No. 7002 VV RVG
EXPENSES_MAX: Final = Decimal("20.00")  # No. 7002 VV RVG

# The one-fee amount for a value up to 1,000 EUR (Anlage 2 zu §13(1) RVG), by the day a version
# took effect: 2. KostRMoG (1 Aug 2013), KostRÄG 2021 (1 Jan 2021), KostBRÄG 2025 (1 Jun 2025).
FEE_UP_TO_1000_EUR: Final = (
    (date(2013, 8, 1), Decimal("80.00")),
    (date(2021, 1, 1), Decimal("88.00")),
    (date(2025, 6, 1), Decimal("93.00")),
)

SOURCE: Final = (
    "§97a(3) sentence 2 UrhG (value 1,000 EUR); §13(1) RVG with Anlage 2; No. 2300 and No. 7002 "
    "VV RVG"
)


def table_fee(on: date) -> Decimal:
    """The RVG one-fee amount for a 1,000 EUR value in force on `on` (the earliest table before
    2013: §97a(3) in its present form applies from 9 Oct 2013)."""
    fee = FEE_UP_TO_1000_EUR[0][1]
    for since, amount in FEE_UP_TO_1000_EUR:
        if on >= since:
            fee = amount
    return fee


def consumer_lawyer_fee_cap(on: date) -> Decimal:
    """Net statutory fees for a warning letter on the §97a(3) value, on the day it is sent:
    1.3 × table fee + expenses lump sum (e.g. 1 Jun 2025 on: 1.3 × 93.00 + 20.00 = 140.90)."""
    fees = (table_fee(on) * BUSINESS_FEE_RATE).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    expenses = min(
        (fees * EXPENSES_PCT).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), EXPENSES_MAX
    )
    return fees + expenses
