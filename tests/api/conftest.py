"""API tests: every cast member gets a key with every scope they may hold; requests go through
Django's test client with the key in the Authorization header (no session, no CSRF)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from fairclaim.api.keys import do_issue_key
from fairclaim.api.scopes import SCOPES, WRITE_SCOPES


def full_scopes(user) -> list[str]:
    return [s for s in SCOPES if not (user.read_only and s in WRITE_SCOPES)]


def api_client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clients(cast):
    """{role name: APIClient with a key holding every scope the member may grant}."""
    members = {
        "owner": cast.alice,
        "viewer": cast.alice_viewer,
        "stranger": cast.charlie,
        "manager": cast.manager,
        "lawfirm": cast.lawfirm,
    }
    return {
        role: api_client(do_issue_key(user, f"{role} key", full_scopes(user))[1])
        for role, user in members.items()
    }
