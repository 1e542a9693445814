"""A real HTTP server on 127.0.0.1 serving fixed pages and images, for tests of the web flow."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextmanager
def serving(routes: dict[str, tuple[str, bytes]]):
    """Serve `routes` ({path: (content type, body)}); yields the base URL. Other paths: 404.
    Routes may be changed while serving (e.g. to remove an image between scans)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            found = routes.get(self.path.split("?", 1)[0])
            status, (kind, body) = (200, found) if found else (404, ("text/plain", b"not found"))
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def drain(response) -> bytes:
    """A test-client response's body, streamed or not. Reading a streamed file to the end closes
    it the way a WSGI server would; calling `close()` by hand would also fire Django's
    request_finished signal inside the test's transaction, which drops the database connection."""
    return b"".join(response.streaming_content) if response.streaming else response.content
