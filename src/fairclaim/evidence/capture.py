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

This module holds the session and the flow; capture_steps.py the steps of one capture, rendering.py
what the browser showed, responses.py which responses become evidence. Playwright is imported inside
functions so `fairclaim --help` stays fast. Framework-free: no Django.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from fairclaim.discovery.addresses import allow_loopback_from_env
from fairclaim.evidence.addresses import AddressPolicy, AddressRefused, check_url
from fairclaim.evidence.bundle import write_bundle
from fairclaim.evidence.capture_steps import (
    VIEWPORT,
    CaptureError,
    CaptureTimeout,
    OneCapture,
    bundle_attachments,
    first_line,
    presence,
    problem_with,
    utc_now,
)
from fairclaim.evidence.egress import EgressPolicy, EgressProxy
from fairclaim.evidence.keys import Signer
from fairclaim.evidence.retry import RetryPolicy
from fairclaim.evidence.timeline import CaptureSummary

if TYPE_CHECKING:  # Playwright is imported only when a capture starts
    pass

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
                reason = first_line(exc.message)
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
        run = OneCapture(context, page_url, image_url, policy, proxy, timeout, retry)
        run.guard_requests()
        captured_at = utc_now()
        page, main_response = run.load()
        page_status = main_response.status if main_response is not None else None
        rendered = run.render(page, page_status)
        recorded = run.collect(main_response)
        present, absence_reason = presence(page_status, rendered.element, recorded.image, image_url)
        facts = run.describe(
            captured_at, rendered, recorded, page_addresses, self.browser.version,
            present=present, absence_reason=absence_reason,
        )  # fmt: skip
        written = write_bundle(
            str(out_path),
            exchanges=recorded.exchanges,
            attachments=bundle_attachments(rendered, page_url),
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


def _check_with(guard: EgressPolicy, url: str) -> None:
    """Raise AddressRefused unless the proxy would connect to `url`'s host and port."""
    problem = problem_with(guard, url)
    if problem:
        raise AddressRefused(url, problem)


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


__all__ = [
    "CHROMIUM_ARGS",
    "CHROMIUM_PATH",
    "DEFAULT_TIMEOUT",
    "VIEWPORT",
    "CaptureBackend",
    "CaptureError",
    "CaptureResult",
    "CaptureSession",
    "CaptureTimeout",
    "capture_page",
]
