import hashlib
import hmac
import json
import time

import pytest

from .fake_stripe import FakeStripe

API_KEY = "sk_test_fairclaim_local"
WEBHOOK_SECRET = "whsec_test_fairclaim_local"


@pytest.fixture(scope="session")
def fake_stripe_server():
    with FakeStripe(API_KEY) as fake:
        yield fake


@pytest.fixture
def fake_stripe(fake_stripe_server, settings):
    """The local Stripe, fresh for each test, with the settings pointing at it."""
    fake_stripe_server.reset()
    settings.STRIPE_API_KEY = API_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = fake_stripe_server.url
    settings.STRIPE_TIMEOUT_SECONDS = 5
    settings.FAIRCLAIM_ALLOW_LOOPBACK = True  # the local Stripe listens on 127.0.0.1
    return fake_stripe_server


def sign(payload: str, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    """Stripe's scheme: v1 = HMAC-SHA256 over "{t}.{payload}" with the endpoint secret."""
    t = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def event(event_id: str, kind: str, obj: dict) -> str:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "api_version": "2026-10-28.endive",
            "created": int(time.time()),
            "livemode": False,
            "type": kind,
            "data": {"object": obj},
        }
    )


class Webhooks:
    """Posts signed events to the real webhook view through Django's test client."""

    URL = "/payments/stripe/webhook/"

    def __init__(self, client):
        self.client = client

    def post(self, payload: str, signature: str | None = None):
        return self.client.post(
            self.URL,
            data=payload,
            content_type="application/json",
            headers={"Stripe-Signature": signature if signature is not None else sign(payload)},
        )

    def send(self, event_id: str, kind: str, obj: dict):
        response = self.post(event(event_id, kind, obj))
        assert response.status_code == 200, response.content
        return response.json()["outcome"]


@pytest.fixture
def webhooks(client, fake_stripe):
    return Webhooks(client)
