"""A plain, valid DE claim as a dict, and `make_facts` to vary it by dotted paths."""

import copy
from typing import Any

import pytest

from fairclaim.rules.facts import ClaimFacts, parse_facts

BASE: dict[str, Any] = {
    "claim_id": "CL-T-1",
    "today": "2026-11-28",
    "jurisdiction": "DE",
    "work": {"id": "W-1", "creator_type": "professional", "first_published_on": "2021-05-14"},
    "sighting": {
        "page_url": "https://shop.example/p/1",
        "image_url": "https://shop.example/img/1.jpg",
        "first_seen": "2026-01-15",
        "last_seen": "2026-11-20",
        "still_online": True,
        "hotlinked": False,
        "displayed_width": 800,
        "displayed_height": 600,
        "credit_present": True,
        "site_type": "commercial",
        "usage": "web_commercial",
        "placement": "subpage",
    },
    "rights_holder": {"id": "RH-1", "name": "Anna Berg"},
    "recipient": {"id": "R-1", "name": "Shop GmbH", "type": "business", "country": "DE"},
    "pricing": {
        "mode": "rate_card",
        "name": "Berg 2026",
        "currency": "EUR",
        "entries": [
            {"usage": "web_commercial", "months": 1, "price": "100.00"},
            {"usage": "web_commercial", "months": 12, "price": "600.00"},
        ],
        "vat": {"rate": "0.19", "on_past_use": False, "on_future_licence": True},
    },
}


def build(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """BASE with `{"sighting.hotlinked": True, ...}` applied; a value of ... deletes the key."""
    data = copy.deepcopy(BASE)
    for path, value in (overrides or {}).items():
        *parents, leaf = path.split(".")
        node = data
        for part in parents:
            node = node.setdefault(part, {})
        if value is ...:
            node.pop(leaf, None)
        else:
            node[leaf] = value
    return data


@pytest.fixture
def make_facts():
    def make(overrides: dict[str, Any] | None = None) -> ClaimFacts:
        return parse_facts(build(overrides))

    return make
