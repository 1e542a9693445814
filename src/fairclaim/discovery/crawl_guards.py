"""Scrapy components that apply discovery's policy inside a crawl: the DNS resolver and the
downloader middleware for the address policy, retry backoff, and the error kind of a failure.

Importing this module imports Twisted's resolver interface, not Scrapy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from twisted.internet.interfaces import IResolverSimple
from zope.interface import implementer

from fairclaim.discovery.addresses import check_address
from fairclaim.discovery.errors import AddressRefused, DiscoveryError

RETRY_BACKOFF_BASE = 1.0  # seconds before the first retry; doubles per retry
RETRY_BACKOFF_MAX = 30.0  # cap: a flaky host should not hold a slot for minutes
REFUSED_HOSTS: set[str] = set()  # names PolicyResolver refused in this (one-crawl) process


def classify_failure(exc: BaseException) -> str:
    """Error kind (as in errors.py) for an exception that ended a Scrapy request."""
    from scrapy.exceptions import (
        CannotResolveHostError,
        DownloadCancelledError,
        DownloadConnectionRefusedError,
        DownloadTimeoutError,
        IgnoreRequest,
        ResponseDataLossError,
    )
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.internet import error as tx_error

    message = str(exc)
    if isinstance(exc, DiscoveryError):
        return exc.kind
    if "address refused" in message or "refused address" in message:
        return AddressRefused.kind
    if isinstance(exc, HttpError):
        return "http_status"
    if isinstance(exc, IgnoreRequest):
        if "robots.txt" in message:
            return "robots_forbidden"
        if "redirect" in message:
            return "redirects"
        if "max size" in message or "DOWNLOAD_MAXSIZE" in message or "larger than" in message:
            return "too_large"
        return "ignored"
    if isinstance(exc, DownloadCancelledError) or "maxsize" in message:
        return "too_large"
    if isinstance(exc, DownloadTimeoutError | tx_error.TimeoutError):
        return "timeout"
    if isinstance(exc, CannotResolveHostError | tx_error.DNSLookupError):
        return "dns"
    if isinstance(exc, DownloadConnectionRefusedError | ResponseDataLossError):
        return "connect"
    return "connect" if "Connection" in type(exc).__name__ else type(exc).__name__.lower()


@implementer(IResolverSimple)
class PolicyResolver:
    """Scrapy DNS resolver that answers mapped names from FAIRCLAIM_RESOLVE and refuses private,
    loopback (unless allowed) and link-local answers, so connections only reach checked addresses.
    """

    def __init__(self, reactor: Any, inner: Any, allow_loopback: bool, hosts: Mapping[str, str]):
        self.reactor = reactor
        self.inner = inner
        self.allow_loopback = allow_loopback
        self.hosts = dict(hosts)

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> PolicyResolver:
        from scrapy.resolver import CachingThreadedResolver

        inner = CachingThreadedResolver.from_crawler(crawler, reactor)
        return cls(
            reactor,
            inner,
            crawler.settings.getbool("FAIRCLAIM_ALLOW_LOOPBACK"),
            crawler.settings.getdict("FAIRCLAIM_RESOLVE"),
        )

    def install_on_reactor(self) -> None:
        self.reactor.installResolver(self)

    def getHostByName(self, name: str | bytes, timeout: Any = ()) -> Any:  # Twisted names it
        from twisted.internet import defer
        from twisted.internet.error import DNSLookupError

        text = name.decode() if isinstance(name, bytes) else name
        mapped = self.hosts.get(text.lower())
        answer = defer.succeed(mapped) if mapped else self.inner.getHostByName(text, timeout)

        def check(ip: str) -> str:
            try:
                check_address(ip, allow_loopback=self.allow_loopback)
            except AddressRefused as exc:
                # Twisted replaces this message with "no results": remember why for the counts
                REFUSED_HOSTS.add(text.lower())
                raise DNSLookupError(f"{text}: address refused: {exc}") from exc
            return ip

        return answer.addCallback(check)


class AddressPolicyMiddleware:
    """Refuses requests to IP literals and mapped names outside the policy before any connection;
    other names are checked by PolicyResolver at connection time."""

    def __init__(self, allow_loopback: bool, hosts: Mapping[str, str]) -> None:
        self.allow_loopback = allow_loopback
        self.hosts = {k.lower(): v for k, v in hosts.items()}

    @classmethod
    def from_crawler(cls, crawler: Any) -> AddressPolicyMiddleware:
        return cls(
            crawler.settings.getbool("FAIRCLAIM_ALLOW_LOOPBACK"),
            crawler.settings.getdict("FAIRCLAIM_RESOLVE"),
        )

    def process_request(self, request: Any) -> None:
        import ipaddress

        from scrapy.exceptions import IgnoreRequest

        host = (urlsplit(request.url).hostname or "").lower()
        ip = self.hosts.get(host)
        if ip is None:
            try:
                ipaddress.ip_address(host)
            except ValueError:
                return None  # a name: PolicyResolver checks what it resolves to
            ip = host
        try:
            check_address(ip, allow_loopback=self.allow_loopback)
        except AddressRefused as exc:
            raise IgnoreRequest(f"address refused: {exc}") from exc
        return None


class RetryBackoffMiddleware:
    """Waits before a retried request: RETRY_BACKOFF_BASE * 2**(n-1) seconds, capped.

    Scrapy's RetryMiddleware retries at once; a host that just failed deserves a pause.
    """

    def __init__(self, base: float, cap: float) -> None:
        self.base = base
        self.cap = cap

    @classmethod
    def from_crawler(cls, crawler: Any) -> RetryBackoffMiddleware:
        return cls(
            crawler.settings.getfloat("FAIRCLAIM_RETRY_BACKOFF", RETRY_BACKOFF_BASE),
            crawler.settings.getfloat("FAIRCLAIM_RETRY_BACKOFF_MAX", RETRY_BACKOFF_MAX),
        )

    async def process_request(self, request: Any) -> None:
        import asyncio

        retries = request.meta.get("retry_times", 0)
        if retries and self.base > 0:
            await asyncio.sleep(min(self.cap, self.base * 2 ** (retries - 1)))
