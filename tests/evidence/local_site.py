"""A small web site on 127.0.0.1 whose pages show a photo in the ways real sites do.

Pages: a static <img>; a JavaScript-rendered gallery (fetches JSON, then inserts the image with
srcset); a lazy page (the photo is a CSS background set by an IntersectionObserver far below the
fold); a 404; a page that stalls; a page whose image can be removed between captures; a hostile
page that embeds private addresses; a page whose first connection is dropped.
"""

from __future__ import annotations

import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
from PIL import Image

STALL_SECONDS = 6.0  # longer than the capture timeout the tests use


def make_photo(seed: int) -> bytes:
    """A deterministic 480x320 JPEG with enough structure to look like a photo."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:320, 0:480]
    pixels = np.stack(
        [(x * 255 / 480), (y * 255 / 320), ((x + y) % 97) * 2.6], axis=-1
    ) + rng.normal(0, 12, (320, 480, 3))
    image = Image.fromarray(np.clip(pixels, 0, 255).astype("uint8"))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


STATIC = """<!doctype html><html><head><title>Static page</title></head><body>
<h1>Our team</h1><p>Some text above the photo.</p>
<img src="/photo.jpg" alt="the photo" width="480" height="320">
<p>Imprint: Example GmbH</p></body></html>"""

JS = """<!doctype html><html><head><title>Gallery</title></head><body>
<div id="app">loading…</div>
<script>
setTimeout(async () => {
  const items = await (await fetch("/api/gallery.json")).json();
  const app = document.getElementById("app");
  app.textContent = "";
  for (const item of items) {
    const img = document.createElement("img");
    img.srcset = item.srcset;
    img.alt = item.alt;
    app.appendChild(img);
  }
  document.title = "Gallery (rendered)";
}, 300);
</script></body></html>"""

LAZY = """<!doctype html><html><head><title>Long article</title>
<style>.hero { width: 480px; height: 320px; background-size: cover; }</style></head><body>
<h1>Long article</h1><div style="height: 4000px">text text text</div>
<div class="hero" data-bg="/photo-lazy.jpg"></div>
<script>
const observer = new IntersectionObserver((entries) => {
  for (const entry of entries) {
    if (entry.isIntersecting) {
      entry.target.style.backgroundImage = `url("${entry.target.dataset.bg}")`;
      observer.unobserve(entry.target);
    }
  }
});
document.querySelectorAll(".hero").forEach((el) => observer.observe(el));
</script></body></html>"""

TOGGLE_ON = """<!doctype html><html><head><title>Blog post</title></head><body>
<h1>Blog post</h1><img src="/toggle.jpg" alt="photo"></body></html>"""
TOGGLE_OFF = """<!doctype html><html><head><title>Blog post</title></head><body>
<h1>Blog post</h1><p>The photo was removed.</p></body></html>"""

HOSTILE = """<!doctype html><html><head><title>Hostile</title></head><body>
<img src="/photo.jpg">
<img src="http://169.254.169.254/latest/meta-data.png">
<img src="http://10.1.2.3/internal.png">
</body></html>"""


CDN = """<!doctype html><html><head><title>CDN page</title></head><body>
<img src="/moved.jpg" alt="via a redirect"></body></html>"""

RETINA = """<!doctype html><html><head><title>Retina</title></head><body>
<img srcset="/photo.jpg 1x, /moved2x.jpg 2x" alt="two candidates"></body></html>"""


class SiteState:
    def __init__(self) -> None:
        self.photo = make_photo(1)
        self.lazy_photo = make_photo(2)
        self.toggle_photo = make_photo(3)
        self.toggle_on = True
        self.flaky_drops = 0  # how many more /flaky.html requests to drop
        self.flaky_dropped = 0
        self.hits: list[str] = []


class _Handler(BaseHTTPRequestHandler):
    state: SiteState
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, status: int, location: str) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        state = self.state
        path = self.path
        state.hits.append(path)
        html = "text/html; charset=utf-8"
        if path == "/static.html":
            self._send(200, STATIC.encode(), html)
        elif path == "/photo.jpg":
            self._send(200, state.photo, "image/jpeg")
        elif path == "/photo-lazy.jpg":
            self._send(200, state.lazy_photo, "image/jpeg")
        elif path == "/js.html":
            self._send(200, JS.encode(), html)
        elif path == "/api/gallery.json":
            items = [{"srcset": "/photo.jpg 1x", "alt": "rendered photo"}]
            self._send(200, json.dumps(items).encode(), "application/json")
        elif path == "/lazy.html":
            self._send(200, LAZY.encode(), html)
        elif path == "/toggle.html":
            self._send(200, (TOGGLE_ON if state.toggle_on else TOGGLE_OFF).encode(), html)
        elif path == "/unlinked.html":
            self._send(200, TOGGLE_OFF.encode(), html)
        elif path == "/toggle.jpg" and state.toggle_on:
            self._send(200, state.toggle_photo, "image/jpeg")
        elif path == "/old-cdn.html":
            self._redirect(301, "/cdn.html")
        elif path == "/cdn.html":
            self._send(200, CDN.encode(), html)
        elif path in ("/moved.jpg", "/moved2x.jpg"):
            self._redirect(302, "/photo.jpg")
        elif path == "/retina.html":
            self._send(200, RETINA.encode(), html)
        elif path == "/hostile.html":
            self._send(200, HOSTILE.encode(), html)
        elif path == "/stall.html":
            time.sleep(STALL_SECONDS)
            self._send(200, STATIC.encode(), html)
        elif path == "/flaky.html" and state.flaky_drops > 0:
            state.flaky_drops -= 1
            state.flaky_dropped += 1
            self.close_connection = True  # drop it: the browser sees ERR_EMPTY_RESPONSE
        elif path == "/flaky.html":
            self._send(200, STATIC.encode(), html)
        else:
            self._send(404, b"<html><title>Not found</title><h1>404</h1></html>", html)


class Site:
    def __init__(self) -> None:
        self.state = SiteState()
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return self.base + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
