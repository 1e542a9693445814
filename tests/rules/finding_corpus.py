"""Claims that make the linter and the fee statement emit each finding code: facts overrides of
`conftest.BASE`, shared by the catalogue test here and the claim-screen test in tests/cases."""

from typing import Any

from tests.rules.conftest import build
from tests.rules.test_linter import CASES, REGISTERED, UK, US

NO_CREDIT = {"sighting.credit_present": False}
LAWYER_FEE = {"pricing.expenses": [{"kind": "lawyer_fee", "amount": "413.90", "basis": "RVG"}]}

EXTRA: list[dict[str, Any]] = [
    {},  # JURISDICTION_SUPPORTED, CREDIT_PRESENT, DE_LIMITATION_OK
    {"rights_holder.own_domains": ["shop.example"]},
    {"rights_holder.agency_domains": ["shop.example"]},
    {"rights_holder.whitelist": ["shop.example"]},
    {"licences": [{"reference": "INV-7", "source": "own_sale", "licensee": "Shop GmbH",
                   "covers_recipient": True, "proven_in_case": "FC-2025-0042"}]},
    {"work.own_licence": {"code": "Public domain"}},
    {"work.own_licence": {"code": "CC0 1.0 Universal"}},
    {"licences": [{"reference": "INV-8", "source": "own_sale", "licensee": "Shop GmbH",
                   "covers_recipient": True, "valid_from": "2026-03-01",
                   "valid_until": "2026-05-31"}]},
    {**UK, "sighting.first_seen": "2020-11-01", "sighting.last_seen": "2020-12-20",
     "today": "2026-11-28"},
    {**UK},
    {"sighting.usage": "print_magazine"},
    {**NO_CREDIT, "pricing.surcharges": [{"code": "missing_credit", "pct": "150"}]},
    {"pricing.surcharges": [{"code": "retroactive", "pct": "100"}]},
    {**US, **LAWYER_FEE},
    {**LAWYER_FEE, "recipient.type": "consumer"},
]  # fmt: skip


def corpus() -> list[dict[str, Any]]:
    """Every claim of the corpus as facts JSON (a dict for `parse_facts`)."""
    return [build(overrides) for overrides, _code, _effect in CASES] + [
        build(overrides) for overrides in EXTRA
    ]


__all__ = ["REGISTERED", "corpus"]
