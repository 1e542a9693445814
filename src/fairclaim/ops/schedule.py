"""The scheduler: turns due work of every app (watch lists, captures, notices, reminders, payout
runs, webhook retries) into tasks.

One step function per kind of due work; each returns how much it queued, so a test runs one step.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from fairclaim.api.delivery import enqueue_due_deliveries
from fairclaim.api.idempotency import forget_old_records
from fairclaim.monitoring.actions import claim_due_watch_lists
from fairclaim.monitoring.tasks import scan_watch_list


def enqueue_due_scans(now: datetime) -> int:
    with transaction.atomic():
        claimed = claim_due_watch_lists(now)
        for pk in claimed:
            transaction.on_commit(lambda pk=pk: scan_watch_list.enqueue(pk))
    return len(claimed)


def enqueue_due_captures(now: datetime) -> int:
    from fairclaim.cases.evidence import claim_due_captures
    from fairclaim.cases.tasks import capture_case_evidence

    with transaction.atomic():
        claimed = claim_due_captures(now)
        for pk in claimed:
            transaction.on_commit(lambda pk=pk: capture_case_evidence.enqueue(pk))
    return len(claimed)


def enqueue_due_provider_searches(now: datetime) -> int:
    from fairclaim.monitoring.providers import enqueue_due_searches

    return enqueue_due_searches(now)


def enqueue_due_notices(now: datetime) -> int:
    """Retries after backoff, and sends a dead worker left half-done."""
    from fairclaim.cases.sending import due_notices
    from fairclaim.cases.tasks import send_notice

    due = due_notices(now)
    for pk in due:
        send_notice.enqueue(pk)
    return len(due)


def send_due_notifications(now: datetime) -> int:
    """Notification retries, and the daily digests once they fall due."""
    from fairclaim.cases.notifications import do_send_digests, due_notifications
    from fairclaim.cases.tasks import send_notification

    due = due_notifications(now)
    for pk in due:
        send_notification.enqueue(pk)
    return len(due) + do_send_digests(now)


def follow_up_missed_deadlines(now: datetime) -> int:
    """Reminders and overdue cases are decided here, in the scheduler, and sent by the worker."""
    from fairclaim.cases.sending import cases_past_deadline, do_follow_up

    # "held": the send gate stopped the reminder (logged on the case); nothing was queued.
    done = (do_follow_up(pk, now) for pk in cases_past_deadline(now.date()))
    return sum(outcome in {"reminded", "overdue"} for outcome in done)


def recover_stale_tasks(now: datetime) -> int:
    """Tasks whose worker died are failed visibly and queued again (task_leases.py)."""
    from fairclaim.task_leases import recover_stale_tasks as recover

    return recover(now)


def draft_monthly_payout_runs(now: datetime) -> int:
    """Monthly payout runs are drafted here for a manager to review and make final."""
    from fairclaim.payments.schedule import draft_monthly_runs

    return draft_monthly_runs(now)


STEPS = [
    recover_stale_tasks,
    enqueue_due_scans,
    enqueue_due_captures,
    enqueue_due_provider_searches,
    enqueue_due_notices,
    send_due_notifications,
    follow_up_missed_deadlines,
    draft_monthly_payout_runs,
    # The API's: retry due webhook deliveries, forget idempotency keys past their window.
    enqueue_due_deliveries,
    forget_old_records,
]


def run_steps(now: datetime) -> int:
    return sum(step(now) for step in STEPS)
