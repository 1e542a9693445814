"""Web latency while idle keep-alive connections are open: sync workers (the old `fairclaim
serve`) against gthread workers (the current one), measured in the same run.

Browsers and proxies keep connections open between requests. A sync gunicorn worker that has
accepted such a connection waits on it (up to its timeout, 30 s) and serves nobody else, so a few
idle connections stall every page; a gthread worker parks them in its poller. For each worker
class this starts gunicorn on 127.0.0.1 with a fresh SQLite database, opens `--idle` connections
that send nothing, then sends `--requests` GETs of the portal's entry page from `--concurrency`
threads (each request on a new connection, with a 35 s timeout) and prints p50/p90/p99/max and
how many requests timed out.

    .venv/bin/python bench/idle_connections.py [--workers 2] [--idle 4] [--requests 200]
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def one_request(port: int) -> float | None:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=35)
    try:
        connection.request("GET", "/portal/")
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            return None
    except OSError:
        return None
    finally:
        connection.close()
    return time.perf_counter() - started


def run(worker_class: str, args, env) -> dict:
    port = free_port()
    argv = [
        sys.executable, "-m", "gunicorn", "fairclaim.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
        "--worker-class", worker_class, "--threads", str(args.threads), "--no-control-socket",
    ]  # fmt: skip
    server = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    idle: list[socket.socket] = []
    try:
        deadline = time.monotonic() + 60
        while one_request(port) is None:
            if time.monotonic() > deadline:
                raise SystemExit(f"{worker_class}: gunicorn did not start")
            time.sleep(0.3)
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(args.idle)]
        time.sleep(0.5)
        with ThreadPoolExecutor(args.concurrency) as pool:
            results = list(pool.map(lambda _: one_request(port), range(args.requests)))
    finally:
        for sock in idle:
            sock.close()
        server.terminate()
        server.wait(timeout=30)
    times = sorted(t for t in results if t is not None)
    quantiles = statistics.quantiles(times, n=100) if len(times) > 1 else [0.0] * 99
    return {
        "p50": quantiles[49], "p90": quantiles[89], "p99": quantiles[98],
        "max": times[-1] if times else 0.0, "failed": len(results) - len(times),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8, help="gthread threads per worker")
    parser.add_argument("--idle", type=int, default=4, help="idle keep-alive connections")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fairclaim-bench-") as data:
        env = {**os.environ, "FAIRCLAIM_DATA_DIR": data,
               "DJANGO_SETTINGS_MODULE": "fairclaim.settings"}  # fmt: skip
        env.pop("DATABASE_URL", None)
        subprocess.run([sys.executable, "-m", "fairclaim.cli", "manage", "migrate", "-v", "0"],
                       env=env, check=True)  # fmt: skip
        print(f"{args.requests} GET /portal/ from {args.concurrency} threads, "
              f"{args.idle} idle connections, {args.workers} workers")  # fmt: skip
        print(f"{'worker class':<26}{'p50':>8}{'p90':>8}{'p99':>8}{'max':>8}{'failed':>8}")
        for label, worker_class in (("sync (baseline, old)", "sync"), ("gthread (now)", "gthread")):
            r = run(worker_class, args, env)
            print(f"{label:<26}{r['p50']:>8.3f}{r['p90']:>8.3f}{r['p99']:>8.3f}"
                  f"{r['max']:>8.3f}{r['failed']:>8}")  # fmt: skip


if __name__ == "__main__":
    main()
