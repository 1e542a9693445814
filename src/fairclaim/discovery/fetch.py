"""The one function through which discovery makes outbound HTTP requests: `fetch`.

It applies the address policy after DNS resolution and connects to the checked address (no
DNS-rebinding gap), bounds the total time (slow-drip servers), the body size after decompression
(gzip bombs), the number of redirects (loops), and sniffs the content type; images also pass the
pixel cap. Each failure is a typed DiscoveryError (see errors.py). The Scrapy crawl applies the
same policy and caps through its own middleware and resolver (crawl.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from w3lib.url import safe_url_string

from fairclaim.discovery.addresses import Resolver, resolve_checked, system_resolver
from fairclaim.discovery.errors import (
    BadEncoding,
    BadUrl,
    ConnectFailed,
    DiscoveryError,
    FetchTimeout,
    HttpStatus,
    TooLarge,
    TooManyRedirects,
    WrongContentType,
)

USER_AGENT = "fairclaim-discovery/0.1 (+https://fairclaim.example/bot; image-rights monitoring)"
READ_CHUNK = 64 * 1024  # one socket read; small enough to check caps and deadline often
WATCHDOG_SLACK = 0.05  # seconds: a read ending this close to the deadline was cut by the watchdog
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class FetchLimits:
    """Caps for one fetch. Exceeding one raises the typed error that names it."""

    total_timeout: float = 20.0  # seconds for the whole exchange incl. redirects: slow drips end
    connect_timeout: float = 10.0  # seconds to open a TCP/TLS connection
    max_bytes: int = 25 * 1024 * 1024  # decoded body cap: larger pages/photos are not plausible
    max_redirects: int = 5  # browsers allow ~20; legitimate pages need 1-3
    max_pixels: int = 60_000_000  # ~ a 60 MP photo; larger is a decompression bomb, not a photo
    user_agent: str = USER_AGENT


DEFAULT_LIMITS = FetchLimits()


@dataclass(frozen=True)
class FetchResult:
    """A completed 2xx (or, with raise_for_status=False, any) response with its decoded body."""

    url: str  # the URL asked for
    final_url: str  # after redirects
    status: int
    headers: Mapping[str, str]  # lower-case names; repeated headers joined with ", "
    body: bytes
    declared_type: str  # Content-Type main type as sent, e.g. "text/html"
    sniffed_type: str  # from the bytes: "text/html", "image/jpeg", ... or declared_type
    ip: str  # the address actually connected to (last hop)
    redirects: tuple[str, ...] = field(default=())

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @property
    def is_html(self) -> bool:
        return self.sniffed_type in {"text/html", "application/xhtml+xml"}

    @property
    def is_image(self) -> bool:
        return self.sniffed_type.startswith("image/")


_IMAGE_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<!--", b"<meta", b"<title")


def sniff_type(body: bytes, declared: str) -> str:
    """The content type the bytes show (images by magic number, HTML by its opening tag)."""
    head = body[:512]
    for magic, kind in _IMAGE_MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in {b"avif", b"avis", b"heic", b"heix", b"mif1"}:
        return "image/avif" if head[8:11] == b"avi" else "image/heic"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith(b"<svg") or (stripped.startswith(b"<?xml") and b"<svg" in head.lower()):
        return "image/svg+xml"
    if stripped.startswith(_HTML_STARTS):
        return "text/html"
    return declared


def split_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path?query) of an absolute http(s) URL; BadUrl otherwise."""
    try:
        parts = urlsplit(safe_url_string(url.strip()))
        port = parts.port
    except ValueError as exc:
        raise BadUrl(f"unparsable URL {url!r}: {exc}") from exc
    if parts.scheme not in {"http", "https"}:
        raise BadUrl(f"only http(s) URLs are fetched, not {url!r}")
    if not parts.hostname:
        raise BadUrl(f"URL has no host: {url!r}")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that passed the policy, whatever the name resolves to now."""

    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.pinned_ip = ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self.pinned_ip, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to the checked address; certificate and SNI checked against the URL's host name."""

    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.pinned_ip = ip

    def connect(self) -> None:
        sock = socket.create_connection((self.pinned_ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _Decoder:
    """Streams Content-Encoding away while enforcing the decoded-size cap (gzip bombs)."""

    def __init__(self, encoding: str, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        if encoding in {"gzip", "x-gzip"}:
            self._z: zlib._Decompress | None = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._z = zlib.decompressobj()
        elif encoding in {"", "identity"}:
            self._z = None
        else:
            raise BadEncoding(f"unsupported Content-Encoding {encoding!r}")

    def feed(self, chunk: bytes) -> bytes:
        if self._z is None:
            return self._count(chunk)
        out = []
        data = chunk
        try:
            while data:
                piece = self._z.decompress(data, self.max_bytes - self.size + 1)
                out.append(self._count(piece))
                data = self._z.unconsumed_tail
        except zlib.error as exc:
            raise BadEncoding(f"broken compressed body: {exc}") from exc
        return b"".join(out)

    def _count(self, piece: bytes) -> bytes:
        self.size += len(piece)
        if self.size > self.max_bytes:
            raise TooLarge(f"body exceeds max_bytes={self.max_bytes}")
        return piece


def fetch(
    url: str,
    *,
    limits: FetchLimits = DEFAULT_LIMITS,
    allow_loopback: bool = False,
    resolver: Resolver = system_resolver,
    method: str = "GET",
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    expect: str | None = None,
    raise_for_status: bool = True,
) -> FetchResult:
    """Fetch `url` under the address policy and `limits`; follow redirects (each re-checked).

    `expect` is "html", "image" or None: a body of another sniffed type raises WrongContentType;
    "image" also applies `limits.max_pixels`. Raises only DiscoveryError subclasses.
    """
    deadline = time.monotonic() + limits.total_timeout
    redirects: list[str] = []
    current = url
    while True:
        result = _fetch_once(
            current, url, limits, allow_loopback, resolver, method, body, headers, deadline
        )
        location = result.headers.get("location")
        if result.status in REDIRECT_STATUSES and location:
            if len(redirects) >= limits.max_redirects:
                raise TooManyRedirects(f"more than max_redirects={limits.max_redirects} from {url}")
            target = urljoin(current, location)
            if target in redirects or target == url:
                raise TooManyRedirects(f"redirect loop at {target}")
            redirects.append(target)
            if result.status == 303 or (result.status in {301, 302} and method == "POST"):
                method, body = "GET", None
            current = target
            continue
        break
    result = FetchResult(**{**result.__dict__, "redirects": tuple(redirects)})
    if raise_for_status and not 200 <= result.status < 300:
        raise HttpStatus(f"HTTP {result.status} from {result.final_url}", result.status)
    if expect == "html" and not result.is_html:
        raise WrongContentType(f"expected HTML, got {result.sniffed_type} from {result.final_url}")
    if expect == "image":
        if not result.is_image:
            raise WrongContentType(
                f"expected an image, got {result.sniffed_type} from {result.final_url}"
            )
        from fairclaim.discovery.imagemeta import check_pixels

        check_pixels(result.body, max_pixels=limits.max_pixels)
    return result


def _fetch_once(
    url: str,
    original: str,
    limits: FetchLimits,
    allow_loopback: bool,
    resolver: Resolver,
    method: str,
    body: bytes | None,
    headers: Mapping[str, str] | None,
    deadline: float,
) -> FetchResult:
    scheme, host, port, path = split_url(url)
    ip = resolve_checked(host, port, allow_loopback=allow_loopback, resolver=resolver)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchTimeout(f"total_timeout={limits.total_timeout}s passed before {url}")
    conn_cls = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    conn = conn_cls(host, port, ip, timeout=min(limits.connect_timeout, remaining))
    # A watchdog closes the socket at the deadline: socket timeouts alone restart with every byte,
    # so a server dripping one byte a second would otherwise hold us for hours.
    watchdog = threading.Timer(remaining, _abort, args=(conn,))
    watchdog.daemon = True
    watchdog.start()
    try:
        request_headers = {
            "User-Agent": limits.user_agent,
            "Accept-Encoding": "gzip, deflate",
            "Accept": "*/*",
            **(headers or {}),
        }
        conn.request(method, path, body=body, headers=request_headers)
        response = conn.getresponse()
        response_headers: dict[str, str] = {}
        for name, value in response.getheaders():
            key = name.lower()
            response_headers[key] = (
                f"{response_headers[key]}, {value}" if key in response_headers else value
            )
        declared_length = response_headers.get("content-length", "")
        if declared_length.isdigit() and int(declared_length) > limits.max_bytes:
            raise TooLarge(f"Content-Length {declared_length} exceeds max_bytes={limits.max_bytes}")
        decoder = _Decoder(
            response_headers.get("content-encoding", "").strip().lower(), limits.max_bytes
        )
        parts: list[bytes] = []
        if response.status not in REDIRECT_STATUSES:
            while True:
                chunk = response.read1(READ_CHUNK)
                if not chunk:
                    break
                parts.append(decoder.feed(chunk))
                if time.monotonic() > deadline:
                    raise FetchTimeout(f"total_timeout={limits.total_timeout}s passed on {url}")
            if time.monotonic() >= deadline - WATCHDOG_SLACK:
                # the watchdog closed the socket: the body ended early because time ran out
                raise FetchTimeout(f"total_timeout={limits.total_timeout}s passed on {url}")
    except DiscoveryError:
        raise
    except (TimeoutError, OSError, http.client.HTTPException) as exc:
        if time.monotonic() >= deadline - WATCHDOG_SLACK:
            raise FetchTimeout(f"total_timeout={limits.total_timeout}s passed on {url}") from exc
        if isinstance(exc, TimeoutError):
            raise FetchTimeout(f"connect_timeout={limits.connect_timeout}s on {url}") from exc
        raise ConnectFailed(f"{url}: {type(exc).__name__}: {exc}") from exc
    finally:
        watchdog.cancel()
        conn.close()
    content = b"".join(parts)
    declared = response_headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return FetchResult(
        url=original,
        final_url=url,
        status=response.status,
        headers=response_headers,
        body=content,
        declared_type=declared,
        sniffed_type=sniff_type(content, declared),
        ip=ip,
    )


def _abort(conn: http.client.HTTPConnection) -> None:
    sock = conn.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed: nothing left to abort
            sock.shutdown(socket.SHUT_RDWR)
