"""A worker killed mid-task loses nothing and does nothing twice (issue 16 item 8).

The kill test runs the product's own processes on a throw-away data directory: a real worker is
killed with SIGKILL while it processes a photo, the scheduler (after the task's lease) fails the
task visibly and queues it again, a new worker finishes everything. The lease mechanism is then
checked for every task kind, and the "failed, retry" path for a work.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from fairclaim.task_leases import LEASE_EXPIRED, MAX_ATTEMPTS, recover_stale_tasks
from fairclaim.works.models import Work
from tests.cast import PASSWORD, sign_in

LEASE_SECONDS = 2
SETUP = """
import io
import numpy as np
from PIL import Image
from fairclaim.accounts.models import Organisation
from fairclaim.works.actions import do_register_image, upload_limits
from fairclaim.works.intake import check_image
org = Organisation.objects.create(name="Kill test", slug="kill", kind="rights_holder")
for seed in range(3):
    small = np.random.default_rng(seed).integers(0, 255, (750, 1000, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(np.kron(small, np.ones((6, 6, 1), dtype=np.uint8))).save(out, "JPEG")
    do_register_image(org, None, check_image(f"big-{seed}.jpg", out.getvalue(), upload_limits()))
"""


def _fairclaim(env, *argv, **options):
    return subprocess.run(
        [sys.executable, "-m", "fairclaim.cli", *argv],
        env=env, capture_output=True, text=True, timeout=300, check=True, **options,
    )  # fmt: skip


def _rows(database, sql):
    with sqlite3.connect(database, timeout=30) as connection:
        return connection.execute(sql).fetchall()


@pytest.mark.timeout(600)
def test_a_worker_killed_while_processing_a_photo_loses_nothing_and_repeats_nothing(tmp_path):
    env = {
        **os.environ,
        "FAIRCLAIM_DATA_DIR": str(tmp_path),
        "FAIRCLAIM_TASK_LEASE_SECONDS": str(LEASE_SECONDS),
        "DJANGO_SETTINGS_MODULE": "fairclaim.settings",
    }
    env.pop("DATABASE_URL", None)
    database = tmp_path / "fairclaim.sqlite3"
    _fairclaim(env, "manage", "migrate", "--verbosity", "0")
    _fairclaim(env, "manage", "shell", "-c", SETUP)
    worker = subprocess.Popen(
        [sys.executable, "-m", "fairclaim.cli", "worker", "--interval", "0.1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not _rows(database, "select id from works_work where status = 'processing'"):
            assert time.monotonic() < deadline, "the worker never started a photo"
            time.sleep(0.02)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    (killed,) = _rows(database, "select id from works_work where status = 'processing'")[0]
    running = "select count(*) from django_tasks_database_dbtaskresult where status = 'RUNNING'"
    assert _rows(database, running) == [(1,)]

    time.sleep(LEASE_SECONDS + 0.5)
    _fairclaim(env, "scheduler", "--once")
    _fairclaim(env, "worker", "--batch")

    assert _rows(database, "select status from works_work") == [("ready",)] * 3
    tasks = _rows(
        database,
        "select args_kwargs, status, exception_class_path "
        "from django_tasks_database_dbtaskresult order by enqueued_at",
    )
    by_work: dict[int, list[tuple[str, str]]] = {}
    for args_kwargs, status, exception in tasks:
        work_id = int(args_kwargs.split("[", 1)[1].split("]", 1)[0])
        by_work.setdefault(work_id, []).append((status, exception))
    assert by_work.pop(killed) == [("FAILED", LEASE_EXPIRED), ("SUCCESSFUL", "")]
    assert all(runs == [("SUCCESSFUL", "")] for runs in by_work.values())


TASK_KINDS = [
    ("fairclaim.works.tasks.process_work", [1]),
    ("fairclaim.cases.tasks.capture_case_evidence", [1]),
    ("fairclaim.cases.tasks.send_notice", [1]),
    ("fairclaim.cases.tasks.issue_settlement", [1]),
    ("fairclaim.cases.tasks.send_notification", [1]),
    ("fairclaim.api.tasks.deliver_webhook", [1]),
    ("fairclaim.monitoring.tasks.check_submitted_page", [1]),
    ("fairclaim.monitoring.tasks.scan_watch_list", [1]),
    ("fairclaim.monitoring.tasks.scan_submitted_page", [1, None, "https://a.example/", None]),
    ("fairclaim.monitoring.tasks.match_sighting", [1]),
    ("fairclaim.monitoring.tasks.search_providers", [1]),
]


def _left_running_by_a_dead_worker(task_path, args, started):
    from django.utils.module_loading import import_string

    result = import_string(task_path).enqueue(*args)
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim("dead-worker")
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=started)
    return row


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("task_path", "args"), TASK_KINDS)
def test_every_task_kind_is_failed_visibly_and_queued_again_after_its_lease(task_path, args):
    now = timezone.now()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        row = _left_running_by_a_dead_worker(task_path, args, now - timedelta(days=1))
        DBTaskResult.objects.filter(status=TaskResultStatus.READY).delete()  # the retry "ran"
        recovered = recover_stale_tasks(now)
        row.refresh_from_db()
        assert row.status == TaskResultStatus.FAILED
        assert row.exception_class_path == LEASE_EXPIRED
        assert "stopped before it finished" in row.traceback
        queued = DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=task_path)
        if attempt < MAX_ATTEMPTS:
            assert recovered == 1
            assert [r.args_kwargs["args"] for r in queued] == [args]
        else:
            assert recovered == 0  # given up: stays FAILED, visible, for a person to retry
            assert not queued.exists()
            assert "not queued again" in row.traceback


@pytest.mark.django_db(transaction=True)
def test_a_task_within_its_lease_is_left_alone():
    now = timezone.now()
    row = _left_running_by_a_dead_worker("fairclaim.works.tasks.process_work", [1], now)
    assert recover_stale_tasks(now + timedelta(seconds=30)) == 0
    row.refresh_from_db()
    assert row.status == TaskResultStatus.RUNNING


def test_a_failed_work_shows_a_retry_that_processes_it(
    client, cast, django_capture_on_commit_callbacks
):
    Work.objects.filter(pk=cast.work.pk).update(status=Work.Status.FAILED, processing_error="x")
    client.login(username="alice", password=PASSWORD)
    page = client.get(reverse("works:detail", args=[cast.work.pk])).content.decode()
    assert reverse("works:retry", args=[cast.work.pk]) in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("works:retry", args=[cast.work.pk]))
    cast.work.refresh_from_db()
    assert cast.work.status == Work.Status.PENDING
    assert DBTaskResult.objects.filter(args_kwargs__args=[cast.work.pk], status="READY").exists()


@pytest.mark.django_db(transaction=True)
def test_a_platform_admin_sees_failed_tasks_with_their_reason_and_queues_them_again(client):
    from fairclaim.accounts.models import User

    now = timezone.now()
    row = _left_running_by_a_dead_worker(
        "fairclaim.works.tasks.process_work", [7], now - timedelta(days=1)
    )
    for _ in range(MAX_ATTEMPTS):  # every retry dies too: given up
        recover_stale_tasks(now)
        DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(
            status=TaskResultStatus.RUNNING, started_at=now - timedelta(days=1)
        )
    admin = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    sign_in(client, admin)
    page = client.get(reverse("admin:django_tasks_database_dbtaskresult_change", args=[row.pk]))
    assert "stopped before it finished" in page.content.decode()
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).delete()
    client.post(
        reverse("admin:django_tasks_database_dbtaskresult_changelist"),
        {"action": "queue_again", "_selected_action": [str(row.pk)]},
    )
    queued = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert [r.args_kwargs["args"] for r in queued] == [[7]]
