"""Capture one page with headless Chromium, the way a visitor sees it, into a signed bundle.

A capture loads the page (scrolling it so lazy images load and waiting for scripts), finds the
element showing the image by its URL (src, srcset, currentSrc, picture sources or CSS
background-image), takes a full-page screenshot and a viewport screenshot with that element
scrolled into view and outlined, keeps the rendered DOM, the title, the server's IP address, the
HTTP status and headers, and every response body the browser received (the image bytes among them),
then hands all of it to bundle.write_bundle. A page that answers an error or no longer shows the
image is still captured, with `image_present: false` and the reason in the manifest.

Every connection the browser opens goes through egress.py's proxy, which resolves, checks and pins
each destination (redirect hops, frames, sub-resources and workers included), and a route handler
refuses private, link-local and (unless allowed) loopback destinations before a request starts and
names them in the manifest, so a hostile page cannot make the capture reach the platform's network.

This module holds the flow and the session; rendering.py what the browser showed, responses.py
which responses become evidence. Playwright is imported inside functions so `fairclaim --help`
stays fast. Framework-free: no Django.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from fairclaim.discovery.addresses import allow_loopback_from_env
from fairclaim.evidence import wacz
from fairclaim.evidence.addresses import AddressPolicy, AddressRefused, CachingChecker, check_url
from fairclaim.evidence.bundle import write_bundle
from fairclaim.evidence.egress import EgressPolicy, EgressProxy
from fairclaim.evidence.keys import Signer
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
from fairclaim.evidence.timeline import CaptureSummary

if TYPE_CHECKING:  # Playwright is imported only when a capture starts
    from playwright.sync_api import ViewportSize

CHROMIUM_PATH = "/usr/bin/chromium"  # Debian's Chromium; never a browser Playwright downloads
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",  # QUIC bypasses nothing here, but keeps the wire protocol recordable as HTTP
    "--no-first-run",
    "--disable-background-networking",  # no requests of the browser's own in the evidence
    "--disable-component-update",
    "--disable-sync",
    # WebRTC could send UDP (STUN/TURN) past the egress proxy; only proxied connections remain.
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
]
DEFAULT_TIMEOUT = 30.0  # seconds for the page load; slow shared hosts need well over 10 s
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


@dataclass(frozen=True)
class CaptureResult:
    """What the Django layer stores about a capture; the bundle at `path` holds the evidence."""

    path: str
    manifest: dict[str, Any]
    manifest_sha256: str
    key_id: str
    captured_at: datetime
    image_present: bool
    absence_reason: str | None
    page_status: int | None
    timestamped: bool
    timestamp_error: str | None = None  # a TSA was asked but failed; bundle written without token

    def summary(self) -> CaptureSummary:
        return CaptureSummary(
            captured_at=self.captured_at,
            image_present=self.image_present,
            reason=self.absence_reason,
            bundle=self.path,
        )


def _user_agent(browser_version: str) -> str:
    """Chromium's desktop user agent without "HeadlessChrome": sites serve what visitors get."""
    return (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        f"Chrome/{browser_version} Safari/537.36"
    )


def _is_transient(exc: BaseException) -> bool:
    from playwright.sync_api import Error
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    if isinstance(exc, PlaywrightTimeout):
        return False  # a retry would double a wait that already ran its course
    return isinstance(exc, Error) and any(code in str(exc) for code in TRANSIENT_ERRORS)


def _first_line(message: str) -> str:
    """Playwright appends a multi-line call log; the first line says what failed."""
    return message.strip().splitlines()[0] if message.strip() else message


def _now() -> datetime:
    return datetime.now(UTC)


class CaptureBackend:
    """Contract for capture backends (the Django layer picks one by setting).

    `capture(page_url, image_url, *, out_path, signer, tsa_url, timeout, allow_loopback, retry)`
    writes a complete, signed bundle at `out_path` or nothing at all, and returns a CaptureResult.
    It raises AddressRefused before any request when a destination is refused, CaptureTimeout or
    CaptureError when the page cannot be captured. A page that answers an error or no longer shows
    the image is not an error: it is captured with image_present false and the reason.
    """

    def capture(
        self,
        page_url: str,
        image_url: str,
        *,
        out_path: str | os.PathLike[str],
        signer: Signer,
        tsa_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        allow_loopback: bool | None = None,
        retry: RetryPolicy | None = None,
    ) -> CaptureResult:
        raise NotImplementedError

    def close(self) -> None:
        """Release the backend's resources (browser processes)."""


class CaptureSession(CaptureBackend):
    """Headless Chromium backend: one browser for many captures, a fresh context for each.

    Use as a context manager, or call close(). Not thread-safe (Playwright's sync API).
    """

    def __init__(
        self,
        executable: str = CHROMIUM_PATH,
        args: list[str] | None = None,
        playwright: Any = None,
    ) -> None:
        """Launch Chromium. Pass `playwright` (another session's `.playwright`) to share one
        Playwright driver: a thread can run only one sync Playwright at a time."""
        from playwright.sync_api import sync_playwright

        self._owns_playwright = playwright is None
        self.playwright = playwright or sync_playwright().start()
        try:
            self.browser = self.playwright.chromium.launch(
                executable_path=executable, args=args or CHROMIUM_ARGS
            )
        except BaseException:
            if self._owns_playwright:
                self.playwright.stop()
            raise

    def __enter__(self) -> CaptureSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def is_connected(self) -> bool:
        """False once Chromium has crashed or closed; the caller should start a new session."""
        return self.browser.is_connected()

    def close(self) -> None:
        try:
            self.browser.close()
        finally:
            if self._owns_playwright:
                self.playwright.stop()

    def capture(
        self,
        page_url: str,
        image_url: str,
        *,
        out_path: str | os.PathLike[str],
        signer: Signer,
        tsa_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        allow_loopback: bool | None = None,
        retry: RetryPolicy | None = None,
        loopback_ports: Collection[int] | None = None,
    ) -> CaptureResult:
        """Capture `page_url` showing `image_url` into the bundle at `out_path`.

        Raises AddressRefused for a refused page or image destination (also when the page
        redirects to one), CaptureTimeout when the page does not load in `timeout` seconds,
        CaptureError when it cannot be loaded at all. Nothing is written under `out_path` unless
        the whole bundle is complete. `loopback_ports` narrows an allowed loopback to those ports.
        """
        from playwright.sync_api import Error

        if allow_loopback is None:
            allow_loopback = allow_loopback_from_env()  # the one reading of the variable
        policy = AddressPolicy(allow_loopback=allow_loopback)
        guard = EgressPolicy(policy, loopback_ports=loopback_ports)
        page_addresses = check_url(page_url, policy)
        for url in (page_url, image_url):
            _check_with(guard, url)
        with EgressProxy(guard) as proxy:
            try:
                context = self.browser.new_context(
                    viewport=VIEWPORT,
                    user_agent=_user_agent(self.browser.version),
                    service_workers="block",  # workers could fetch around the route handler
                    accept_downloads=False,
                    proxy={"server": proxy.server, "bypass": "<-loopback>"},
                )
            except Error as exc:  # the browser crashed or was closed: start a new session
                reason = _first_line(exc.message)
                raise CaptureError(f"the browser is not available: {reason}") from exc
            try:
                return self._capture_in(
                    context, page_url, image_url, page_addresses, policy, proxy,
                    out_path=out_path, signer=signer, tsa_url=tsa_url, timeout=timeout,
                    retry=retry or RetryPolicy(),
                )  # fmt: skip
            finally:
                context.close()

    def _capture_in(
        self,
        context: Any,
        page_url: str,
        image_url: str,
        page_addresses: list[str],
        policy: AddressPolicy,
        proxy: EgressProxy,
        *,
        out_path: str | os.PathLike[str],
        signer: Signer,
        tsa_url: str | None,
        timeout: float,
        retry: RetryPolicy,
    ) -> CaptureResult:
        """One capture in an open browser context: guard, load, render, collect, describe, write."""
        run = _OneCapture(context, page_url, image_url, policy, proxy, timeout, retry)
        run.guard_requests()
        captured_at = _now()
        page, main_response = run.load()
        page_status = main_response.status if main_response is not None else None
        rendered = run.render(page, page_status)
        recorded = run.collect(main_response)
        present, absence_reason = _presence(
            page_status, rendered.element, recorded.image, image_url
        )
        facts = run.describe(
            captured_at, rendered, recorded, page_addresses, self.browser.version,
            present=present, absence_reason=absence_reason,
        )  # fmt: skip
        written = write_bundle(
            str(out_path),
            exchanges=recorded.exchanges,
            attachments=_attachments(rendered, page_url),
            facts=facts,
            signer=signer,
            created=captured_at,
            page_url=page_url,
            title=rendered.title or page_url,
            tsa_url=tsa_url,
            tsa_retry=retry,
            tsa_allow_loopback=policy.allow_loopback,
        )
        return CaptureResult(
            path=written.path,
            manifest=written.manifest,
            manifest_sha256=written.manifest_sha256,
            key_id=written.key_id,
            captured_at=captured_at,
            image_present=present,
            absence_reason=absence_reason,
            page_status=page_status,
            timestamped=written.timestamped,
            timestamp_error=written.timestamp_error,
        )


@dataclass
class _Recorded:
    """What the browser (or the direct fetch) received, pinned to the addresses it came from."""

    exchanges: list[wacz.HttpExchange]
    page: wacz.HttpExchange | None
    image: wacz.HttpExchange | None
    image_source: str
    left_out: int


class _OneCapture:
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
                problem = self.checker.problem(url) or _problem_with(self.proxy.guard, url)
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
            page.on("response", lambda response: self.seen.append((_now(), response)))
            pages.append(page)
            return page.goto(self.page_url, wait_until="load", timeout=self.timeout * 1000)

        def transient(exc: BaseException) -> bool:
            return _is_transient(exc) and not self.proxy.refused  # a refusal is no network blip

        try:
            main_response = with_retries(load_once, transient, self.retry)
        except PlaywrightTimeout as exc:
            raise CaptureTimeout(f"{self.page_url} did not load within {self.timeout:g} s") from exc
        except Error as exc:
            reason = _first_line(exc.message)
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
            reason = _first_line(exc.message)
            raise CaptureTimeout(f"{self.page_url} did not finish rendering: {reason}") from exc
        except Error as exc:  # e.g. the page navigated away or the renderer crashed
            reason = _first_line(exc.message)
            raise CaptureError(f"{self.page_url} could not be rendered: {reason}") from exc

    def collect(self, main_response: Any) -> _Recorded:
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
        pinned = {id(item): _with_pinned_address(item, guard) for item in exchanges}
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
        return _Recorded(exchanges, page_exchange, image_exchange, image_source, left_out)

    def describe(
        self,
        captured_at: datetime,
        rendered: Rendered,
        recorded: _Recorded,
        page_addresses: list[str],
        browser_version: str,
        *,
        present: bool,
        absence_reason: str | None,
    ) -> dict[str, Any]:
        """The capture's facts, as the manifest and the WARC's metadata record carry them."""
        facts: dict[str, Any] = {
            "captured_at": captured_at.isoformat().replace("+00:00", "Z"),
            "completed_at": _now().isoformat().replace("+00:00", "Z"),
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


def _attachments(rendered: Rendered, page_url: str) -> list[wacz.Attachment]:
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


def _check_with(guard: EgressPolicy, url: str) -> None:
    """Raise AddressRefused unless the proxy would connect to `url`'s host and port."""
    problem = _problem_with(guard, url)
    if problem:
        raise AddressRefused(url, problem)


def _problem_with(guard: EgressPolicy, url: str) -> str | None:
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


def _with_pinned_address(exchange: wacz.HttpExchange, guard: EgressPolicy) -> wacz.HttpExchange:
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


def _presence(
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


def capture_page(
    page_url: str,
    image_url: str,
    *,
    out_path: str | os.PathLike[str],
    signer: Signer,
    tsa_url: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    allow_loopback: bool | None = None,
    retry: RetryPolicy | None = None,
    session: CaptureSession | None = None,
) -> CaptureResult:
    """Capture one page into a signed WACZ bundle; starts Chromium unless `session` is given."""
    if session is not None:
        return session.capture(
            page_url, image_url, out_path=out_path, signer=signer, tsa_url=tsa_url,
            timeout=timeout, allow_loopback=allow_loopback, retry=retry,
        )  # fmt: skip
    with CaptureSession() as own:
        return own.capture(
            page_url, image_url, out_path=out_path, signer=signer, tsa_url=tsa_url,
            timeout=timeout, allow_loopback=allow_loopback, retry=retry,
        )  # fmt: skip
