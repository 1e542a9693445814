"""A worker killed in the middle of any task kind loses nothing and does nothing twice (issue 16
item 8 and "Done when": a kill test per task kind).

For each kind the product's own `fairclaim worker` runs one queued task on a throw-away data
directory. The task reaches a real server on 127.0.0.1 (the recipient's page or image, an SMTP
relay, a webhook receiver, a time-stamping authority, a TinEye stand-in), and that server kills
the worker's whole process group with SIGKILL the moment the request arrives: mid-task, with
the work claimed and nothing recorded. Then, as in production, the scheduler (after the task's
lease) fails the task visibly and queues it again, and a new worker runs what is queued. The
task's effect must exist exactly once, the killed run must be recorded as FAILED with the lease
reason, and nothing may be left RUNNING or queued. (Photo processing has its own kill test, with
no server to stop at, in test_task_leases.py.)
"""

from __future__ import annotations

import contextlib
import email
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from email import policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.evidence.local_tsa import LocalTSA
from tests.images import photo_bytes
from tests.security.kill_world import PAGE, PHOTO_SEED
from tests.webserver import free_port

REPO = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 2
TINEYE_KEY = "tineye-test-key"


class Trap:
    """Kills the worker's process group on the first request it is armed for."""

    def __init__(self, armed_for: str):
        self.armed_for = armed_for  # a path prefix, or "smtp"
        self.pgid: int | None = None
        self.sprung = threading.Event()

    def spring(self, what: str) -> bool:
        if self.sprung.is_set() or not what.startswith(self.armed_for):
            return False
        deadline = time.monotonic() + 30
        while self.pgid is None and time.monotonic() < deadline:
            time.sleep(0.05)
        self.sprung.set()
        os.killpg(self.pgid, signal.SIGKILL)
        return True


def tineye_answer(base: str) -> bytes:
    match = {
        "image_url": f"{base}/i/1.jpg", "domain": "laden.example", "score": 88.2,
        "width": 900, "height": 600, "size": 540000, "format": "JPEG", "filesize": 91234,
        "overlay": "overlay/abc/def", "tags": [],
        "backlinks": [{"url": f"{base}/i/1.jpg", "backlink": f"{base}/p/1",
                       "crawl_date": "2026-09-14", "image_name": "1.jpg"}],
    }  # fmt: skip
    stats = {"timestamp": "1700000000.00", "query_time": "0.42", "total_backlinks": 1,
             "total_results": 1, "total_stock": 0, "total_collection": 0,
             "total_filtered_results": 1}  # fmt: skip
    answer = {"stats": stats, "code": 200, "messages": [], "results": {"matches": [match]}}
    return json.dumps(answer).encode()


class Services:
    """The recipient's site, a TSA, a webhook receiver and TinEye, on one loopback server."""

    def __init__(self, trap: Trap):
        self.trap = trap
        self.hooks: list[bytes] = []
        tsa = LocalTSA()
        photo = photo_bytes(PHOTO_SEED)
        services = self

        class Handler(BaseHTTPRequestHandler):
            def parse_request(self):
                if not super().parse_request():
                    return False
                if services.trap.spring(self.path):
                    self.close_connection = True
                    return False  # no answer: the worker that asked is dead
                return True

            def answer(self, kind: str, body: bytes, status: int = 200):
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                path = self.path.split("?", 1)[0]
                if path == "/p/1":
                    return self.answer("text/html", PAGE)
                if path == "/i/1.jpg":
                    return self.answer("image/jpeg", photo)
                self.answer("text/plain", b"not found", 404)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == "/tsa":
                    return self.answer("application/timestamp-reply", tsa.respond(body))
                if self.path == "/hook":
                    services.hooks.append(body)
                    return self.answer("text/plain", b"ok")
                if self.path.startswith("/rest/search/"):
                    assert self.headers.get("x-api-key") == TINEYE_KEY
                    return self.answer("application/json", tineye_answer(services.base))
                self.answer("text/plain", b"not found", 404)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Relay:
    """An SMTP relay keeping what it accepted; a message whose sender it killed is not accepted."""

    def __init__(self, trap: Trap):
        self.trap = trap
        self.accepted: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        if self.trap.spring("smtp"):
            return "451 4.3.0 the sender died before this was accepted"
        self.accepted.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


# kind: (where the worker is stopped, what the task did, exactly once, after the restart)
KINDS = {
    "capture_case_evidence": ("/p/1", {"captured": 1, "events": 1}),
    "send_notice": ("smtp", {"status": "sent", "events": 1}),
    "issue_settlement": (
        "/tsa",
        {"issued": ["certificate", "release"], "events": 1, "licences": 1},
    ),
    "send_notification": ("smtp", {"statuses": ["sent"], "events": 1}),
    "deliver_webhook": ("/hook", {"status": "delivered", "attempts": 1}),
    "scan_watch_list": ("/p/1", {"sightings": 1, "scanned": True}),
    "scan_submitted_page": ("/p/1", {"sightings": 1}),
    "check_submitted_page": ("/p/1", {"status": "done", "found": 1, "sightings": 1}),
    "match_sighting": ("/i/1.jpg", {"matches": 1}),
    "search_providers": ("/rest/search/", {"sightings": 1}),
}
MAILS = {"send_notice": 1, "send_notification": 1}  # accepted by the relay, counted there


def _rows(database: Path, sql: str):
    with sqlite3.connect(database, timeout=30) as connection:
        return connection.execute(sql).fetchall()


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """One migrated database, copied for each kind (migrating takes longer than most kills)."""
    folder = tmp_path_factory.mktemp("migrated")
    env = {**os.environ, "FAIRCLAIM_DATA_DIR": str(folder)}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "fairclaim.cli", "manage", "migrate", "-v", "0"],
                   env=env, cwd=REPO, check=True, timeout=300)  # fmt: skip
    return folder / "fairclaim.sqlite3"


@pytest.mark.timeout(300)
@pytest.mark.parametrize("kind", list(KINDS))
def test_a_worker_killed_mid_task_loses_nothing_and_repeats_nothing(kind, migrated, tmp_path):
    stop_at, effect = KINDS[kind]
    database = tmp_path / "fairclaim.sqlite3"
    database.write_bytes(migrated.read_bytes())
    trap = Trap(armed_for="\0")  # disarmed while the world is built
    services, relay = Services(trap), Relay(trap)
    smtp = Controller(relay, hostname="127.0.0.1", port=free_port())
    smtp.start()
    env = {
        **os.environ,
        "FAIRCLAIM_DATA_DIR": str(tmp_path),
        "FAIRCLAIM_TASK_LEASE_SECONDS": str(LEASE_SECONDS),
        "FAIRCLAIM_ALLOW_LOOPBACK": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "FAIRCLAIM_TSA_URL": f"{services.base}/tsa",
        "FAIRCLAIM_TINEYE_API_KEY": TINEYE_KEY,
        "FAIRCLAIM_TINEYE_URL": services.base,
    }
    for name in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)

    def run(*argv):
        done = subprocess.run([sys.executable, *argv], env=env, cwd=REPO, capture_output=True,
                              text=True, timeout=240)  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    worker = None
    try:
        run("-m", "tests.security.kill_world", "setup", kind, services.base)
        trap.armed_for = stop_at
        worker = subprocess.Popen(
            [sys.executable, "-m", "fairclaim.cli", "worker", "--interval", "0.1"],
            env=env, cwd=REPO, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        trap.pgid = worker.pid
        assert trap.sprung.wait(180), f"the {kind} task never reached {stop_at}"
        worker.wait(30)
        running = "select task_path from django_tasks_database_dbtaskresult where status='RUNNING'"
        [(task_path,)] = _rows(database, running)
        assert task_path.rsplit(".", 1)[1] == kind

        time.sleep(LEASE_SECONDS + 0.5)
        run("-m", "fairclaim.cli", "scheduler", "--once")
        run("-m", "fairclaim.cli", "worker", "--batch")

        assert json.loads(run("-m", "tests.security.kill_world", "show", kind)) == effect
        assert len(relay.accepted) == MAILS.get(kind, len(relay.accepted))
        if kind == "deliver_webhook":
            assert len(services.hooks) == 1
        runs = [
            (status, exception)
            for path, status, exception in _rows(
                database,
                "select task_path, status, exception_class_path "
                "from django_tasks_database_dbtaskresult order by enqueued_at",
            )
            if path == task_path
        ]
        assert runs[0] == ("FAILED", "fairclaim.task_leases.LeaseExpired")
        assert {status for status, _ in runs[1:]} == {"SUCCESSFUL"}
        left = "select count(*) from django_tasks_database_dbtaskresult where status in "
        assert _rows(database, left + "('RUNNING', 'READY')") == [(0,)]
    finally:
        if worker is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(30)
        smtp.stop()
        services.close()
