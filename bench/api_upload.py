"""Bulk work upload through the API beside the web upload form: registered works per second.

Seeds a fresh SQLite database (in a temporary FAIRCLAIM_DATA_DIR) with a rights holder, a member
and an API key, serves the app with gunicorn on 127.0.0.1, and registers distinct generated
photos three ways in the same run:

- web: the upload form (signed-in session, CSRF), BATCH photos per POST — the baseline;
- api batch: POST /api/v1/works/ with BATCH files per request and an Idempotency-Key;
- api single: one photo per request (what a DAM hook sends as photos arrive).

Only registration is timed (hash, checks, metadata, storage, rows); fingerprints are made later by
the worker, which is not started. Clients send from one thread, in order, like a sync job.

    nice -n 15 .venv/bin/python bench/api_upload.py [--photos 120] [--batch 20] [--workers 2]
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import numpy as np
import requests
from PIL import Image

SEED = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", "--no-input", verbosity=0)
from fairclaim.accounts.models import Organisation, User
from fairclaim.api.keys import do_issue_key
org = Organisation.objects.create(name="Bench Agency", slug="bench", kind="rights_holder")
user = User.objects.create_user("bench", password="bench-password-123", organisation=org)
print(do_issue_key(user, "bench", ["read", "works:write"])[1])
"""
PASSWORD = "bench-password-123"  # noqa: S105 - a throw-away account in a temporary database


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def photos(count: int, start: int, size=(1600, 1200)) -> list[tuple[str, bytes]]:
    """Distinct photo-like JPEGs (~300-400 KB, like a web-sized agency export)."""
    out = []
    y, x = np.mgrid[0 : size[1], 0 : size[0]]
    for n in range(start, start + count):
        rng = np.random.default_rng(n)
        base = np.stack([(x * (1 + n % 3)) % 256, (y * 2 + n) % 256, (x + y) % 256], axis=-1)
        pixels = np.clip(base + rng.integers(0, 40, size=base.shape), 0, 255).astype("uint8")
        buf = io.BytesIO()
        Image.fromarray(pixels).save(buf, "JPEG", quality=85)
        out.append((f"bench-{n}.jpg", buf.getvalue()))
    return out


def batches(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def count_works(base: str, key: str) -> int:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"
    count, url = 0, f"{base}/api/v1/works/?page_size=500"
    while url:
        page = session.get(url, timeout=60).json()
        count, url = count + len(page["results"]), page["next"]
    return count


def web_upload(base: str, items, batch: int) -> int:
    session = requests.Session()
    login = session.get(f"{base}/accounts/login/", timeout=30).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login).group(1)
    session.post(
        f"{base}/accounts/login/",
        data={"username": "bench", "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=30,
    )
    registered = 0
    for chunk in batches(items, batch):
        form = session.get(f"{base}/works/upload/", timeout=30).text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        response = session.post(
            f"{base}/works/upload/",
            data={"csrfmiddlewaretoken": token},
            files=[("photos", item) for item in chunk],
            headers={"Referer": f"{base}/works/upload/"},
            timeout=300,
            allow_redirects=False,  # the list page it redirects to is not part of registering
        )
        response.raise_for_status()
        registered += len(chunk)
    return registered


def api_upload(base: str, key: str, items, batch: int) -> int:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"
    registered = 0
    for chunk in batches(items, batch):
        response = session.post(
            f"{base}/api/v1/works/",
            files=[("files", item) for item in chunk],
            headers={"Idempotency-Key": str(uuid.uuid4())},
            timeout=300,
        )
        response.raise_for_status()
        registered += len(response.json()["registered"])
    return registered


def timed(label: str, count: int, run) -> float:
    started = time.perf_counter()
    registered = run()
    seconds = time.perf_counter() - started
    rate = registered / seconds
    print(f"{label:34} {registered:4d}/{count} works in {seconds:6.2f} s = {rate:6.1f} works/s")
    if registered != count:
        print(f"  ! {count - registered} not registered", file=sys.stderr)
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", type=int, default=120, help="photos per way of uploading")
    parser.add_argument("--batch", type=int, default=20, help="photos per request (batched)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="fairclaim-bench-api-")
    env = {
        **os.environ,
        "FAIRCLAIM_DATA_DIR": data,
        "DJANGO_SETTINGS_MODULE": "fairclaim.settings",
        "FAIRCLAIM_DEBUG": "0",
        "FAIRCLAIM_LOG_LEVEL": "WARNING",
        "FAIRCLAIM_API_RATE_PER_MINUTE": "1000000",
    }
    key = subprocess.run(
        [sys.executable, "-c", SEED], env=env, capture_output=True, text=True, check=True
    ).stdout.split()[-1]
    sets = [photos(args.photos, start) for start in (0, 10_000, 20_000)]
    size = sum(len(d) for _, d in sets[0]) / len(sets[0]) / 1024
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "fairclaim.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers), "--timeout", "300",
         "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                requests.get(f"{base}/accounts/login/", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.1)
        print(
            f"cores: {os.cpu_count()}, gunicorn workers: {args.workers}, "
            f"{args.photos} photos per way, {size:.0f} KB each, batch {args.batch}"
        )
        web = timed(f"web form, {args.batch} per POST (baseline)", args.photos,
                    lambda: web_upload(base, sets[0], args.batch))  # fmt: skip
        if count_works(base, key) != args.photos:
            print("  ! the web form did not register every photo", file=sys.stderr)
        batch = timed(f"API, {args.batch} per request", args.photos,
                      lambda: api_upload(base, key, sets[1], args.batch))  # fmt: skip
        single = timed("API, 1 per request", args.photos,
                       lambda: api_upload(base, key, sets[2], 1))  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)
    print(f"API batch / web: {batch / web:.2f}   API single / web: {single / web:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
