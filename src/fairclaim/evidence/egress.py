"""The capture browser's only way out: a forward proxy on 127.0.0.1 that checks every connection.

Playwright's route handler sees a request only before it starts: Chromium follows redirects of
navigations, frames, images and scripts without asking it again, so a page could send an iframe
through a 302 to 169.254.169.254 and the answer would land in the signed screenshot. Every
connection the browser opens goes through this proxy instead (the browser context is started with
it): for each `CONNECT host:port` or absolute `GET http://host:port/...` it resolves the host once,
checks every address with the capture's address rule, and connects to the checked address, so
redirect hops, sub-resources, workers and DNS rebinding all meet the same guard. A refused
destination gets no connection at all: the proxy answers 403 to a CONNECT and closes a plain
request without an answer, and records why.

A hand-written relay rather than a proxy library: it needs no TLS interception (HTTPS stays
end-to-end, so certificates and TLS facts in the evidence are the site's), only a check before
each connect, and the libraries that offer hooks bring a server framework with them.

Framework-free: no Django imports.
"""

from __future__ import annotations

import contextlib
import ipaddress
import selectors
import socket
import socketserver
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from fairclaim.evidence.addresses import AddressPolicy, AddressRefused, check_url

MAX_HEAD_BYTES = 64 * 1024  # a request or response head larger than this is not a browser's
CONNECT_TIMEOUT = 10.0  # seconds to reach the site; the page-load timeout bounds the rest
IDLE_TIMEOUT = 60.0  # seconds without a byte either way before a relayed connection is closed
RELAY_CHUNK = 64 * 1024
HOP_BY_HOP = {b"connection", b"proxy-connection", b"keep-alive", b"proxy-authorization"}

Checker = Callable[[str, int], str]
"""(host, port) -> the address to connect to; raises AddressRefused when it may not be reached."""


@dataclass
class EgressPolicy:
    """The capture's address rule per (host, port), resolved once per host for the whole capture.

    `loopback_ports`, when given, narrows an allowed loopback to those ports: the demo and the
    tests serve pages on one loopback port and must still not reach the platform's other
    loopback services (database, admin, metadata proxies).
    """

    policy: AddressPolicy
    loopback_ports: Collection[int] | None = None
    resolver: Callable[[str, int], list[str]] | None = None
    _pinned: dict[tuple[str, int], str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def port_problem(self, address: str, port: int) -> str | None:
        if self.loopback_ports is None:
            return None
        loopback = ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
        if loopback and port not in self.loopback_ports:
            return f"loopback port {port} is not among the allowed capture ports"
        return None

    def check(self, host: str, port: int) -> str:
        """The checked address to connect to for (host, port); AddressRefused otherwise."""
        key = (host.lower(), port)
        with self._lock:
            if key in self._pinned:
                return self._pinned[key]
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{shown}:{port}/"
        kwargs = {"resolver": self.resolver} if self.resolver else {}
        addresses = check_url(url, self.policy, **kwargs)
        for address in addresses:
            problem = self.port_problem(address, port)
            if problem:
                raise AddressRefused(url, f"{host} resolves to {address}: {problem}")
        with self._lock:
            return self._pinned.setdefault(key, addresses[0])

    def pinned(self, host: str, port: int) -> str | None:
        """The address the proxy connected to for (host, port), if it did."""
        with self._lock:
            return self._pinned.get((host.lower(), port))


class _Handler(socketserver.BaseRequestHandler):
    server: _ProxyServer

    def handle(self) -> None:
        client = self.request
        client.settimeout(IDLE_TIMEOUT)
        head, rest = _read_head(client)
        if head is None:
            return
        request_line, _, header_block = head.partition(b"\r\n")
        try:
            method, target, version = request_line.split(b" ", 2)
            host, port, origin_form = _target(method, target.decode("ascii"))
        except (ValueError, UnicodeDecodeError):
            client.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return
        try:
            address = self.server.guard.check(host, port)
        except AddressRefused as refused:
            self.server.refuse(refused.url if method != b"CONNECT" else f"{host}:{port}", refused)
            if method == b"CONNECT":
                client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return  # a plain request is closed unanswered: no proxy page lands in the evidence
        try:
            upstream = socket.create_connection((address, port), CONNECT_TIMEOUT)
        except OSError:
            if method == b"CONNECT":
                client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        with upstream:
            upstream.settimeout(IDLE_TIMEOUT)
            if method == b"CONNECT":
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                upstream.sendall(rest)
                _relay(client, upstream)
                return
            # One request per proxy connection: the site must not keep it alive, or Chromium
            # would send its next request (perhaps for another host) down the same socket.
            headers = [
                line
                for line in header_block.split(b"\r\n")
                if line and line.split(b":", 1)[0].strip().lower() not in HOP_BY_HOP
            ]
            upstream.sendall(
                b"\r\n".join([method + b" " + origin_form + b" " + version, *headers])
                + b"\r\nConnection: close\r\n\r\n"
                + rest
            )
            _relay(client, upstream, response_rewriter=_close_response_head)


class _ProxyServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, guard: EgressPolicy) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.guard = guard
        self.refused: list[dict[str, str]] = []
        self._refused_lock = threading.Lock()

    def refuse(self, url: str, refused: AddressRefused) -> None:
        with self._refused_lock:
            self.refused.append({"url": url, "reason": refused.reason})


class EgressProxy:
    """The proxy for one capture. Use as a context manager; `server` is the browser's proxy."""

    def __init__(self, guard: EgressPolicy) -> None:
        self.guard = guard
        self._server = _ProxyServer(guard)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def server(self) -> str:
        host, port = self._server.server_address[:2]
        if isinstance(host, bytes):
            host = host.decode("ascii")
        return f"http://{host}:{port}"

    @property
    def refused(self) -> list[dict[str, str]]:
        """Every destination the proxy refused so far: url (or host:port) and reason."""
        with self._server._refused_lock:
            return list(self._server.refused)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> EgressProxy:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _target(method: bytes, target: str) -> tuple[str, int, bytes]:
    """(host, port, origin-form path) of a proxy request target; ValueError when it is not one."""
    if method == b"CONNECT":
        host, port = _host_port(target)
        return host, port, b""
    scheme, sep, rest = target.partition("://")
    if not sep or scheme.lower() != "http":
        raise ValueError(f"not an absolute http URL: {target!r}")
    authority, slash, path = rest.partition("/")
    host, port = _host_port(authority if ":" in authority.rsplit("]", 1)[-1] else authority + ":80")
    return host, port, ("/" + path if slash else "/").encode("ascii")


def _host_port(authority: str) -> tuple[str, int]:
    if "@" in authority:
        raise ValueError("user information in a proxy target")
    host, _, port = authority.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"bad host:port {authority!r}")
    return host, int(port)


def _read_head(sock: socket.socket) -> tuple[bytes | None, bytes]:
    """The head up to the blank line and any bytes after it; None when the peer sent none."""
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            chunk = sock.recv(RELAY_CHUNK)
        except OSError:
            return None, b""
        if not chunk or len(data) > MAX_HEAD_BYTES:
            return None, b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _close_response_head(head: bytes) -> bytes:
    lines = [
        line
        for line in head.split(b"\r\n")
        if line.split(b":", 1)[0].strip().lower() not in {b"connection", b"keep-alive"}
    ]
    return b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n"


def _relay(
    client: socket.socket,
    upstream: socket.socket,
    response_rewriter: Callable[[bytes], bytes] | None = None,
) -> None:
    """Copy bytes both ways until one side closes or both stay idle for IDLE_TIMEOUT."""
    pending = b"" if response_rewriter else None  # the response head still being read
    with selectors.DefaultSelector() as selector:
        selector.register(client, selectors.EVENT_READ, upstream)
        selector.register(upstream, selectors.EVENT_READ, client)
        while True:
            events = selector.select(IDLE_TIMEOUT)
            if not events:
                return
            for key, _ in events:
                source: socket.socket = key.fileobj  # type: ignore[assignment]
                target: socket.socket = key.data
                try:
                    chunk = source.recv(RELAY_CHUNK)
                except OSError:
                    return
                if not chunk:
                    if source is upstream and pending:
                        with contextlib.suppress(OSError):
                            client.sendall(pending)
                    return
                if source is upstream and pending is not None and response_rewriter:
                    pending += chunk
                    if b"\r\n\r\n" not in pending:
                        if len(pending) > MAX_HEAD_BYTES:
                            return
                        continue
                    head, _, body = pending.partition(b"\r\n\r\n")
                    chunk = response_rewriter(head) + body
                    pending = None
                try:
                    target.sendall(chunk)
                except OSError:
                    return
