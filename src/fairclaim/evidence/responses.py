"""Browser responses as evidence: which exchanges are recorded, redirects, direct image fetch.

Turns what Playwright saw into wacz.HttpExchange values, follows redirect chains to the final
page and image responses, fetches the image directly when the page did not load it (checking
each redirect target's address), and drops answers that came from refused addresses.

Framework-free: no Django imports. Playwright objects are passed in, never imported at the top.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from fairclaim.evidence import wacz
from fairclaim.evidence.addresses import AddressPolicy, CachingChecker

MAX_RECORDED_BYTES = 50_000_000  # sub-resources beyond this are left out (page + image never are)
MAX_REDIRECTS = 5  # for the direct image fetch; browsers allow 20, CDNs need one or two


def collect_exchanges(
    seen: list[tuple[datetime, Any]], page_url: str, image_url: str, main_response: Any
) -> tuple[list[wacz.HttpExchange], dict[int, wacz.HttpExchange], int]:
    """Turn browser responses into exchanges: page and image first and always, others capped.

    Returns the exchanges, a map from id(response) to its exchange, and how many responses
    were left out for size.
    """
    from playwright.sync_api import Error

    essential = {page_url, image_url}
    for anchor in (main_response, final_response(seen, image_url)):
        request = anchor.request if anchor is not None else None
        while request is not None:  # the redirect chains that led to page and image
            essential.add(request.url)
            request = request.redirected_from
    exchanges: list[wacz.HttpExchange] = []
    by_response: dict[int, wacz.HttpExchange] = {}
    left_out = 0
    total = 0
    for fetched_at, response in sorted(seen, key=lambda item: item[1].url not in essential):
        url = response.url
        if not url.startswith(("http://", "https://")):
            continue
        try:
            body = b"" if is_redirect(response.status) else response.body()
        except Error:
            body = b""  # evicted or never received; headers are still evidence
        if url not in essential and total + len(body) > MAX_RECORDED_BYTES:
            left_out += 1
            continue
        total += len(body)
        exchange = exchange_from_response(response, body, fetched_at)
        exchanges.append(exchange)
        by_response[id(response)] = exchange
    return exchanges, by_response, left_out


def split_by_address(
    exchanges: list[wacz.HttpExchange], policy: AddressPolicy
) -> tuple[list[wacz.HttpExchange], list[wacz.HttpExchange]]:
    """Separate exchanges answered from refused addresses (kept, refused).

    The route handler checks a host's addresses before the browser connects, but the browser
    resolves the name again itself; a host whose DNS answer changes in between (rebinding) is
    caught here by the address the browser actually connected to, and its answer is not
    recorded as evidence.
    """
    kept: list[wacz.HttpExchange] = []
    refused: list[wacz.HttpExchange] = []
    for exchange in exchanges:
        problem = exchange.server_ip and policy.address_problem(exchange.server_ip)
        (refused if problem else kept).append(exchange)
    return kept, refused


def is_redirect(status: int) -> bool:
    return 300 <= status < 400


def final_response(seen: list[tuple[datetime, Any]], url: str) -> Any:
    """The non-redirect response the browser got for `url`, following its redirects."""
    for _, response in seen:
        if is_redirect(response.status):
            continue
        request = response.request
        while request is not None:
            if request.url == url:
                return response
            request = request.redirected_from
    return None


def exchange_from_response(response: Any, body: bytes, fetched_at: datetime) -> wacz.HttpExchange:
    request = response.request
    server = response.server_addr() or {}
    post = request.post_data_buffer or b""
    return wacz.HttpExchange(
        url=response.url,
        method=request.method,
        request_headers=[(h["name"], h["value"]) for h in request.headers_array()],
        request_body=post,
        status=response.status,
        status_text=response.status_text,
        response_headers=[(h["name"], h["value"]) for h in response.headers_array()],
        body=body,
        fetched_at=fetched_at,
        server_ip=server.get("ipAddress"),
        server_port=server.get("port"),
        tls=response.security_details(),
    )


def fetch_directly(
    context: Any, image_url: str, timeout: float, checker: CachingChecker
) -> list[wacz.HttpExchange]:
    """Ask for the image with the page's cookies when the page did not load it (element gone).

    Follows up to MAX_REDIRECTS redirects by hand, checking each target's address, because
    Playwright's request context does not pass the route handler. Returns every hop.
    """
    from playwright.sync_api import Error

    hops: list[wacz.HttpExchange] = []
    url = image_url
    for _ in range(MAX_REDIRECTS + 1):
        if checker.problem(url):
            break
        fetched_at = _now()
        try:
            response = context.request.get(url, timeout=timeout * 1000, max_redirects=0)
            body = b"" if is_redirect(response.status) else response.body()
        except Error:
            break
        headers = [(h["name"], h["value"]) for h in response.headers_array]
        hops.append(
            wacz.HttpExchange(
                url=url, method="GET", request_headers=[], status=response.status,
                status_text=response.status_text, response_headers=headers, body=body,
                fetched_at=fetched_at,
            )
        )  # fmt: skip
        location = response.headers.get("location")
        if not (is_redirect(response.status) and location):
            break
        url = urljoin(url, location)
    return hops


def exchange_facts(exchange: wacz.HttpExchange | None) -> dict[str, Any]:
    if exchange is None:
        return {"response_url": None, "status": None}
    content_type = next(
        (value for name, value in exchange.response_headers if name.lower() == "content-type"), None
    )
    return {
        "response_url": exchange.url,
        "status": exchange.status,
        "status_text": exchange.status_text,
        "headers": [[name, value] for name, value in exchange.response_headers],
        "server_ip": exchange.server_ip,
        "server_port": exchange.server_port,
        "content_type": content_type,
        "tls": exchange.tls,
        "fetched_at": exchange.fetched_at.isoformat().replace("+00:00", "Z"),
    }


def _now() -> datetime:
    return datetime.now(UTC)
