"""Leases on background tasks: a task whose worker died is failed visibly and run again.

The task queue (django-tasks-db) marks a row RUNNING when a worker takes it and never looks at it
again if that worker is killed (deploys, out-of-memory, a host reboot): the row stays RUNNING and
the work it stood for (a photo to fingerprint, a page to capture) is never done. Every task kind
therefore holds a lease: a RUNNING row older than its kind's lease is marked FAILED with the reason
"the worker running it stopped", and the same task is queued again, up to MAX_ATTEMPTS runs in
all. After that it stays FAILED, where the operator sees it (the admin lists failed tasks with
their reason) and can queue it again.

Running a task twice is safe because every task claims its work with a conditional UPDATE that a
stale claim gives up after the same lease (works.actions.stale_claim, cases.sending.stale_sending,
api.delivery.stale_claim, monitoring.actions.do_check_page): what the dead worker finished stays
finished, what it did not is done by the retry. tests/security/test_kill_per_task_kind.py kills a
real worker in the middle of every kind and checks exactly that.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

MAX_ATTEMPTS = 3  # a task that kills its worker three times is a bug to look at, not to repeat
LEASE_EXPIRED = "fairclaim.task_leases.LeaseExpired"
LEASE_REASON = (
    "The worker running this task stopped before it finished (its lease expired); "
    "it was queued again"
)
GIVEN_UP_REASON = (
    "The worker running this task stopped before it finished, {attempts} times; it was not "
    "queued again. Queue it again once the cause is fixed"
)


# What a kind's work shows when its task is given up (so it is not stuck "processing" forever).
GIVE_UP = {"fairclaim.works.tasks.process_work": "fairclaim.works.actions.do_give_up_processing"}


class LeaseExpired(Exception):
    """The reason recorded on a task whose worker stopped (never raised)."""


def lease_for(task_path: str) -> timedelta:
    """How long a task of this kind may run before its worker is presumed dead.

    One setting for every kind: it must exceed the longest honest run (a watch-list crawl is
    bounded by its own timeout, which is shorter) and equal the stale-claim age of the work.
    """
    longer = {"fairclaim.monitoring.tasks.scan_watch_list": 2}  # crawls run up to an hour
    return task_lease() * longer.get(task_path, 1)


def task_lease() -> timedelta:
    return timedelta(seconds=settings.FAIRCLAIM_TASK_LEASE_SECONDS)


def recover_stale_tasks(now: datetime) -> int:
    """Fail every RUNNING task past its lease and queue it again (within MAX_ATTEMPTS).

    Returns how many tasks were queued again. Each row is taken with a conditional UPDATE, so
    two schedulers never queue the same task twice.
    """
    queued = 0
    stale = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - task_lease()
    ).values_list("pk", "task_path", "started_at", "args_kwargs")
    for pk, task_path, started_at, args_kwargs in stale:
        if started_at >= now - lease_for(task_path):
            continue
        with transaction.atomic():
            earlier = DBTaskResult.objects.filter(
                task_path=task_path, args_kwargs=args_kwargs, exception_class_path=LEASE_EXPIRED
            ).count()
            retry = earlier + 1 < MAX_ATTEMPTS
            reason = LEASE_REASON if retry else GIVEN_UP_REASON.format(attempts=earlier + 1)
            taken = DBTaskResult.objects.filter(
                pk=pk, status=TaskResultStatus.RUNNING, started_at=started_at
            ).update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=LEASE_EXPIRED,
                traceback=reason,
            )
            args, kwargs = args_kwargs.get("args", []), args_kwargs.get("kwargs", {})
            if taken and retry:
                task = import_string(task_path)
                transaction.on_commit(lambda task=task, a=args, k=kwargs: task.enqueue(*a, **k))
                queued += 1
            elif taken and task_path in GIVE_UP:
                import_string(GIVE_UP[task_path])(*args, **kwargs)
    return queued


def queue_again(rows) -> int:
    """Queue the failed tasks among `rows` (DBTaskResult) again, as a person decided to;
    returns how many. Tasks are idempotent, so this is safe after any failure."""
    queued = 0
    for row in rows:
        if row.status != TaskResultStatus.FAILED:
            continue
        args_kwargs = row.args_kwargs or {}
        import_string(row.task_path).enqueue(
            *args_kwargs.get("args", []), **args_kwargs.get("kwargs", {})
        )
        queued += 1
    return queued
