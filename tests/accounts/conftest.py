"""Account tests: a real SMTP server on loopback, and a code from the authenticator app."""

import re

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache
from django_otp.oath import totp

from tests.cases.conftest import Inbox
from tests.webserver import free_port


@pytest.fixture
def inbox(settings):
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    yield handler
    controller.stop()


@pytest.fixture(autouse=True)
def no_cached_sessions():
    cache.clear()
    yield
    cache.clear()


def app_code(device, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for `device` now (or `steps_ahead` 30-second steps on:
    a code is accepted once, so a second sign-in in the same test uses the next one)."""
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead)
    return f"{code:0{device.digits}d}"


def link_in(message, base_url: str) -> str:
    """The path of the first link to `base_url` in a mail's text."""
    body = message.get_body(preferencelist=("plain",)).get_content()
    found = re.search(re.escape(base_url) + r"(/\S+)", body)
    assert found, body
    return found.group(1)
