"""Fixtures for case tests: a real SMTP server, the platform key, the recipient's page served on
loopback (see `tests.cases.sound.case_with_claim`)."""

import email
import threading
from email import policy

import pytest
from aiosmtpd.controller import Controller

from fairclaim.portal.signing import platform_signer
from tests.cases.sound import PAGE
from tests.images import photo_bytes
from tests.webserver import free_port, serving


class Inbox:
    """aiosmtpd handler keeping every message; `hold` makes it stall before answering DATA."""

    def __init__(self):
        self.messages = []
        self.hold = threading.Event()
        self.received = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        self.received.set()
        if self.hold.is_set():
            import asyncio

            await asyncio.sleep(30)  # the sender is killed while waiting for "250"
        return "250 Message accepted for delivery"


@pytest.fixture
def inbox(settings):
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    handler.port = port
    yield handler
    controller.stop()


@pytest.fixture
def signing(settings, tmp_path):
    settings.FAIRCLAIM_SIGNING_KEY = str(tmp_path / "key.pem")
    platform_signer.cache_clear()
    yield
    platform_signer.cache_clear()


# The recipient's page, served on loopback, showing the image: the evidence every notice needs.
@pytest.fixture
def evidence_site(cast, settings):
    """The recipient's site on 127.0.0.1; `case_with_claim` captures it before any notice."""
    settings.FAIRCLAIM_ALLOW_LOOPBACK = True
    routes = {"/p/1": ("text/html", PAGE), "/i/1.jpg": ("image/jpeg", photo_bytes(5))}
    with serving(routes) as base:
        cast.site = (base, routes)
        yield routes
