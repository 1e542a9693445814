"""Benchmark: capture cost (wall and CPU, browser included), bundle size, and verify cost.

Serves a page showing real photos from the demo's photo folder on 127.0.0.1, captures it N times
in one Chromium session, then verifies each bundle. CPU time of the whole process tree (Python,
Playwright's driver, every Chromium process) comes from getrusage(RUSAGE_CHILDREN) after a worker
subprocess exits; a worker that only launches and closes Chromium gives the fixed cost, which is
subtracted. CPU seconds are a fair figure on a shared machine where wall time is not.

    .venv/bin/python bench/evidence_capture.py [--captures 5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from photos import PHOTOS

PHOTOS_ON_PAGE = 6  # a typical article: one infringing photo among a few others


def serve(directory: Path) -> tuple[ThreadingHTTPServer, str]:
    handler = type(
        "Handler",
        (SimpleHTTPRequestHandler,),
        {
            "log_message": lambda *a: None,
            "__init__": lambda self, *a, **k: SimpleHTTPRequestHandler.__init__(
                self, *a, directory=str(directory), **k
            ),
        },
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def worker(captures: int, out_dir: Path) -> None:
    """Runs in a subprocess: launch Chromium, capture `captures` times, print timings as JSON."""
    from fairclaim.evidence.capture import CaptureSession
    from fairclaim.evidence.keys import Signer

    photos = sorted(PHOTOS.glob("*.jpg"))[:PHOTOS_ON_PAGE]
    site = out_dir / "site"
    site.mkdir(parents=True, exist_ok=True)
    tags = []
    for photo in photos:
        (site / photo.name).write_bytes(photo.read_bytes())
        tags.append(f'<p>Paragraph about {photo.stem}.</p><img src="/{photo.name}" width="600">')
    (site / "article.html").write_text(
        "<!doctype html><title>Article</title><h1>Article</h1>" + "".join(tags)
    )
    server, base = serve(site)
    signer = Signer.from_path(out_dir / "key.pem")
    walls = []
    with CaptureSession() as session:
        for number in range(captures):
            start = time.perf_counter()
            session.capture(
                base + "/article.html",
                f"{base}/{photos[-1].name}",
                out_path=out_dir / f"bundle-{number}.wacz",
                signer=signer,
                allow_loopback=True,
            )
            walls.append(time.perf_counter() - start)
    server.shutdown()
    print(json.dumps({"walls": walls}))


def run_worker(captures: int, out_dir: Path) -> tuple[dict, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    output = subprocess.run(
        [sys.executable, __file__, "--worker", str(captures), "--out", str(out_dir)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return json.loads(output.strip().splitlines()[-1]), cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--captures", type=int, default=5)
    parser.add_argument("--worker", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--out", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        worker(args.worker, Path(args.out))
        return

    from fairclaim.evidence.verify import verify_bundle

    with tempfile.TemporaryDirectory() as temp:
        _, launch_cpu = run_worker(0, Path(temp) / "launch-only")
        timings, total_cpu = run_worker(args.captures, Path(temp))
        bundles = sorted(Path(temp).glob("bundle-*.wacz"))
        verify_cpu = []
        for bundle in bundles:
            start = time.process_time()
            assert verify_bundle(bundle).ok
            verify_cpu.append(time.process_time() - start)
        sizes = [bundle.stat().st_size for bundle in bundles]
    walls = timings["walls"]
    per_capture_cpu = (total_cpu - launch_cpu) / args.captures
    print(f"machine: {os.cpu_count()} cores, shared; page: {PHOTOS_ON_PAGE} real photos")
    print(f"browser launch + close, CPU (whole tree): {launch_cpu:.2f} s")
    print(f"capture, CPU per capture (whole tree, launch subtracted): {per_capture_cpu:.2f} s")
    print(f"capture, wall per capture: median {sorted(walls)[len(walls) // 2]:.2f} s, "
          f"first {walls[0]:.2f} s")  # fmt: skip
    print(f"bundle size: median {sorted(sizes)[len(sizes) // 2] / 1e6:.2f} MB")
    print(
        f"verify, CPU per bundle (this process): {sum(verify_cpu) / len(verify_cpu) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
