"""Fixtures of the discovery tests: the local test site (a real HTTP server on 127.0.0.1)."""

from __future__ import annotations

import pytest

from .site_server import SiteServer


@pytest.fixture(scope="session")
def site():
    with SiteServer() as server:
        yield server
