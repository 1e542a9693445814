"""Absolute links for things we send (e-mails, PDFs, QR codes): always on the one public base
URL (`settings.FAIRCLAIM_PUBLIC_URL`), never on whatever host a request happened to come in on."""

from __future__ import annotations

import ipaddress

from django.conf import settings


def public_url(path: str = "/") -> str:
    """`path` (starting with /) on the public base URL."""
    return settings.FAIRCLAIM_PUBLIC_URL + (path if path.startswith("/") else "/" + path)


def demo_public_url(host: str, port: int) -> str:
    """The base URL a browser on this machine reaches `fairclaim demo --host H --port P` at
    (a wildcard bind address is not one a browser can open)."""
    try:
        wildcard = not host or ipaddress.ip_address(host).is_unspecified
    except ValueError:  # a host name
        wildcard = False
    if wildcard:
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"
