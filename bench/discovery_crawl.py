"""Crawl throughput: pages/s and images/s crawling a 10,000-page site on loopback, politeness off.

A small asyncio HTTP/1.1 server (keep-alive) in a child process serves generated blog pages (three
images each with srcset, a figure caption with a credit line, ten child links); the crawl runs as
`python -m fairclaim.discovery.crawl`, exactly as `fairclaim scan` runs it. Figures: wall clock,
and CPU seconds of the crawler and the server read from /proc (the machine is shared, so pages per
CPU-second is the fairer figure).

    .venv/bin/python bench/discovery_crawl.py [--pages 10000] [--fetch-images]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fairclaim.discovery.crawl import COUNTS_PREFIX, CrawlOptions

BRANCHING = 10  # child links per page: the site is a 10-ary tree, BFS reaches 10k pages at depth 4
CLK_TCK = os.sysconf("SC_CLK_TCK")


def page_html(n: int, pages: int) -> bytes:
    children = "".join(
        f'<li><a href="/p/{c}">Post {c}</a></li>'
        for c in range(n * BRANCHING + 1, min(pages, n * BRANCHING + BRANCHING + 1))
    )
    images = "".join(
        f'<figure class="wp-block-image"><img src="/img/{n}-{k}-800.jpg" alt="Motiv {n}/{k}" '
        f'srcset="/img/{n}-{k}-400.jpg 400w, /img/{n}-{k}-800.jpg 800w, '
        f'/img/{n}-{k}-1600.jpg 1600w"'
        f' width="800" height="533"><figcaption>Bild {k}. Foto: Studio {k}</figcaption></figure>'
        for k in range(3)
    )
    text = "<p>" + "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 40 + "</p>"
    return (
        f'<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Post {n}</title>'
        f'<meta property="og:image" content="/img/{n}-0-1600.jpg"></head><body><article>'
        f"{images}{text}</article><nav><ul>{children}</ul></nav>"
        f'<footer>© 2025 Bench Verlag GmbH <a href="/impressum">Impressum</a></footer>'
        f"</body></html>"
    ).encode()


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, pages: int) -> None:
    try:
        while True:
            request = await reader.readuntil(b"\r\n\r\n")
            path = request.split(b" ", 2)[1].decode()
            status, ctype = "200 OK", "text/html; charset=utf-8"
            if path == "/robots.txt":
                body, ctype = b"User-agent: *\nAllow: /\n", "text/plain"
            elif path.startswith("/p/") and int(path[3:]) < pages:
                body = page_html(int(path[3:]), pages)
            elif path.startswith("/img/"):
                body, ctype = JPEG, "image/jpeg"
            else:
                status, body = "404 Not Found", b"not found"
            writer.write(
                f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                f"Connection: keep-alive\r\n\r\n".encode()
                + body
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def small_jpeg() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (400, 267), (40, 90, 160))
    exif = image.getexif()
    exif[0x013B] = "Studio Bench"
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, exif=exif)
    return out.getvalue()


JPEG = b""  # set in the server process


def serve(port: int, pages: int) -> None:
    global JPEG
    JPEG = small_jpeg()

    async def main() -> None:
        server = await asyncio.start_server(lambda r, w: handle(r, w, pages), "127.0.0.1", port)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--fetch-images", action="store_true")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.pages)
        return 0
    port = free_port()
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port),
                               "--pages", str(args.pages)])  # fmt: skip
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.1)
        options = CrawlOptions(
            max_pages=args.pages, max_depth=0, polite=False, concurrency=args.concurrency,
            concurrency_per_domain=args.concurrency, retries=0, allow_loopback=True,
            fetch_images=args.fetch_images,
        )  # fmt: skip
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "crawl.jsonl"
            server_cpu0 = cpu_seconds(server.pid)
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "fairclaim.discovery.crawl", "--options",
                 options.to_json(), "--out", str(out), f"http://127.0.0.1:{port}/p/0"],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            wall = time.perf_counter() - started
            server_cpu = cpu_seconds(server.pid) - server_cpu0
            lines = [ln for ln in done.stderr.splitlines() if ln.startswith(COUNTS_PREFIX)]
            if done.returncode or not lines:
                print(done.stderr[-3000:], file=sys.stderr)
                return 1
            counts = json.loads(lines[-1][len(COUNTS_PREFIX) :])
            out_mb = out.stat().st_size / 1e6
    finally:
        server.terminate()
        server.wait()
    crawler_cpu = counts["cpu_seconds"]
    pages, sightings = counts["pages"], counts["sightings"]
    print(f"crawl of a {args.pages}-page loopback site (politeness off, concurrency "
          f"{args.concurrency}, fetch_images={args.fetch_images})")  # fmt: skip
    print(f"  pages {pages}, sightings {sightings}, images fetched {counts['images_fetched']}, "
          f"errors {counts['errors']}, output {out_mb:.1f} MB")  # fmt: skip
    print(f"  wall {wall:.1f} s (incl. ~2 s start-up): {pages / wall:.0f} pages/s, "
          f"{sightings / wall:.0f} images/s")  # fmt: skip
    print(f"  crawler CPU {crawler_cpu:.1f} s: {pages / crawler_cpu:.0f} pages per CPU-second, "
          f"{sightings / crawler_cpu:.0f} images per CPU-second")  # fmt: skip
    print(f"  server CPU {server_cpu:.1f} s (shares the 2 cores with the crawler)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
