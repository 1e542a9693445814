"""Account tests: a real SMTP server on loopback, and a code from the authenticator app."""

import re

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache

from tests.cases.conftest import Inbox
from tests.cast import app_code  # noqa: F401 - the account tests' import path
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


def link_in(message, base_url: str) -> str:
    """The path of the first link to `base_url` in a mail's text."""
    body = message.get_body(preferencelist=("plain",)).get_content()
    found = re.search(re.escape(base_url) + r"(/\S+)", body)
    assert found, body
    return found.group(1)
