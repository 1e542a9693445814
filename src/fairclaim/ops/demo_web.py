"""A small demo web on loopback: sites that use the demo photos the way the real web does.

Each site listens on its own loopback address (127.0.0.2, .3, ...: all of 127/8 is loopback on
Linux), so each is a separate domain to fairclaim:

- a shop using edited copies of demo works (cropped, resized with a caption, mirrored), with an
  imprint naming the company and its e-mail address — the typical infringement;
- a blog that credits a photo under CC BY with a rel=license link;
- a licensee's site (the demo rights holder has a licence for it);
- a site with unrelated photos only.

Only for `fairclaim demo` and tests; nothing here is reachable from outside the machine.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image, ImageDraw, ImageOps

DEMO_PORT = 8100
SITES = {
    "shop": "127.0.0.2",
    "blog": "127.0.0.3",
    "licensee": "127.0.0.4",
    "unrelated": "127.0.0.5",
}


@dataclass
class Site:
    name: str
    host: str
    port: int
    routes: dict[str, tuple[str, bytes]] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def page(self, path: str, title: str, body: str, lang: str = "en") -> None:
        html = (
            f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}'
            f'</title></head><body><header><a href="/">{title}</a></header>{body}'
            f'<footer><a href="/impressum">Impressum</a></footer></body></html>'
        )
        self.routes[path] = ("text/html; charset=utf-8", html.encode())

    def image(self, path: str, data: bytes) -> None:
        self.routes[path] = ("image/jpeg", data)


def jpeg(image: Image.Image, quality: int = 80) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def crop_centre(image: Image.Image, keep: float) -> Image.Image:
    w, h = image.size
    cw, ch = int(w * keep), int(h * keep)
    left, top = (w - cw) // 3, (h - ch) // 2  # off-centre, as designers crop
    return image.crop((left, top, left + cw, top + ch))


def with_caption(image: Image.Image, text: str) -> Image.Image:
    image = image.copy()
    draw = ImageDraw.Draw(image)
    w, h = image.size
    draw.rectangle((0, h - 40, w, h), fill=(0, 0, 0))
    draw.text((12, h - 30), text, fill=(255, 255, 255))
    return image


def build_sites(photos: list[Path], port: int = DEMO_PORT) -> dict[str, Site]:
    """The demo sites from `photos` (needs at least 6 photo paths; the first 4 are used as the
    registered works, the last 2 stand in for other photographers' pictures)."""
    if len(photos) < 6:
        raise ValueError("the demo web needs at least six photos")
    works = [Image.open(p) for p in photos[:4]]
    others = [Image.open(p) for p in photos[-2:]]
    sites = {name: Site(name, host, port) for name, host in SITES.items()}

    shop = sites["shop"]
    edits = [
        ("/media/hero.jpg", crop_centre(works[0], 0.7)),
        (
            "/media/sale.jpg",
            with_caption(
                works[1].resize((works[1].width // 2, works[1].height // 2)),
                "SALE -30% this week only",
            ),
        ),
        ("/media/about.jpg", ImageOps.mirror(works[2])),
    ]
    for path, picture in edits:
        shop.image(path, jpeg(picture, quality=70))
    shop.page("/", "Beispiel Shop", '<a href="/p/1">Kitchen</a> <a href="/p/2">Sale</a> '
              '<a href="/about">About us</a>', lang="de")  # fmt: skip
    shop.page("/p/1", "Kitchen", '<img src="/media/hero.jpg" alt="Our kitchen" width="800">', "de")
    shop.page("/p/2", "Sale", '<div style="background-image:url(/media/sale.jpg)">Sale</div>', "de")
    shop.page("/about", "About", '<img data-src="/media/about.jpg" alt="Team" class="lazy">', "de")
    shop.page("/impressum", "Impressum", "<p>Beispiel Shop GmbH, Musterstraße 1, 20095 Hamburg"
              "</p><p>E-Mail: info@shop.example</p>", lang="de")  # fmt: skip

    blog = sites["blog"]
    blog.image("/img/garden.jpg", jpeg(works[3].resize((works[3].width * 3 // 4,
                                                        works[3].height * 3 // 4))))  # fmt: skip
    blog.page("/", "A walking blog", '<article><figure><img src="/img/garden.jpg" '
              'alt="A garden"><figcaption>Photo: Demo Photography, '
              '<a rel="license" href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0'
              "</a></figcaption></figure></article>")  # fmt: skip

    licensee = sites["licensee"]
    licensee.image("/assets/header.jpg", jpeg(works[0]))
    licensee.page("/", "Licensed Ltd", '<img src="/assets/header.jpg" alt="Header">')

    unrelated = sites["unrelated"]
    for i, picture in enumerate(others):
        unrelated.image(f"/photos/{i}.jpg", jpeg(picture))
    unrelated.page(
        "/",
        "Someone else's photos",
        "".join(f'<img src="/photos/{i}.jpg" alt="Photo {i}">' for i in range(2)),
    )
    for site in sites.values():
        site.routes.setdefault("/robots.txt", ("text/plain", b"User-agent: *\nAllow: /\n"))
        site.routes.setdefault("/impressum", ("text/html", b"<p>Contact: web@site.example</p>"))
    return sites


class _Handler(BaseHTTPRequestHandler):
    site: Site

    def do_GET(self):
        found = self.site.routes.get(self.path.split("?", 1)[0])
        status, (kind, body) = (200, found) if found else (404, ("text/plain", b"not found"))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve_sites(sites: dict[str, Site]) -> list[ThreadingHTTPServer]:
    """Start one server per site in daemon threads; call `.shutdown()` on each to stop."""
    servers = []
    for site in sites.values():
        handler = type(f"{site.name}Handler", (_Handler,), {"site": site})
        server = ThreadingHTTPServer((site.host, site.port), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    return servers
