"""Check that a bundle replays in ReplayWeb.page (the standard WACZ viewer) and time it.

ReplayWeb.page is an npm package; fetch it once with the ordinary client, outside the repository:

    cd /tmp && npm pack replaywebpage@2.5.3 && tar xzf replaywebpage-2.5.3.tgz
    .venv/bin/python bench/evidence_replay.py --replaywebpage /tmp/package BUNDLE.wacz

The script serves ReplayWeb.page's embed (ui.js + its service worker) and the bundle on
127.0.0.1, opens the bundle's main page in Debian's Chromium, and waits until the archived page
shows inside the replay frame with its images decoded. It prints whether it replayed and how long
replay took (wall time: the replay runs in the browser's own processes).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import threading
import time
import zipfile
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPLAY_WAIT_SECONDS = 30.0  # first replay unpacks the service worker and reads the index


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--replaywebpage", required=True, help="unpacked replaywebpage npm package")
    parser.add_argument("bundle")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from fairclaim.evidence.capture import CHROMIUM_ARGS, CHROMIUM_PATH

    with zipfile.ZipFile(args.bundle) as archive:
        page_url = json.loads(archive.read("pages/pages.jsonl").splitlines()[1])["url"]
        title = json.loads(archive.read("fairclaim/manifest.json"))["page"]["title"]
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        (root / "replay").mkdir()
        shutil.copy(Path(args.replaywebpage) / "ui.js", root / "ui.js")
        shutil.copy(Path(args.replaywebpage) / "sw.js", root / "replay" / "sw.js")
        shutil.copy(args.bundle, root / "bundle.wacz")
        (root / "embed.html").write_text(
            '<!doctype html><html><head><script src="./ui.js"></script></head><body>'
            f'<replay-web-page style="display:block;height:700px" source="/bundle.wacz" '
            f'url="{page_url}" replayBase="/replay/"></replay-web-page></body></html>'
        )
        handler = type(
            "Handler",
            (SimpleHTTPRequestHandler,),
            {
                "log_message": lambda *a: None,
                "__init__": lambda self, *a, **k: SimpleHTTPRequestHandler.__init__(
                    self, *a, directory=temp, **k
                ),
            },
        )
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
            page = browser.new_page()
            start = time.perf_counter()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/embed.html")
            replayed = None
            while replayed is None and time.perf_counter() - start < REPLAY_WAIT_SECONDS:
                page.wait_for_timeout(250)  # lets Playwright process frame events
                for frame in page.frames:
                    if "/replay/w/" not in frame.url:
                        continue
                    try:
                        state = frame.evaluate(
                            "({title: document.title, loaded: [...document.images]"
                            ".every((i) => i.complete), images: [...document.images]"
                            ".map((i) => i.naturalWidth)})"
                        )
                    except Exception:  # noqa: S112 - the frame is still loading; poll again
                        continue
                    if state["title"] == title and state["loaded"]:
                        replayed = state
            elapsed = time.perf_counter() - start
            browser.close()
        server.shutdown()
    if replayed is None:
        print(f"NOT replayed within {REPLAY_WAIT_SECONDS:g} s: {page_url}")
        return 1
    print(f"replayed {page_url} in ReplayWeb.page: title {title!r}, {elapsed:.1f} s wall")
    print(f"images decoded in replay (natural widths): {replayed['images']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
