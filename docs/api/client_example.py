"""A small fairclaim API client: upload a folder of photos, then poll for new matches.

    python client_example.py --url https://claims.example.org --key fck_… upload ./photos
    python client_example.py --url https://claims.example.org --key fck_… matches --watch

Needs only `requests`. The key needs the `read` and `works:write` scopes (Account → API keys).
Each batch is sent with an Idempotency-Key, so a batch retried after a network error is
registered once; a 429 answer is waited out for its Retry-After seconds.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import requests

PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".avif", ".zip"}
BATCH_FILES = 20  # files per request: small enough to retry cheaply, large enough to be quick
RETRIES = 5


class FairclaimClient:
    def __init__(self, base_url: str, key: str, session: requests.Session | None = None):
        self.base = base_url.rstrip("/") + "/api/v1"
        self.session = session or requests.Session()
        self.session.headers["Authorization"] = f"Bearer {key}"

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        """One API call, retried on 429 (after Retry-After) and on connection errors/5xx;
        a create keeps its Idempotency-Key across retries, so it happens once."""
        url = path if path.startswith("http") else self.base + path
        for attempt in range(RETRIES):
            try:
                response = self.session.request(method, url, timeout=120, **kwargs)
            except requests.ConnectionError:
                time.sleep(2**attempt)
                continue
            if response.status_code == 429:
                time.sleep(int(response.headers.get("Retry-After", "1")))
                continue
            if response.status_code >= 500:
                time.sleep(2**attempt)
                continue
            return response
        raise RuntimeError(f"{method} {url}: no answer after {RETRIES} tries")

    def upload_folder(self, folder: Path, batch_files: int = BATCH_FILES) -> dict:
        """Register every photo (and zip of photos) under `folder`. Returns
        {"registered": [work, …], "refused": [{"source", "reason"}, …]}."""
        outcome: dict = {"registered": [], "refused": []}
        for batch in batches(sorted(photos_in(folder)), batch_files):
            files = [("files", (path.name, path.read_bytes())) for path in batch]
            headers = {"Idempotency-Key": str(uuid.uuid4())}
            response = self.request("POST", "/works/", files=files, headers=headers)
            body = response.json()
            if response.status_code not in (201, 422):
                raise RuntimeError(f"upload refused: {body.get('detail', body)}")
            outcome["registered"] += body.get("registered", [])
            outcome["refused"] += body.get("refused", [])
        return outcome

    def matches(self, **filters) -> Iterator[dict]:
        """Every match passing `filters` (e.g. status="open", domain="shop.example"), newest
        first, following the cursor pages."""
        url: str | None = "/matches/"
        params = filters
        while url:
            page = self.request("GET", url, params=params).json()
            yield from page["results"]
            url, params = page["next"], None  # the next link carries the filters

    def poll_new_matches(self, seen: set[int], **filters) -> list[dict]:
        """Matches not in `seen` (which is updated): call it on a timer."""
        new = [m for m in self.matches(**filters) if m["id"] not in seen]
        seen.update(m["id"] for m in new)
        return new


def photos_in(folder: Path) -> Iterator[Path]:
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix.lower() in PHOTO_SUFFIXES:
            yield path


def batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the fairclaim address")
    parser.add_argument("--key", required=True, help="an API key (fck_…)")
    commands = parser.add_subparsers(dest="command", required=True)
    upload = commands.add_parser("upload", help="register every photo in a folder")
    upload.add_argument("folder", type=Path)
    watch = commands.add_parser("matches", help="list open matches")
    watch.add_argument("--watch", action="store_true", help="keep polling every --every seconds")
    watch.add_argument("--every", type=float, default=60.0)
    args = parser.parse_args(argv)
    client = FairclaimClient(args.url, args.key)
    if args.command == "upload":
        outcome = client.upload_folder(args.folder)
        for work in outcome["registered"]:
            print(f"registered #{work['id']} {work['original_filename']}")
        for refusal in outcome["refused"]:
            print(f"refused {refusal['source']}: {refusal['reason']}", file=sys.stderr)
        return 0 if outcome["registered"] or not outcome["refused"] else 1
    seen: set[int] = set()
    while True:
        for match in client.poll_new_matches(seen, status="open"):
            sighting = match["sighting"]
            print(f"match #{match['id']}: work {match['work']} on {sighting['page_url']}")
        if not args.watch:
            return 0
        time.sleep(args.every)


if __name__ == "__main__":
    sys.exit(main())
