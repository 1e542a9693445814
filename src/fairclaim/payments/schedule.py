"""The monthly payout run the scheduler drafts (ops.schedule runs `draft_monthly_runs`).

On the first pass of each month the scheduler drafts one run per operator (and one for rights
holders no operator handles) covering money booked up to the end of the previous month; a
manager reviews it and makes it final. Idempotent: a run (of any status) with that cut-off
already exists, so a discarded draft is not drafted again.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from fairclaim.accounts.models import Organisation
from fairclaim.rules.deadlines import next_open_day, weekend

from .models import JournalEntry, PayoutRun
from .payouts import do_draft_run, rights_holders_of

ACTOR = "scheduler"


def month_cutoff(now: datetime) -> datetime:
    """The last moment of the previous month in the current time zone."""
    first = timezone.localtime(now).date().replace(day=1)
    return datetime.combine(
        first - timedelta(days=1), time.max, tzinfo=timezone.get_current_timezone()
    )


def draft_monthly_runs(now: datetime) -> int:
    cutoff = month_cutoff(now)
    execution = next_open_day(timezone.localtime(now).date() + timedelta(days=1), weekend)
    operators: list[Organisation | None] = list(
        Organisation.objects.filter(kind=Organisation.Kind.OPERATOR)
    )
    operators.append(None)
    drafted = 0
    for operator in operators:
        runs = PayoutRun.objects.filter(operator=operator)
        if runs.filter(cutoff=cutoff).exists():
            continue
        if runs.filter(status=PayoutRun.Status.DRAFT).exists():
            continue  # a manager's draft is under review: never discard it; try on a later pass
        if not JournalEntry.objects.filter(organisation__in=rights_holders_of(operator)).exists():
            continue
        do_draft_run(
            operator=operator, cutoff=cutoff, execution_date=execution, actor=ACTOR, now=now
        )
        drafted += 1
    return drafted
