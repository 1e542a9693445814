"""Shared fixtures: the local site, a local TSA, one Chromium for all captures, a signing key.

Captures are few and session-scoped (a Chromium capture costs 1-3 s on this machine); several
tests read the same bundle.
"""

from __future__ import annotations

import pytest

from fairclaim.evidence.capture import CaptureSession
from fairclaim.evidence.keys import Signer
from fairclaim.evidence.retry import RetryPolicy
from tests.evidence.local_site import Site
from tests.evidence.local_tsa import start_tsa

FAST_RETRY = RetryPolicy(attempts=3, first_delay=0.1)  # keeps the retry test quick


@pytest.fixture(scope="session")
def site():
    site = Site()
    yield site
    site.close()


@pytest.fixture(scope="session")
def tsa():
    authority, server, url = start_tsa()
    yield authority, url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def key_path(tmp_path_factory):
    return tmp_path_factory.mktemp("keys") / "signing-ed25519.pem"


@pytest.fixture(scope="session")
def signer(key_path):
    return Signer.from_path(key_path)


@pytest.fixture(scope="session")
def capture_session():
    with CaptureSession() as session:
        yield session


@pytest.fixture(scope="session")
def capture(capture_session, signer, tmp_path_factory):
    """capture(page_path, image_path, name, **options) -> (CaptureResult, bundle path)."""
    folder = tmp_path_factory.mktemp("bundles")

    def run(site, page_path, image_path, name, **options):
        out = folder / f"{name}.wacz"
        options.setdefault("allow_loopback", True)
        options.setdefault("retry", FAST_RETRY)
        result = capture_session.capture(
            site.url(page_path), site.url(image_path), out_path=out, signer=signer, **options
        )
        return result, out

    run.folder = folder
    return run


@pytest.fixture(scope="session")
def static_capture(site, capture, tsa):
    """The static page captured once, with an RFC 3161 timestamp from the local TSA."""
    _, tsa_url = tsa
    return capture(site, "/static.html", "/photo.jpg", "static", tsa_url=tsa_url)
