"""Address safety for captures: refuse private, loopback and link-local destinations.

A capture loads an arbitrary URL chosen by a user, so it must not become a way to reach the
platform's own network (cloud metadata at 169.254.169.254, databases on 10/8, admin ports on
127.0.0.1). The check runs after DNS resolution: every address a host name resolves to must be
public. Loopback may be allowed for tests and the demo (`FAIRCLAIM_ALLOW_LOOPBACK=1` or a
parameter); private and link-local ranges are never allowed.

The rule itself (which addresses are public) is discovery's `check_address`, shared by every
outbound fetch; this module applies it to captures and says which URL was refused.

Framework-free: no Django imports.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from fairclaim.discovery.addresses import check_address
from fairclaim.discovery.errors import AddressRefused as DiscoveryAddressRefused

ALLOW_LOOPBACK_ENV = "FAIRCLAIM_ALLOW_LOOPBACK"
ALLOWED_SCHEMES = (
    "http",
    "https",
)  # a capture is of a web page; file:, ftp:, data: are not evidence

Resolver = Callable[[str, int], list[str]]


class AddressRefused(Exception):
    """The URL's destination is not allowed (private, loopback, link-local, unresolvable, bad)."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"refused {url}: {reason}")
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class AddressPolicy:
    """Which destinations a capture may reach. `allow_loopback` admits 127/8 and ::1 only."""

    allow_loopback: bool = False

    @classmethod
    def from_env(cls, allow_loopback: bool | None = None) -> AddressPolicy:
        """An explicit `allow_loopback` wins; otherwise `FAIRCLAIM_ALLOW_LOOPBACK=1` allows it."""
        if allow_loopback is None:
            allow_loopback = os.environ.get(ALLOW_LOOPBACK_ENV, "") == "1"
        return cls(allow_loopback=allow_loopback)

    def address_problem(self, address: str) -> str | None:
        """Why `address` may not be reached, or None when it may (discovery's one rule)."""
        try:
            check_address(address, allow_loopback=self.allow_loopback)
        except DiscoveryAddressRefused as refused:
            return str(refused)
        return None


def resolve_host(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (the system resolver)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def check_url(url: str, policy: AddressPolicy, resolver: Resolver = resolve_host) -> list[str]:
    """Resolve the URL's host and return its addresses; raise AddressRefused if any is refused.

    All resolved addresses must pass, because the browser may connect to any of them.
    """
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise AddressRefused(url, f"malformed URL ({exc})") from exc
    if parts.scheme not in ALLOWED_SCHEMES:
        raise AddressRefused(url, f"scheme {parts.scheme!r} is not http or https")
    host = parts.hostname
    if not host:
        raise AddressRefused(url, "no host name")
    try:
        addresses = resolver(host, port)
    except (OSError, UnicodeError) as exc:
        raise AddressRefused(url, f"cannot resolve {host} ({exc})") from exc
    if not addresses:
        raise AddressRefused(url, f"{host} resolves to no address")
    for address in addresses:
        problem = policy.address_problem(address)
        if problem:
            raise AddressRefused(url, f"{host} resolves to {address}: {problem}")
    return addresses


class CachingChecker:
    """check_url with a per-host cache, for the many sub-requests of one page render."""

    def __init__(self, policy: AddressPolicy, resolver: Resolver = resolve_host) -> None:
        self.policy = policy
        self.resolver = resolver
        self._verdicts: dict[tuple[str, str, int | None], str | None] = {}

    def problem(self, url: str) -> str | None:
        """Why `url` may not be fetched, or None when it may. Non-http(s) schemes are refused."""
        try:
            parts = urlsplit(url)
            key = (parts.scheme, parts.hostname or "", parts.port)
        except ValueError as exc:
            return f"malformed URL ({exc})"
        if key not in self._verdicts:
            try:
                check_url(url, self.policy, self.resolver)
                self._verdicts[key] = None
            except AddressRefused as exc:
                self._verdicts[key] = exc.reason
        return self._verdicts[key]
