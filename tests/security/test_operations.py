"""A production that runs for months (issue 16 items 11 and 12): idle connections cannot starve
the web server, health and readiness endpoints, Prometheus metrics, JSON logs."""

from __future__ import annotations

import http.client
import json
import logging
import os
import socket
import subprocess
import sys
import time

import pytest
from django.urls import reverse

from fairclaim.logs import JsonFormatter


def test_health_and_readiness(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "database": "ok", "migrations": "ok"}


def test_metrics_show_latency_queue_and_outbox_to_the_host_only(client, settings, db):
    client.get(reverse("portal:enter"))
    page = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert 'fairclaim_http_request_duration_seconds_count{status="2xx",view="portal:enter"}' in page
    assert "fairclaim_task_queue_oldest_seconds" in page
    assert "fairclaim_tasks" in page
    assert "fairclaim_notices_outbox" in page
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    proxied = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert proxied.status_code == 404
    settings.FAIRCLAIM_METRICS_TOKEN = "scrape-token-123"
    token = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer scrape-token-123"
    )
    assert token.status_code == 200


def test_json_logs_carry_message_level_and_extra_fields():
    record = logging.makeLogRecord(
        {"name": "fairclaim.x", "levelname": "WARNING", "msg": "sent %s", "args": ("FC-1",),
         "case": "FC-1"}
    )  # fmt: skip
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "sent FC-1"
    assert line["level"] == "WARNING"
    assert line["case"] == "FC-1"
    assert line["time"].endswith("Z")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.timeout(180)
def test_idle_keep_alive_connections_do_not_starve_the_web_server(tmp_path):
    env = {**os.environ, "FAIRCLAIM_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "fairclaim.cli", "manage", "migrate", "-v", "0"],
                   env=env, check=True, timeout=120)  # fmt: skip
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "fairclaim.cli", "serve", "--host", "127.0.0.1",
         "--port", str(port), "--workers", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    idle: list[socket.socket] = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "fairclaim serve did not start"
                time.sleep(0.2)
        for _ in range(6):  # three times the worker processes: each would hold a sync worker
            idle.append(socket.create_connection(("127.0.0.1", port)))
        time.sleep(0.5)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", "/healthz")
            status = connection.getresponse().status
        finally:
            connection.close()
        assert status == 200  # answered, not stuck behind the idle sockets
    finally:
        for sock in idle:
            sock.close()
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.timeout(180)
def test_serve_takes_its_documented_bind_workers_and_threads(tmp_path):
    from pathlib import Path

    usage = subprocess.run([sys.executable, "-m", "fairclaim.cli", "serve", "--help"],
                           capture_output=True, text=True, timeout=60).stdout  # fmt: skip
    for option in ("--host", "--port", "--workers", "--threads"):
        assert option in usage
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "fairclaim serve [--host H] [--port P] [--workers N] [--threads T]" in readme
    home = tmp_path / "home"  # gunicorn's default control socket would be ~/.gunicorn/
    home.mkdir()
    env = {**os.environ, "FAIRCLAIM_DATA_DIR": str(tmp_path), "HOME": str(home)}
    env.pop("DATABASE_URL", None)
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", "fairclaim.cli", "serve", "--host", "127.0.0.1", "--port",
             str(port), "--workers", "3", "--threads", "2"],
            env=env, stdout=subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while log.read_text().count("Booting worker") < 3:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        finally:
            server.terminate()
            server.wait(timeout=30)
    started = log.read_text()
    assert f"Listening at: http://127.0.0.1:{port}" in started
    assert "Using worker: gthread" in started
    assert started.count("Booting worker") == 3
    # No control socket: a second instance on the host would replace it and delete it on exit.
    assert not list(home.rglob("*.ctl"))
