"""WARC reading speed and memory: MB/s and peak RSS reading generated WARC.gz files.

Generates into /tmp (deleted afterwards) a capture-style WARC.gz: blog pages (~40 KB of HTML,
4 images each) followed by their image records (real photos from /work/shared/data/photos), and
an HTML-only WARC.gz like Common Crawl's. A ~128 MB unit is written once and repeated (gzip
members concatenate), so a 1 GB file takes seconds to make. Each measurement runs
`read_warc` -> JSONL in a fresh process, which reports wall time, CPU time and peak RSS.

    .venv/bin/python bench/discovery_warc.py [--sizes-mb 256 1024] [--html-only-mb 256]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

PHOTOS = Path("/work/shared/data/photos")
UNIT_MB = 128  # size of the generated block that is repeated to reach the target size
IMAGES_PER_PAGE = 4
_SYLLABLES = ["ka", "ri", "mo", "ten", "sul", "ber", "ga", "lin", "dor", "fe", "zu", "an", "ex"]
VOCABULARY = [
    "".join(random.Random(i).choices(_SYLLABLES, k=1 + i % 4)) for i in range(3000)
]  # a fixed made-up lexicon, so generated pages compress like prose


def page_html(n: int, images: int) -> bytes:
    figures = "".join(
        f'<figure><img src="/img/{n}-{k}.jpg" alt="Motiv {k}" width="800" height="533">'
        f"<figcaption>Bild {k}. Foto: Studio {n % 97}</figcaption></figure>"
        for k in range(images)
    )
    links = "".join(f'<li><a href="/p/{n + d}">Beitrag {n + d}</a></li>' for d in range(1, 40))
    rng = random.Random(n)  # varied prose: real HTML gzips ~4x, repeated filler ~30x
    text = "".join(
        "<p>" + " ".join(rng.choice(VOCABULARY) for _ in range(120)) + ".</p>" for _ in range(30)
    )
    return (
        f'<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Beitrag {n}</title>'
        f'<meta property="og:image" content="/img/{n}-0.jpg"></head><body><article>'
        f'{figures}{text}<img src="https://cdn.elsewhere.example/{n}.jpg" alt="fremd">'
        f"</article><ul>{links}</ul><footer>© 2025 Beispiel GmbH "
        f'<a href="/impressum">Impressum</a></footer></body></html>'
    ).encode()


def write_unit(path: Path, target_bytes: int, with_images: bool) -> None:
    photos = [p.read_bytes() for p in sorted(PHOTOS.glob("*.jpg"))]
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)

        def record(url: str, body: bytes, ctype: str) -> None:
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), length=len(body), http_headers=headers
            ))  # fmt: skip

        n = 0
        while fh.tell() < target_bytes:
            record(f"http://blog.example/p/{n}", page_html(n, IMAGES_PER_PAGE),
                   "text/html; charset=utf-8")  # fmt: skip
            if with_images:
                for k in range(IMAGES_PER_PAGE):
                    photo = photos[(n * IMAGES_PER_PAGE + k) % len(photos)]
                    record(f"http://blog.example/img/{n}-{k}.jpg", photo, "image/jpeg")
            n += 1


def build_warc(path: Path, size_mb: int, with_images: bool, unit: Path) -> None:
    if not unit.exists():
        write_unit(unit, min(size_mb, UNIT_MB) * 1_000_000, with_images)
    with open(path, "wb") as out:
        while out.tell() < size_mb * 1_000_000:
            with open(unit, "rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)


def measure(path: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--read", str(path)], capture_output=True,
                          text=True, check=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def read_one(path: str) -> None:
    from fairclaim.discovery.output import JsonlWriter
    from fairclaim.discovery.records import ScanCounts
    from fairclaim.discovery.warc import read_warc

    counts = ScanCounts()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl") as out, JsonlWriter(out) as writer:
        for record in read_warc(path, counts=counts):
            writer.write(record)
    result = {
        "mb": os.path.getsize(path) / 1e6,
        "wall": time.perf_counter() - wall0,
        "cpu": time.process_time() - cpu0,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **counts.to_dict(),
    }
    print(json.dumps(result))


def report(label: str, r: dict) -> None:
    print(f"{label}: {r['mb']:.0f} MB, {r['pages']} pages, {r['sightings']} sightings, "
          f"errors {r['errors']}")  # fmt: skip
    print(f"  wall {r['wall']:.1f} s = {r['mb'] / r['wall']:.0f} MB/s, "
          f"{r['pages'] / r['wall']:.0f} pages/s | CPU {r['cpu']:.1f} s = "
          f"{r['mb'] / r['cpu']:.0f} MB per CPU-second, {r['pages'] / r['cpu']:.0f} pages per "
          f"CPU-second | peak RSS {r['peak_rss_mb']:.0f} MB")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes-mb", type=int, nargs="+", default=[256, 1024])
    parser.add_argument("--html-only-mb", type=int, default=256)
    parser.add_argument("--read", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.read:
        read_one(args.read)
        return 0
    with tempfile.TemporaryDirectory(prefix="fairclaim-warc-bench-", dir="/tmp") as tmp:
        folder = Path(tmp)
        unit = folder / "unit.warc.gz"
        for size in args.sizes_mb:
            path = folder / f"capture-{size}.warc.gz"
            build_warc(path, size, True, unit)
            report(f"capture WARC (pages + images) {size} MB", measure(path))
            path.unlink()
        if args.html_only_mb:
            path = folder / "html-only.warc.gz"
            build_warc(path, args.html_only_mb, False, folder / "html-unit.warc.gz")
            report(f"HTML-only WARC {args.html_only_mb} MB", measure(path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
