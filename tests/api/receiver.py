"""A webhook receiver on 127.0.0.1: records each request and answers with scripted statuses."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    requests: list[tuple[dict, bytes]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # answered in order; then 200


@contextmanager
def receiving():
    """Yields (url, Received)."""
    received = Received()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
            status = received.statuses.pop(0) if received.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks/fairclaim", received
    finally:
        server.shutdown()
        server.server_close()
