"""A local test website on 127.0.0.1: WordPress- and Shopify-shaped pages, real JPEGs with
embedded credits, and hostile endpoints (infinite calendar, redirect loop, gzip bomb, slow drip,
huge image, malformed HTML, server errors, private-address links).

Run in a thread by the session fixture (the crawls themselves run in child processes).
"""

from __future__ import annotations

import gzip
import io
import struct
import threading
import time
import zlib
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = 12  # /p/0 .. /p/11
DRIP_SECONDS = 60  # the slow-drip endpoint would take this long; the crawl gives up sooner
BOMB_BYTES = 50 * 1024 * 1024  # decompressed size of the gzip bomb; tests cap at a few MB


@cache
def jpeg(n: int, artist: str = "") -> bytes:
    image = Image.new("RGB", (80 + n, 60), (n * 20 % 255, 90, 160))
    exif = Image.Exif()
    if artist:
        exif[0x013B] = artist
        exif[0x8298] = f"Copyright 2025 {artist}"  # EXIF ASCII has no ©
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@cache
def huge_png() -> bytes:
    """A tiny file whose header declares 40000x40000 pixels (a decompression bomb)."""
    out = io.BytesIO()
    Image.new("L", (1, 1)).save(out, "PNG")
    data = bytearray(out.getvalue())
    ihdr = 8 + 8  # signature + length/type of IHDR
    data[ihdr : ihdr + 8] = struct.pack(">II", 40000, 40000)
    crc = zlib.crc32(bytes(data[12 : ihdr + 13]))
    data[ihdr + 13 : ihdr + 17] = struct.pack(">I", crc)
    return bytes(data)


@cache
def gzip_bomb() -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b" " * (1024 * 1024)
    parts = [compressor.compress(b"<html><body>")]
    parts += [compressor.compress(block) for _ in range(BOMB_BYTES // len(block))]
    parts.append(compressor.flush())
    return b"".join(parts)


def page(n: int) -> str:
    prev_link = f'<a href="/p/{n - 1}">previous</a>' if n else ""
    next_link = f'<a href="/p/{n + 1}">next</a>' if n + 1 < PAGES else ""
    return f"""<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Beitrag {n}</title>
<meta property="og:image" content="/img/{n}.jpg"></head><body>
<article><figure class="wp-block-image size-large"><img src="/img/{n}.jpg" alt="Motiv {n}"
 width="640" height="480"><figcaption>Am See. Foto: Erika Muster</figcaption></figure>
<p>Text.</p><img src="http://127.0.0.2:1/hotlinked-{n}.jpg" alt="fremd"></article>
<footer>© 2025 Beispiel Verlag GmbH · <a href="/impressum">Impressum</a></footer>
{prev_link} {next_link}</body></html>"""


INDEX = """<!doctype html><html lang="en"><head><title>Test site</title></head><body>
<a href="/p/0">start</a> <a href="/calendar/2026/1">calendar</a>
<a href="/loop/a">loop</a> <a href="/bomb">bomb</a> <a href="/drip">drip</a>
<a href="/private/secret">secret</a> <a href="/status/500">error</a> <a href="/malformed">bad</a>
<a href="/huge">huge</a> <a href="/ssrf">ssrf</a> <a href="/not-html">pdf</a>
<a href="/wordpress">wp</a> <a href="/shopify">shop</a> <a href="/flaky">flaky</a>
</body></html>"""

MALFORMED = (
    b"<html><body><div><img src='/img/1.jpg' alt='kaputt'<p>unclosed <b><i></div></span>"
    b"<img src=/img/2.jpg alt=zwei><<<>>>\x00\xff\xfe<script>document.write('<img src=x>')"
)

SSRF = """<html><body><img src="http://10.0.0.7/inside.jpg" alt="private">
<img src="http://internal.test:{port}/img/3.jpg" alt="mapped to private">
<img src="http://169.254.169.254/latest/meta-data.jpg" alt="metadata service">
<a href="http://10.0.0.7/admin">admin</a></body></html>"""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send(
        self,
        status: int,
        body: bytes,
        ctype: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        self.server.hits.append(path)  # type: ignore[attr-defined]
        if path == "/robots.txt":
            body = b"User-agent: *\nDisallow: /private/\nSitemap: /sitemap.xml\n"
            return self.send(200, body, "text/plain")
        if path == "/sitemap.xml":
            body = (
                b'<?xml version="1.0" encoding="UTF-8"?><urlset '
                b'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                b"<url><loc>http://127.0.0.1:%d/from-sitemap</loc></url></urlset>"
            ) % self.server.server_port
            return self.send(200, body, "application/xml")
        if path == "/":
            return self.send(200, INDEX.encode())
        if path.startswith("/p/"):
            n = int(path[3:])
            return self.send(200, page(n).encode()) if 0 <= n < PAGES else self.send(404, b"")
        if path.startswith("/img/"):
            n = int(path[5:].removesuffix(".jpg"))
            return self.send(200, jpeg(n, "Erika Muster"), "image/jpeg")
        if path == "/from-sitemap":
            return self.send(200, b"<html><body><img src='/img/7.jpg' alt='sitemap'></body></html>")
        if path.startswith("/calendar/"):
            _, _, year, month = path.split("/")
            y, m = int(year), int(month)
            nxt = f"/calendar/{y + m // 12}/{m % 12 + 1}"
            return self.send(
                200, f'<html><body><a href="{nxt}">next month</a></body></html>'.encode()
            )
        if path == "/loop/a":
            return self.send(302, b"", headers={"Location": "/loop/b"})
        if path == "/loop/b":
            return self.send(302, b"", headers={"Location": "/loop/a"})
        if path == "/redirect-private":
            return self.send(302, b"", headers={"Location": "http://10.0.0.7/"})
        if path == "/redirect-ok":
            return self.send(301, b"", headers={"Location": "/p/1"})
        if path == "/echo-host":
            return self.send(200, f"<html><body>{self.headers.get('Host')}</body></html>".encode())
        if path == "/flaky":  # fails the first time, works when retried
            if self.server.hits.count("/flaky") == 1:  # type: ignore[attr-defined]
                return self.send(503, b"try again", headers={"Retry-After": "0"})
            return self.send(
                200, b"<html><body><img src='/img/9.jpg' alt='second try'></body></html>"
            )
        if path == "/bomb":
            return self.send(200, gzip_bomb(), headers={"Content-Encoding": "gzip"})
        if path == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(DRIP_SECONDS * 2))
            self.end_headers()
            try:
                for _ in range(DRIP_SECONDS * 2):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.5)
            except OSError:
                pass
            return None
        if path == "/huge":
            return self.send(200, b"<html><body><img src='/huge.png' alt='bomb'></body></html>")
        if path == "/huge.png":
            return self.send(200, huge_png(), "image/png")
        if path == "/fake.jpg":
            return self.send(200, b"<html>not an image</html>", "image/jpeg")
        if path == "/malformed":
            return self.send(200, MALFORMED)
        if path == "/ssrf":
            return self.send(200, SSRF.format(port=self.server.server_port).encode())
        if path == "/status/500":
            return self.send(500, b"oops")
        if path == "/not-html":
            return self.send(200, b"%PDF-1.4 not a page", "application/pdf")
        if path == "/gzip-page":
            body = gzip.compress(page(1).encode())
            return self.send(200, body, headers={"Content-Encoding": "gzip"})
        if path in {"/wordpress", "/shopify"}:
            return self.send(200, (FIXTURES / f"{path[1:]}.html").read_bytes())
        if path == "/impressum":
            return self.send(
                200, b"<html><body>Beispiel Verlag GmbH, info@beispiel.test</body></html>"
            )
        return self.send(404, b"not found")


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hanging up on the bomb and drip endpoints is the point of those tests


class SiteServer:
    def __init__(self) -> None:
        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.hits = []  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.httpd.server_port

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def hits(self) -> list[str]:
        return self.httpd.hits  # type: ignore[attr-defined]

    def __enter__(self) -> SiteServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
