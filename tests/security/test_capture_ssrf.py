"""Evidence capture cannot reach internal services, not even through redirects (issue 16 item 1).

Two real servers on 127.0.0.1: the captured site, and an "internal" service on another port that
stands for cloud metadata or an admin console. Loopback is allowed for the capture only on the
site's port (`loopback_ports`), so the internal port is exactly as refused as 169.254.169.254 is
in production. The site's page points an iframe, an image, a script and a fetch() at its own
`/to?u=<internal URL>`, which answers 302 to the internal service.
"""

from __future__ import annotations

import io
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

import numpy as np
import pytest
from PIL import Image

from fairclaim.evidence.addresses import AddressRefused
from fairclaim.evidence.capture import CaptureSession
from fairclaim.evidence.keys import Signer
from fairclaim.evidence.retry import RetryPolicy

pytestmark = pytest.mark.browser
SECRET = "SECRET-INTERNAL-DATA"


def _photo() -> bytes:
    pixels = np.random.default_rng(7).integers(0, 255, (120, 160, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG")
    return out.getvalue()


class _Server:
    def __init__(self, respond) -> None:
        self.hits: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args) -> None:
                pass

            def do_GET(self) -> None:
                outer.hits.append(self.path)
                status, headers, body = respond(self.path)
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def internal():
    server = _Server(lambda path: (200, [("Content-Type", "text/html")], SECRET.encode() * 50))
    yield server
    server.close()


@pytest.fixture(scope="module")
def site(internal):
    photo = _photo()

    def to(path: str) -> str:
        return "/to?u=" + quote(internal.base + path, safe="")

    page = f"""<!doctype html><html><head><title>Hostile page</title></head><body>
<img src="/photo.jpg" width="160" height="120">
<iframe src="{to("/secret-iframe")}" width="600" height="200"></iframe>
<img src="{to("/secret-img.jpg")}">
<script src="{to("/secret-script.js")}"></script>
<script>fetch("{to("/secret-fetch")}").catch(() => null);</script>
</body></html>"""

    def respond(path: str):
        parts = urlsplit(path)
        if parts.path == "/page.html":
            return 200, [("Content-Type", "text/html; charset=utf-8")], page.encode()
        if parts.path == "/photo.jpg":
            return 200, [("Content-Type", "image/jpeg")], photo
        if parts.path == "/to":
            return 302, [("Location", parse_qs(parts.query)["u"][0])], b""
        if parts.path == "/moved-page.html":
            return 302, [("Location", internal.base + "/secret-page")], b""
        return 404, [("Content-Type", "text/plain")], b"not found"

    server = _Server(respond)
    yield server
    server.close()


class ThreadedSession:
    """A CaptureSession in a thread of its own: pytest-playwright's session fixtures, used by
    other test directories in the same run, keep Playwright's loop in the main thread."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.session = self.pool.submit(CaptureSession).result()

    def capture(self, *args, **kwargs):
        return self.pool.submit(self.session.capture, *args, **kwargs).result()

    def close(self) -> None:
        self.pool.submit(self.session.close).result()
        self.pool.shutdown()


@pytest.fixture(scope="module")
def session():
    threaded = ThreadedSession()
    yield threaded
    threaded.close()


def _capture(session, site, page_path, tmp_path):
    return session.capture(
        site.base + page_path,
        site.base + "/photo.jpg",
        out_path=tmp_path / "bundle.wacz",
        signer=Signer.from_path(tmp_path / "key.pem"),
        allow_loopback=True,
        loopback_ports={site.port},
        retry=RetryPolicy(attempts=1),
    )


def test_redirects_of_frames_images_scripts_and_fetches_never_reach_the_internal_service(
    session, site, internal, tmp_path
):
    internal.hits.clear()
    result = _capture(session, site, "/page.html", tmp_path)

    assert internal.hits == []
    assert result.image_present is True
    with zipfile.ZipFile(result.path) as bundle:
        for name in bundle.namelist():
            assert SECRET.encode() not in bundle.read(name), name
    blocked = " ".join(
        item["url"] + " " + item["reason"] for item in result.manifest["blocked_requests"]
    )
    assert f"127.0.0.1:{internal.port}" in blocked
    assert result.manifest["page"]["server_ip"] == "127.0.0.1"
    assert result.manifest["page"]["server_port"] == site.port


def test_a_page_that_redirects_to_the_internal_service_is_refused_without_reaching_it(
    session, site, internal, tmp_path
):
    internal.hits.clear()
    with pytest.raises(AddressRefused):
        _capture(session, site, "/moved-page.html", tmp_path)
    assert internal.hits == []
    assert not (tmp_path / "bundle.wacz").exists()


def test_the_loopback_variable_means_the_same_to_capture_as_to_discovery(
    session, site, tmp_path, monkeypatch
):
    monkeypatch.setenv("FAIRCLAIM_ALLOW_LOOPBACK", "true")  # discovery has always taken "true"
    result = session.capture(
        site.base + "/photo.jpg",
        site.base + "/photo.jpg",
        out_path=tmp_path / "bundle.wacz",
        signer=Signer.from_path(tmp_path / "key.pem"),
        retry=RetryPolicy(attempts=1),
    )
    assert result.page_status == 200
