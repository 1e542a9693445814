"""The steps of one capture, run by `capture.CaptureSession` in an open browser context.

Guard every request the page makes, load the page (retrying network blips), render it
(screenshots, DOM, the image's element), collect what the browser received (the image fetched
directly when the page did not load it; every exchange pinned to the address it came from, those
from refused addresses left out), describe the capture as facts, and list the attachments that
go into the bundle. Framework-free: no Django imports.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from fairclaim.evidence import wacz
from fairclaim.evidence.addresses import AddressPolicy, AddressRefused, CachingChecker
from fairclaim.evidence.egress import EgressPolicy, EgressProxy
from fairclaim.evidence.rendering import Rendered, render
from fairclaim.evidence.responses import (
    collect_exchanges,
    exchange_facts,
    fetch_directly,
    final_response,
    is_redirect,
    split_by_address,
)
from fairclaim.evidence.retry import RetryPolicy, with_retries

if TYPE_CHECKING:  # Playwright is imported only when a capture starts
    from playwright.sync_api import ViewportSize

# A common desktop size: what most visitors see.
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}


TRANSIENT_ERRORS = (  # Chromium net errors worth a retry: the connection, not the URL, failed
    "ERR_CONNECTION_RESET",
    "ERR_CONNECTION_CLOSED",
    "ERR_CONNECTION_REFUSED",
    "ERR_CONNECTION_ABORTED",
    "ERR_EMPTY_RESPONSE",
    "ERR_NETWORK_CHANGED",
    "ERR_INTERNET_DISCONNECTED",
    "ERR_ADDRESS_UNREACHABLE",
)


class CaptureError(Exception):
    """The page could not be captured at all (unreachable, refused, browser failure)."""


class CaptureTimeout(CaptureError):
    """The page did not load within the timeout."""


def is_transient(exc: BaseException) -> bool:
    from playwright.sync_api import Error
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    if isinstance(exc, PlaywrightTimeout):
        return False  # a retry would double a wait that already ran its course
    return isinstance(exc, Error) and any(code in str(exc) for code in TRANSIENT_ERRORS)


def first_line(message: str) -> str:
    """Playwright appends a multi-line call log; the first line says what failed."""
    return message.strip().splitlines()[0] if message.strip() else message


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Recorded:
    """What the browser (or the direct fetch) received, pinned to the addresses it came from."""

    exchanges: list[wacz.HttpExchange]
    page: wacz.HttpExchange | None
    image: wacz.HttpExchange | None
    image_source: str
    left_out: int


class OneCapture:
    """The steps of one capture, sharing what they record: the requests the guard blocked and
    the responses the browser saw."""

    def __init__(
        self,
        context: Any,
        page_url: str,
        image_url: str,
        policy: AddressPolicy,
        proxy: EgressProxy,
        timeout: float,
        retry: RetryPolicy,
    ) -> None:
        self.context = context
        self.page_url = page_url
        self.image_url = image_url
        self.policy = policy
        self.proxy = proxy
        self.timeout = timeout
        self.retry = retry
        self.checker = CachingChecker(policy)
        self.blocked: list[dict[str, str]] = []
        self.seen: list[tuple[datetime, Any]] = []

    def guard_requests(self) -> None:
        """Every request the page makes is checked before it starts (the proxy checks again)."""

        def route_request(route: Any) -> None:
            url = route.request.url
            problem = None
            if not url.startswith(("data:", "blob:")):
                problem = self.checker.problem(url) or problem_with(self.proxy.guard, url)
            if problem:
                self.blocked.append({"url": url, "reason": problem})
                route.abort("blockedbyclient")
            else:
                route.continue_()

        self.context.route("**/*", route_request)

    def load(self) -> tuple[Any, Any]:
        """The page and its main response, retried on network blips; typed errors otherwise."""
        from playwright.sync_api import Error
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        pages: list[Any] = []

        def load_once() -> Any:
            # Each attempt gets a fresh tab: after a failed load Chromium navigates the old tab
            # to its error page, which would interrupt a second goto in the same tab.
            self.seen.clear()
            if pages:
                pages.pop().close()
            page = self.context.new_page()
            page.on("response", lambda response: self.seen.append((utc_now(), response)))
            pages.append(page)
            return page.goto(self.page_url, wait_until="load", timeout=self.timeout * 1000)

        def transient(exc: BaseException) -> bool:
            return is_transient(exc) and not self.proxy.refused  # a refusal is no network blip

        try:
            main_response = with_retries(load_once, transient, self.retry)
        except PlaywrightTimeout as exc:
            raise CaptureTimeout(f"{self.page_url} did not load within {self.timeout:g} s") from exc
        except Error as exc:
            reason = first_line(exc.message)
            if self.proxy.refused:  # the page led the browser to a refused destination
                where = "; ".join(f"{item['url']}: {item['reason']}" for item in self.proxy.refused)
                raise AddressRefused(
                    self.page_url, f"the page led to refused destinations ({where})"
                ) from exc
            raise CaptureError(f"{self.page_url} could not be loaded: {reason}") from exc
        return pages[-1], main_response

    def render(self, page: Any, page_status: int | None) -> Rendered:
        """Screenshots, DOM and the image's element, or a typed error."""
        from playwright.sync_api import Error
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            return render(page, self.image_url, page_status)
        except PlaywrightTimeout as exc:
            reason = first_line(exc.message)
            raise CaptureTimeout(f"{self.page_url} did not finish rendering: {reason}") from exc
        except Error as exc:  # e.g. the page navigated away or the renderer crashed
            reason = first_line(exc.message)
            raise CaptureError(f"{self.page_url} could not be rendered: {reason}") from exc

    def collect(self, main_response: Any) -> Recorded:
        """The exchanges to keep: the image fetched directly when the page did not load it,
        each pinned to the address it came from, and those from refused addresses left out
        (AddressRefused when that is the page or the image itself)."""
        exchanges, by_response, left_out = collect_exchanges(
            self.seen, self.page_url, self.image_url, main_response
        )
        image_response = final_response(self.seen, self.image_url)
        image_exchange = by_response.get(id(image_response)) if image_response else None
        image_source = "browser"
        if image_exchange is None:
            hops = fetch_directly(self.context, self.image_url, self.timeout, self.checker)
            image_source = "direct fetch (the page did not load it)"
            exchanges.extend(hops)
            image_exchange = hops[-1] if hops else None
        page_exchange = by_response.get(id(main_response)) if main_response else None
        guard = self.proxy.guard
        pinned = {id(item): with_pinned_address(item, guard) for item in exchanges}
        exchanges = [pinned[id(item)] for item in exchanges]
        page_exchange = pinned.get(id(page_exchange), page_exchange)
        image_exchange = pinned.get(id(image_exchange), image_exchange)
        exchanges, refused = split_by_address(exchanges, self.policy)
        for exchange in refused:
            if exchange is page_exchange or exchange is image_exchange:
                raise AddressRefused(
                    exchange.url,
                    f"answered from {exchange.server_ip}, a refused address (DNS changed "
                    "between the check and the browser's connection)",
                )
            self.blocked.append(
                {"url": exchange.url, "reason": f"answered from {exchange.server_ip}"}
            )
        known = {item["url"] for item in self.blocked}
        self.blocked.extend(item for item in self.proxy.refused if item["url"] not in known)
        return Recorded(exchanges, page_exchange, image_exchange, image_source, left_out)

    def describe(
        self,
        captured_at: datetime,
        rendered: Rendered,
        recorded: Recorded,
        page_addresses: list[str],
        browser_version: str,
        *,
        present: bool,
        absence_reason: str | None,
    ) -> dict[str, Any]:
        """The capture's facts, as the manifest and the WARC's metadata record carry them."""
        facts: dict[str, Any] = {
            "captured_at": captured_at.isoformat().replace("+00:00", "Z"),
            "completed_at": utc_now().isoformat().replace("+00:00", "Z"),
            "page_url": self.page_url,
            "image_url": self.image_url,
            "image_present": present,
            "absence_reason": absence_reason,
            "user_agent": rendered.user_agent,
            "browser": {"name": "chromium", "version": browser_version, "headless": True},
            "viewport": VIEWPORT,
            "page": exchange_facts(recorded.page)
            | {
                "requested_url": self.page_url,
                "final_url": rendered.final_url,
                "title": rendered.title,
                "resolved_addresses": page_addresses,
            },
            "image": exchange_facts(recorded.image)
            | {
                "requested_url": self.image_url,
                "source": recorded.image_source,
                "element": rendered.element,
            },
            "blocked_requests": self.blocked,
            "responses_recorded": len(recorded.exchanges),
            "responses_left_out": recorded.left_out,
        }
        # The bytes served at the image URL are evidence even when the page no longer shows them
        # (the file often stays online after the page is edited).
        image = recorded.image
        if image is not None and 200 <= image.status < 300:
            facts["image"]["sha256"] = wacz.sha256_hex(image.body)
            facts["image"]["bytes"] = len(image.body)
        return facts


def bundle_attachments(rendered: Rendered, page_url: str) -> list[wacz.Attachment]:
    """The screenshots and the DOM, kept beside the WARC and as its resource records."""
    return [
        wacz.Attachment(
            "fairclaim/screenshot-full.png", rendered.full_png, "image/png",
            "urn:view:" + page_url, "screenshot-full",
        ),
        wacz.Attachment(
            "fairclaim/screenshot-viewport.png", rendered.viewport_png, "image/png",
            "urn:fairclaim:viewport-outlined:" + page_url, "screenshot-viewport",
        ),
        wacz.Attachment(
            "fairclaim/dom.html", rendered.dom, "text/html; charset=utf-8",
            "urn:fairclaim:dom:" + page_url, "dom",
        ),
    ]  # fmt: skip


def problem_with(guard: EgressPolicy, url: str) -> str | None:
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        return f"malformed URL ({exc})"
    if not host:
        return "no host name"
    try:
        guard.check(host, port)
    except AddressRefused as refused:
        return refused.reason
    return None


def with_pinned_address(exchange: wacz.HttpExchange, guard: EgressPolicy) -> wacz.HttpExchange:
    """The exchange with the site's address: the browser only saw the proxy's (127.0.0.1)."""
    try:
        parts = urlsplit(exchange.url)
        host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return exchange
    address = guard.pinned(host, port) if host else None
    if address is None:  # never connected through the proxy (e.g. a direct fetch's hop)
        return exchange
    return replace(exchange, server_ip=address, server_port=port)


def presence(
    page_status: int | None,
    element: dict[str, Any] | None,
    image: wacz.HttpExchange | None,
    image_url: str,
) -> tuple[bool, str | None]:
    """Is the image shown on the page? If not, the reason (it changes what may be claimed)."""
    if page_status is not None and page_status >= 400:
        return False, f"the page answered HTTP {page_status}"
    if element is None:
        return False, (
            "the page no longer shows the image (no element with that URL in src, srcset, "
            "currentSrc, picture sources or background-image)"
        )
    if image is None:
        return False, f"the image URL {image_url} did not answer"
    if image.status >= 400:
        return False, f"the image URL answered HTTP {image.status}"
    if is_redirect(image.status):
        return False, f"the image URL redirects too often or to a refused address ({image.url})"
    return True, None
