"""Portal evidence page under load: requests/s and latency percentiles with wrk on loopback.

Seeds a fresh SQLite database (in a temporary FAIRCLAIM_DATA_DIR) with one case addressed to a
recipient, starts `fairclaim serve` (gunicorn) on 127.0.0.1, opens the portal with the case's
reference and access code to get a session, then drives GET /portal/<reference>/ with wrk.
A baseline in the same run: the static public-key endpoint, which does no database work.

Target (issue 8): >= 200 req/s and p99 <= 150 ms on 2 cores.

    .venv/bin/python bench/portal_load.py [--seconds 15] [--connections 16] [--workers 3]

Needs Debian's `wrk` (apt-get install wrk).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


SEED = """
import django, os
django.setup()
from django.core.management import call_command
call_command("migrate", "--no-input", verbosity=0)
from django.utils import timezone
from fairclaim.accounts.models import Organisation
from fairclaim.cases.models import Case, CaseLine
from fairclaim.monitoring.models import Match, Sighting
from fairclaim.cases.access_codes import new_access_code
from fairclaim.works.actions import do_process_work, do_register_image, upload_limits
from fairclaim.works.intake import check_image
from PIL import Image
import io
buf = io.BytesIO(); Image.radial_gradient("L").convert("RGB").resize((800, 600)).save(buf, "JPEG")
org = Organisation.objects.create(name="Bench Photo", slug="bench", kind="rights_holder")
work = do_register_image(org, None, check_image("b.jpg", buf.getvalue(), upload_limits()))
do_process_work(work.pk)
now = timezone.now()
s = Sighting.objects.create(organisation=org, source="crawl", page_url="https://r.example/p",
    image_url="https://r.example/i.jpg", page_domain="r.example", first_seen=now, last_seen=now)
m = Match.objects.create(work=work, sighting=s, score=0.97, inliers=120)
case = Case.objects.create(rights_holder=org, jurisdiction="DE", recipient_domain="r.example",
    recipient_country="DE", state="notice_sent")
CaseLine.objects.create(case=case, work=work, match=m)
print(case.reference, new_access_code(case))
"""


def run_wrk(url: str, seconds: int, connections: int, cookie: str = "") -> dict:
    argv = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if cookie:
        argv[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for pct in ("50", "90", "99"):
        value, unit = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out).groups()
        figures[f"p{pct}_ms"] = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    figures["errors"] = int(non2xx.group(1)) if non2xx else 0
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    data = tempfile.mkdtemp(prefix="fairclaim-bench-")
    env = {
        **os.environ,
        "FAIRCLAIM_DATA_DIR": data,
        "DJANGO_SETTINGS_MODULE": "fairclaim.settings",
        "FAIRCLAIM_DEBUG": "0",
        "FAIRCLAIM_LOG_LEVEL": "WARNING",
    }
    seeded = subprocess.run(
        [sys.executable, "-c", SEED], env=env, capture_output=True, text=True, check=True
    )
    reference, code = seeded.stdout.split()[-2:]
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "fairclaim.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/portal/", timeout=1)  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.1)
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.open(f"{base}/portal/")
        csrf = next(c.value for c in jar if c.name == "csrftoken")
        form = urllib.parse.urlencode(
            {"reference": reference, "code": code, "csrfmiddlewaretoken": csrf}
        ).encode()
        login = urllib.request.Request(  # noqa: S310 - loopback, http only
            f"{base}/portal/", data=form, headers={"Referer": f"{base}/portal/"}
        )
        opener.open(login)
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
        page = f"{base}/portal/{reference}/"
        assert reference in opener.open(page).read().decode(), "portal session did not open"
        run_wrk(page, 3, args.connections, cookie)  # warm-up
        baseline = run_wrk(
            f"{base}/.well-known/fairclaim-signing-key", args.seconds, args.connections
        )
        portal = run_wrk(page, args.seconds, args.connections, cookie)
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)
    print(
        f"cores: {os.cpu_count()}, gunicorn workers: {args.workers}, "
        f"wrk: 2 threads, {args.connections} connections, {args.seconds} s each"
    )
    for name, figures in (
        ("baseline /.well-known key", baseline),
        ("portal evidence page", portal),
    ):
        print(
            f"{name:28} {figures['rps']:8.1f} req/s   p50 {figures['p50_ms']:6.1f} ms   "
            f"p90 {figures['p90_ms']:6.1f} ms   p99 {figures['p99_ms']:6.1f} ms   "
            f"non-2xx {figures['errors']}"
        )
    print(f"portal / baseline throughput: {portal['rps'] / baseline['rps']:.2f}")
    ok = portal["rps"] >= 200 and portal["p99_ms"] <= 150 and portal["errors"] == 0
    print("target (>= 200 req/s, p99 <= 150 ms):", "met" if ok else "NOT met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
