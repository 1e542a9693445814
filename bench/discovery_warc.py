"""WARC scan speed and memory through the product path: `fairclaim scan --warc FILE --out X`.

Generates into /tmp (deleted afterwards) WARC.gz files of three kinds:
- capture: blog pages (~28 KB of HTML, 4 images each) followed by their image records (real
  photos from the demo's photo folder), as a crawl or an evidence capture writes them;
- crawl: Common Crawl-shaped (ccshaped.py): request, response and metadata records per capture;
  WordPress, shop and news pages of 30-60 KB with 5-30 images each, some redirects, feeds, PDFs;
- prose: HTML only, ~28 KB pages of varied prose with 5 images each (the least markup per byte).
A ~128 MB unit is written once and repeated (gzip members concatenate), so a 1 GB file takes
seconds to make once the unit exists. Each file is scanned by the real CLI: on the default
LocalCluster (2 worker processes; a large file is split into byte ranges the workers share) and,
with --modes in-process, in one process. Prints MB/s of file bytes and of uncompressed bytes,
pages/s, CPU seconds of the CLI and all its processes (MB per CPU-second is the per-core figure)
and the peak RSS of the largest single process. Beside each kind, in this process, the floors
a scan cannot go below: the reader alone (fairclaim.discovery.warc.iter_warc: records inflated,
checked and handed out, nothing extracted) and libxml2's parse of the pages alone, per core.

    .venv/bin/python bench/discovery_warc.py [--kinds capture crawl prose] [--sizes-mb 256 1024]
        [--modes dask in-process]
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ccshaped import write_cc_unit
from photos import PHOTOS
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

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


def write_unit(path: Path, target_bytes: int, kind: str) -> None:
    if kind == "crawl":
        write_cc_unit(path, target_bytes)
        return
    with_images = kind == "capture"
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


FAIRCLAIM = str(Path(sys.executable).with_name("fairclaim"))


def build_warc(path: Path, size_mb: int, kind: str, unit: Path) -> int:
    """Writes `path` as whole copies of `unit` (made first if missing); returns its uncompressed
    size in bytes."""
    if not unit.exists():
        write_unit(unit, min(size_mb, UNIT_MB) * 1_000_000, kind)
    unit_raw = 0
    with gzip.open(unit, "rb") as src:
        while chunk := src.read(1 << 20):
            unit_raw += len(chunk)
    copies = 0
    with open(path, "wb") as out:
        while out.tell() < size_mb * 1_000_000:
            with open(unit, "rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)
            copies += 1
    return unit_raw * copies


def measure(path: Path, mode: str) -> dict:
    """One `fairclaim scan` of `path` in a fresh process tree: wall, CPU of all its processes
    (RUSAGE_CHILDREN: Dask's nannies wait for their workers), largest peak RSS, counts."""
    out = path.with_suffix(".jsonl")
    extra = ["--in-process"] if mode == "in-process" else []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [FAIRCLAIM, "scan", "--warc", str(path), "--out", str(out), "--no-progress", *extra],
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out.unlink()
    return {
        "mb": path.stat().st_size / 1e6,
        "wall": wall,
        "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "peak_rss_mb": after.ru_maxrss / 1024,
        **json.loads(done.stderr.rsplit("fairclaim scan: ", 1)[1]),
    }


def report(label: str, r: dict, raw_mb: float) -> None:
    print(f"{label}: {r['mb']:.0f} MB ({raw_mb:.0f} MB uncompressed), {r['pages']} pages, "
          f"{r['sightings']} sightings, errors {r['errors']}")  # fmt: skip
    print(f"  wall {r['wall']:.1f} s = {r['mb'] / r['wall']:.1f} MB/s "
          f"({raw_mb / r['wall']:.0f} MB/s uncompressed), {r['pages'] / r['wall']:.0f} pages/s"
          f" | CPU {r['cpu']:.1f} s = {r['mb'] / r['cpu']:.1f} MB per CPU-second, "
          f"{r['pages'] / r['cpu']:.0f} pages per CPU-second "
          f"| peak RSS {r['peak_rss_mb']:.0f} MB")  # fmt: skip


def floors(unit: Path) -> str:
    """Per-core MB/s of file bytes for the reader alone and for parsing the pages alone (the
    parse is timed page by page on a second read, so no page is held)."""
    import lxml.etree

    from fairclaim.discovery.context import decode_html
    from fairclaim.discovery.warc import iter_warc

    mb = unit.stat().st_size / 1e6
    started = time.process_time()
    pages = sum(1 for p in iter_warc(unit) if p.kind == "page")
    reading = time.process_time() - started
    parsing = 0.0
    for page in iter_warc(unit):
        if page.kind == "page":
            started = time.process_time()
            text = decode_html(page.body, page.content_type)
            lxml.etree.fromstring(text, lxml.etree.HTMLParser())
            parsing += time.process_time() - started
    return (f"  floors per core, on the {mb:.0f} MB unit: reader alone {mb / reading:.1f} MB/s "
            f"({pages / reading:.0f} pages/s), decoding + parsing the pages alone "
            f"{mb / parsing:.1f} MB/s ({pages / parsing:.0f} pages/s)")  # fmt: skip


KIND_LABELS = {
    "capture": "capture WARC (pages + images)",
    "crawl": "Common Crawl-shaped WARC (HTML only)",
    "prose": "prose-page WARC (HTML only)",
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kinds", nargs="+", default=list(KIND_LABELS), choices=KIND_LABELS)
    parser.add_argument("--sizes-mb", type=int, nargs="+", default=[256, 1024])
    parser.add_argument("--modes", nargs="+", default=["dask"], choices=["dask", "in-process"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fairclaim-warc-bench-", dir="/tmp") as tmp:
        folder = Path(tmp)
        for kind in args.kinds:
            unit = folder / f"unit-{kind}.warc.gz"
            for size in args.sizes_mb:
                path = folder / f"{size}.warc.gz"
                raw = build_warc(path, size, kind, unit) / 1e6
                for mode in args.modes:
                    report(f"{KIND_LABELS[kind]} {size} MB, {mode}", measure(path, mode), raw)
                path.unlink()
            print(floors(unit), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
