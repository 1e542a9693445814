"""Background entry points for cases: load ids, call the action."""

from decimal import Decimal

from django.utils import timezone
from django_tasks import task

from .evidence import do_capture_case
from .sending import do_issue_settlement, do_send_notice, send_after_capture


@task()
def capture_case_evidence(case_id: int) -> int:
    """Capture the case's pages; a demand that waited for this evidence follows it."""
    stored = do_capture_case(case_id, timezone.now())
    send_after_capture(case_id, timezone.now())
    return stored


@task()
def send_notice(notice_id: int) -> bool:
    return do_send_notice(notice_id, timezone.now())


@task()
def issue_settlement(case_id: int, paid_total: str, offer: str) -> int:
    """Queued by payments once a case is paid, with what was paid (a decimal string) and for
    which offer."""
    issued = do_issue_settlement(
        case_id, timezone.now(), paid_total=Decimal(paid_total), offer=offer
    )
    return len(issued)


@task()
def send_notification(notification_id: int) -> bool:
    from .notifications import do_send_notification

    return do_send_notification(notification_id, timezone.now())
