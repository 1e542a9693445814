"""The two offers a recipient can accept, summed over the case's lines from their latest
fee statements (each line's statement names its basis; this only adds them up)."""

from __future__ import annotations

from decimal import Decimal

from fairclaim.cases.models import Case, FeeStatement
from fairclaim.rules.fees import OfferTotal
from fairclaim.rules.money import Money

OFFERS = ("past_only", "past_and_future")


def case_offers(case: Case) -> dict[str, OfferTotal]:
    latest: dict[int, FeeStatement] = {}
    for statement in FeeStatement.objects.filter(claim__case=case).order_by("version"):
        latest[statement.claim_id] = statement
    if not latest:
        return {}
    currency = next(iter(latest.values())).statement["currency"]
    offers = {}
    for name in OFFERS:
        parts = [s.statement["totals"].get(name) for s in latest.values()]
        if any(part is None for part in parts):
            continue
        net, vat, gross = (
            Money(sum((_amount(p[key]) for p in parts), Decimal(0)), currency)
            for key in ("net", "vat", "gross")
        )
        offers[name] = OfferTotal(name, net, vat, gross)
    return offers


def _amount(text: str) -> Decimal:
    """Statement JSON writes money as "450.00" or "450.00 EUR"; the number is what counts."""
    return Decimal(str(text).split()[0])
