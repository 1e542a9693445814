"""The dashboard's figures for one user, over all the rights holders they handle or over one:
counts, amounts per currency and the series behind the charts.

Every query starts from an access function of the app that owns the rows, so a figure can
never count what its reader may not open. Each figure is one aggregate query over
indexed columns; nothing loads rows (100,000 matches and 10,000 cases: see bench/dashboard.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.utils import timezone

from fairclaim.accounts.access import handled_organisations
from fairclaim.accounts.models import Organisation
from fairclaim.cases.access import cases_for, claims_for
from fairclaim.cases.models import OPEN_CASE_STATES, STATE_LABELS, CaseLine
from fairclaim.monitoring.access import matches_for, sightings_for
from fairclaim.monitoring.models import Match
from fairclaim.payments.access import statements_for
from fairclaim.payments.models import JournalEntry, Payment, PayoutRun, Posting
from fairclaim.payments.split import Account
from fairclaim.rules.case_states import CaseState

WEEKS = 12  # matches per week: a quarter at a glance
MONTHS = 12  # money per month: a year
TOP_DOMAINS = 8
# States before the recipient has been told anything: nothing is demanded yet.
NOT_YET_DEMANDED = [CaseState.DRAFT.value, CaseState.REVIEW.value]
# The ways a case ends, in the order the dashboard reads them.
RESOLUTIONS = [
    CaseState.RESOLVED_PAID,
    CaseState.RESOLVED_LICENSED,
    CaseState.DEFENCE_UPHELD,
    CaseState.WITHDRAWN,
    CaseState.ESCALATED,
]
OPEN_CLAIM_STATUSES = ["draft", "checked", "approved"]


@dataclass
class Scope:
    """What one dashboard covers: a user's view, optionally narrowed to one rights holder."""

    user: object
    organisation: Organisation | None = None

    def organisations(self):
        orgs = handled_organisations(self.user)
        if self.user.is_platform_admin:
            orgs = Organisation.objects.filter(kind=Organisation.Kind.RIGHTS_HOLDER)
        if self.organisation is not None:
            orgs = orgs.filter(pk=self.organisation.pk)
        return orgs

    def matches(self):
        matches = matches_for(self.user)
        if self.organisation is not None:
            matches = matches.filter(organisation=self.organisation)
        return matches

    def cases(self):
        cases = cases_for(self.user)
        if self.organisation is not None:
            cases = cases.filter(rights_holder=self.organisation)
        return cases

    def claims(self):
        claims = claims_for(self.user)
        if self.organisation is not None:
            claims = claims.filter(match__organisation=self.organisation)
        return claims

    def sightings(self):
        sightings = sightings_for(self.user)
        if self.organisation is not None:
            sightings = sightings.filter(organisation=self.organisation)
        return sightings

    def entries(self):
        return JournalEntry.objects.filter(organisation__in=self.organisations())

    def statements(self):
        statements = statements_for(self.user).filter(run__status=PayoutRun.Status.FINAL)
        if self.organisation is not None:
            statements = statements.filter(organisation=self.organisation)
        return statements


@dataclass
class Money:
    """Amounts per currency, e.g. {"EUR": Decimal("1250.00")}."""

    by_currency: dict[str, Decimal] = field(default_factory=dict)

    def items(self):
        return sorted(self.by_currency.items())

    def __bool__(self) -> bool:
        return any(self.by_currency.values())


def _money(rows, currency_key: str, value_key: str = "total", sign: int = 1) -> Money:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        if row[value_key] is not None:
            totals[row[currency_key]] += sign * Decimal(row[value_key])
    return Money({c: v.quantize(Decimal("0.01")) for c, v in totals.items()})


def counts(scope: Scope, today: date) -> dict:
    matches = scope.matches()
    cases = scope.cases()
    week_end = today + timedelta(days=7)
    return {
        "new_matches": matches.filter(status=Match.Status.NEW).count(),
        "open_claims": scope.claims().filter(status__in=OPEN_CLAIM_STATUSES).count(),
        "open_cases": cases.filter(state__in=OPEN_CASE_STATES).count(),
        "deadlines_this_week": cases.filter(
            state__in=OPEN_CASE_STATES, deadline__gte=today, deadline__lte=week_end
        ).count(),
        "week_end": week_end,
    }


def cases_by_state(scope: Scope) -> list[tuple[str, str, int]]:
    rows = dict(scope.cases().order_by().values_list("state").annotate(n=Count("id")))
    return [(s.value, str(STATE_LABELS[s]), rows.get(s.value, 0)) for s in CaseState]


def amounts(scope: Scope) -> dict[str, Money]:
    cases = scope.cases()
    demanded_cases = cases.exclude(state__in=NOT_YET_DEMANDED)
    demanded = _money(
        CaseLine.objects.filter(case__in=demanded_cases)
        .values("case__currency")
        .annotate(total=Sum("amount")),
        "case__currency",
    )
    collected = _money(
        Posting.objects.filter(
            account=Account.COLLECTED,
            entry__kind=JournalEntry.Kind.SPLIT,
            entry__in=scope.entries().filter(case__in=cases),
        )
        .values("entry__currency")
        .annotate(total=Sum("amount")),
        "entry__currency",
    )
    open_cases = demanded_cases.filter(state__in=OPEN_CASE_STATES)
    demanded_open = _money(
        CaseLine.objects.filter(case__in=open_cases)
        .values("case__currency")
        .annotate(total=Sum("amount")),
        "case__currency",
    )
    held_open = _money(
        Payment.objects.filter(case__in=open_cases)
        .values("currency")
        .annotate(total=Sum("amount_received") - Sum("amount_refunded")),
        "currency",
    )
    outstanding = Money(
        {
            currency: max(amount - held_open.by_currency.get(currency, Decimal(0)), Decimal(0))
            for currency, amount in demanded_open.by_currency.items()
        }
    )
    paid_out = _money(scope.statements().values("currency").annotate(total=Sum("paid")), "currency")
    owed = _money(
        Posting.objects.filter(account=Account.RIGHTS_HOLDER, entry__in=scope.entries())
        .values("entry__currency")
        .annotate(total=Sum("amount")),
        "entry__currency",
        sign=-1,
    )
    return {
        "demanded": demanded,
        "collected": collected,
        "outstanding": outstanding,
        "paid_out": paid_out,
        "owed": owed,
    }


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


# Every status spelled out lets SQLite and PostgreSQL range-scan the (organisation, status,
# -created_at) index of Match for recent matches instead of reading all of a rights holder's.
ALL_MATCH_STATUSES = Match.Status.values


def recent_matches(scope: Scope, since: datetime):
    return scope.matches().filter(status__in=ALL_MATCH_STATUSES, created_at__gte=since)


def _moment(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def matches_per_week(scope: Scope, today: date) -> list[tuple[date, int]]:
    """One pass with a filtered count per week: plain range comparisons on `created_at`
    (SQLite's TruncWeek calls a Python function per row: 4x slower at 100,000 matches)."""
    first = week_start(today) - timedelta(weeks=WEEKS - 1)
    starts = [first + timedelta(weeks=i) for i in range(WEEKS)]
    bounds = [*starts, starts[-1] + timedelta(weeks=1)]
    counts = (
        scope.matches()
        .filter(created_at__gte=_moment(first))
        .aggregate(
            **{
                f"w{i}": Count(
                    "id",
                    filter=Q(
                        created_at__gte=_moment(bounds[i]), created_at__lt=_moment(bounds[i + 1])
                    ),
                )
                for i in range(WEEKS)
            }
        )
    )
    return [(start, counts[f"w{i}"]) for i, start in enumerate(starts)]


def month_starts(today: date) -> list[date]:
    months = []
    year, month = today.year, today.month
    for _ in range(MONTHS):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def collected_per_month(scope: Scope, today: date) -> tuple[str, list[tuple[date, Decimal]]]:
    """Money collected (net of refunds and chargebacks) per booking month, in the currency with
    the most money (a chart draws one currency; the amounts above list them all)."""
    months = month_starts(today)
    bounds = [*months, (months[-1] + timedelta(days=32)).replace(day=1)]
    postings = Posting.objects.filter(
        account=Account.COLLECTED,
        entry__kind=JournalEntry.Kind.SPLIT,
        entry__in=scope.entries().filter(case__in=scope.cases()),
        entry__booked_at__gte=_moment(months[0]),
    )
    rows = postings.values("entry__currency").annotate(
        **{
            f"m{i}": Sum(
                "amount",
                filter=Q(
                    entry__booked_at__gte=_moment(bounds[i]),
                    entry__booked_at__lt=_moment(bounds[i + 1]),
                ),
            )
            for i in range(MONTHS)
        }
    )
    per = {
        row["entry__currency"]: [Decimal(row[f"m{i}"] or 0) for i in range(MONTHS)] for row in rows
    }
    if not per:
        return "EUR", [(m, Decimal("0.00")) for m in months]
    currency = max(per, key=lambda c: sum(per[c]))
    return currency, [
        (m, v.quantize(Decimal("0.01"))) for m, v in zip(months, per[currency], strict=True)
    ]


def resolution_mix(scope: Scope) -> list[tuple[str, str, int]]:
    rows = dict(
        scope.cases()
        .filter(state__in=[s.value for s in RESOLUTIONS])
        .order_by()
        .values_list("state")
        .annotate(n=Count("id"))
    )
    return [(s.value, str(STATE_LABELS[s]), rows.get(s.value, 0)) for s in RESOLUTIONS]


def top_domains(scope: Scope, today: date) -> list[tuple[str, int]]:
    """Where the images were found most in the chart's weeks (all time would group every match
    ever found on every page load)."""
    since = _moment(week_start(today) - timedelta(weeks=WEEKS - 1))
    rows = (
        recent_matches(scope, since)
        .order_by()
        .values("sighting__page_domain")
        .annotate(n=Count("id"))
        .order_by("-n", "sighting__page_domain")[:TOP_DOMAINS]
    )
    return [(row["sighting__page_domain"], row["n"]) for row in rows]


SERIES_SECONDS = 120  # charts over weeks and months: two minutes old is still today's picture


def series(scope: Scope, today: date) -> dict:
    """The charts' series, kept for `SERIES_SECONDS` per reader and scope (counts and amounts
    are always live). At 100,000 matches they are most of a dashboard's cost."""
    key = "dashboard-series:{}:{}:{}".format(
        scope.user.pk, scope.organisation.pk if scope.organisation else "all", today.isoformat()
    )
    found = cache.get(key)
    if found is None:
        currency, months = collected_per_month(scope, today)
        found = {
            "weeks": matches_per_week(scope, today),
            "currency": currency,
            "months": months,
            "resolutions": resolution_mix(scope),
            "domains": top_domains(scope, today),
        }
        cache.set(key, found, SERIES_SECONDS)
    return found


def upcoming_deadlines(scope: Scope, today: date, limit: int = 8):
    return (
        scope.cases()
        .filter(state__in=OPEN_CASE_STATES, deadline__gte=today)
        .select_related("rights_holder")
        .order_by("deadline", "id")[:limit]
    )
