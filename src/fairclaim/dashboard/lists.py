"""The filtered lists behind the dashboard's figures (cases, matches, payments): one spec per
list with its filters, sorts and export columns. Every list starts from the user's scope
(`figures.Scope`), so a filter can narrow what a user may see but never widen it.

Filters come from the query string; a value that does not parse is reported and ignored (the
list then shows more, never less, than asked: nothing is silently hidden).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fairclaim.cases.models import OPEN_CASE_STATES, STATE_CHOICES, CaseLine, Claim, Notice
from fairclaim.monitoring.models import Match, Sighting
from fairclaim.payments.models import Payment

from .figures import OPEN_CLAIM_STATUSES, Scope


@dataclass(frozen=True)
class Column:
    header: str
    field: str  # a values_list path
    money: bool = False


@dataclass
class Filtered:
    queryset: object
    problems: list[str]


# What each sort key reads as in the list's "Sort" menu.
SORT_LABELS = {
    "newest": _("newest"),
    "oldest": _("oldest"),
    "deadline": _("deadline"),
    "amount": _("amount"),
    "domain": _("domain"),
    "score": _("score"),
    "due": _("due date"),
    "received": _("received"),
    "sent": _("sent"),
    "last_seen": _("last seen"),
}


@dataclass(frozen=True)
class ListSpec:
    kind: str
    title: str
    columns: tuple[Column, ...]
    sorts: dict[str, tuple[str, ...]]
    build: Callable[[Scope, dict, list[str]], object]
    template: str


def _day(params, name: str, problems: list[str]) -> date | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(f"“{raw}” is not a date (YYYY-MM-DD); the {name} filter was not applied.")
        return None


def _amount(params, name: str, problems: list[str]) -> Decimal | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return Decimal(raw)
    except InvalidOperation:
        problems.append(f"“{raw}” is not an amount; the {name} filter was not applied.")
        return None


def _moment(day: date, end: bool = False) -> datetime:
    return datetime.combine(
        day, time.max if end else time.min, tzinfo=timezone.get_current_timezone()
    )


def _range(qs, field: str, params, prefix: str, problems: list[str], moments: bool = True):
    if (start := _day(params, f"{prefix}_from", problems)) is not None:
        qs = qs.filter(**{f"{field}__gte": _moment(start) if moments else start})
    if (end := _day(params, f"{prefix}_to", problems)) is not None:
        qs = qs.filter(**{f"{field}__lte": _moment(end, True) if moments else end})
    return qs


def _tld_country(qs, field: str, params):
    """Sightings and matches know a domain, not a country: a country-code domain (.de, .fr)
    is the best sign of one, so "country=de" keeps the .de sites."""
    if country := (params.get("country") or "").strip().lower():
        qs = qs.filter(**{f"{field}__iendswith": f".{country}"})
    return qs


def _money_range(qs, field: str, params, problems: list[str]):
    if (low := _amount(params, "min_amount", problems)) is not None:
        qs = qs.filter(**{f"{field}__gte": low})
    if (high := _amount(params, "max_amount", problems)) is not None:
        qs = qs.filter(**{f"{field}__lte": high})
    return qs


def _case_facts(qs, prefix: str, params):
    """Recipient domain and country filters for records that belong to a case."""
    if domain := (params.get("domain") or "").strip().lower():
        qs = qs.filter(**{f"{prefix}recipient_domain__icontains": domain})
    if country := (params.get("country") or "").strip().upper():
        qs = qs.filter(**{f"{prefix}recipient_country": country})
    return qs


def demanded_subquery():
    lines = (
        CaseLine.objects.filter(case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(
        Subquery(lines, output_field=DecimalField(max_digits=14, decimal_places=2)),
        Value(Decimal(0)),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def build_cases(scope: Scope, params, problems: list[str]):
    cases = scope.cases().select_related("rights_holder").annotate(demanded=demanded_subquery())
    state = params.get("state", "")
    if state == "open":
        cases = cases.filter(state__in=OPEN_CASE_STATES)
    elif state in dict(STATE_CHOICES):
        cases = cases.filter(state=state)
    if q := (params.get("q") or "").strip():
        cases = cases.filter(
            Q(reference__icontains=q)
            | Q(recipient_domain__icontains=q)
            | Q(recipient_name__icontains=q)
        )
    if domain := (params.get("domain") or "").strip().lower():
        cases = cases.filter(recipient_domain__icontains=domain)
    if country := (params.get("country") or "").strip().upper():
        cases = cases.filter(recipient_country=country)
    cases = _range(cases, "deadline", params, "deadline", problems, moments=False)
    cases = _range(cases, "created_at", params, "created", problems)
    return _money_range(cases, "demanded", params, problems)


def build_matches(scope: Scope, params, problems: list[str]):
    matches = scope.matches().select_related("work", "sighting")
    status = params.get("status", "all")
    if status == "open":
        matches = matches.filter(status__in=[Match.Status.NEW, Match.Status.SEEN])
    elif status in Match.Status.values:
        matches = matches.filter(status=status)
    if domain := (params.get("domain") or "").strip().lower():
        matches = (
            matches.filter(sighting__page_domain=domain)
            if params.get("exact")
            else (matches.filter(sighting__page_domain__icontains=domain))
        )
    if q := (params.get("q") or "").strip():
        matches = matches.filter(Q(work__title__icontains=q) | Q(sighting__page_url__icontains=q))
    matches = _tld_country(matches, "sighting__page_domain", params)
    return _range(matches, "created_at", params, "found", problems)


def build_payments(scope: Scope, params, problems: list[str]):
    payments = Payment.objects.filter(case__in=scope.cases()).select_related("case")
    if (status := params.get("status", "")) in Payment.Status.values:
        payments = payments.filter(status=status)
    if (method := params.get("method", "")) in {"card", "bank_transfer"}:
        payments = payments.filter(method=method)
    if currency := (params.get("currency") or "").strip().upper():
        payments = payments.filter(currency=currency)
    if q := (params.get("q") or "").strip():
        payments = payments.filter(case__reference__icontains=q)
    payments = _case_facts(payments, "case__", params)
    payments = _money_range(payments, "amount", params, problems)
    payments = _range(payments, "due_on", params, "due", problems, moments=False)
    return _range(payments, "received_at", params, "received", problems)


def build_claims(scope: Scope, params, problems: list[str]):
    claims = scope.claims().select_related("match__work", "match__sighting", "case")
    status = params.get("status", "")
    if status == "open":
        claims = claims.filter(status__in=OPEN_CLAIM_STATUSES)
    elif status in Claim.Status.values:
        claims = claims.filter(status=status)
    if (decision := params.get("decision", "")) in {"send", "hold", "block"}:
        claims = claims.filter(decision=decision)
    if domain := (params.get("domain") or "").strip().lower():
        claims = claims.filter(match__sighting__page_domain__icontains=domain)
    if q := (params.get("q") or "").strip():
        claims = claims.filter(
            Q(match__work__title__icontains=q)
            | Q(match__sighting__page_url__icontains=q)
            | Q(case__reference__icontains=q)
        )
    claims = _tld_country(claims, "match__sighting__page_domain", params)
    return _range(claims, "created_at", params, "created", problems)


def build_sightings(scope: Scope, params, problems: list[str]):
    sightings = scope.sightings()
    if (source := params.get("source", "")) in Sighting.Source.values:
        sightings = sightings.filter(source=source)
    if domain := (params.get("domain") or "").strip().lower():
        sightings = sightings.filter(page_domain__icontains=domain)
    if params.get("gone") == "1":
        sightings = sightings.filter(gone_at__isnull=False)
    if q := (params.get("q") or "").strip():
        sightings = sightings.filter(Q(page_url__icontains=q) | Q(image_url__icontains=q))
    sightings = _tld_country(sightings, "page_domain", params)
    return _range(sightings, "first_seen", params, "seen", problems)


def build_notices(scope: Scope, params, problems: list[str]):
    notices = Notice.objects.filter(case__in=scope.cases()).select_related("case")
    if (kind := params.get("kind", "")) in Notice.Kind.values:
        notices = notices.filter(kind=kind)
    if (status := params.get("status", "")) in Notice.Status.values:
        notices = notices.filter(status=status)
    if q := (params.get("q") or "").strip():
        notices = notices.filter(Q(case__reference__icontains=q) | Q(recipient_email__icontains=q))
    notices = _case_facts(notices, "case__", params)
    notices = _range(notices, "deadline", params, "deadline", problems, moments=False)
    return _range(notices, "sent_at", params, "sent", problems)


SPECS = {
    "cases": ListSpec(
        "cases",
        _("Cases"),
        (
            Column("Reference", "reference"),
            Column("Rights holder", "rights_holder__name"),
            Column("Recipient", "recipient_domain"),
            Column("Country", "recipient_country"),
            Column("State", "state"),
            Column("Deadline", "deadline"),
            Column("Demanded", "demanded", money=True),
            Column("Currency", "currency"),
            Column("Opened", "created_at"),
        ),
        {
            "newest": ("-created_at", "-id"),
            "oldest": ("created_at", "id"),
            "deadline": ("deadline", "id"),
            "amount": ("-demanded", "-id"),
            "domain": ("recipient_domain", "id"),
        },
        build_cases,
        "dashboard/list_cases.html",
    ),
    "matches": ListSpec(
        "matches",
        _("Matches"),
        (
            Column("Match", "id"),
            Column("Work", "work_id"),
            Column("Work title", "work__title"),
            Column("Domain", "sighting__page_domain"),
            Column("Page", "sighting__page_url"),
            Column("Score", "score"),
            Column("Status", "status"),
            Column("Found", "created_at"),
        ),
        {
            "newest": ("-created_at", "-id"),
            "oldest": ("created_at", "id"),
            "score": ("-score", "-id"),
            "domain": ("sighting__page_domain", "-id"),
        },
        build_matches,
        "dashboard/list_matches.html",
    ),
    "payments": ListSpec(
        "payments",
        _("Payments"),
        (
            Column("Case", "case__reference"),
            Column("Instalment", "instalment_number"),
            Column("Of", "instalment_count"),
            Column("Status", "status"),
            Column("Method", "method"),
            Column("Amount", "amount", money=True),
            Column("Received", "amount_received", money=True),
            Column("Refunded", "amount_refunded", money=True),
            Column("Currency", "currency"),
            Column("Due", "due_on"),
            Column("Received at", "received_at"),
        ),
        {
            "newest": ("-created_at", "-id"),
            "due": ("due_on", "id"),
            "received": ("-received_at", "-id"),
            "amount": ("-amount", "-id"),
        },
        build_payments,
        "dashboard/list_payments.html",
    ),
    "claims": ListSpec(
        "claims",
        _("Claims"),
        (
            Column("Claim", "id"),
            Column("Work", "match__work__title"),
            Column("Domain", "match__sighting__page_domain"),
            Column("Check", "decision"),
            Column("Status", "status"),
            Column("Case", "case__reference"),
            Column("Created", "created_at"),
        ),
        {
            "newest": ("-created_at", "-id"),
            "oldest": ("created_at", "id"),
            "domain": ("match__sighting__page_domain", "id"),
            "status": ("status", "-id"),
        },
        build_claims,
        "dashboard/list_claims.html",
    ),
    "notices": ListSpec(
        "notices",
        _("Notices"),
        (
            Column("Notice", "id"),
            Column("Case", "case__reference"),
            Column("Kind", "kind"),
            Column("Status", "status"),
            Column("To", "recipient_email"),
            Column("Deadline", "deadline"),
            Column("Sent", "sent_at"),
        ),
        {
            "newest": ("-created_at", "-id"),
            "sent": ("-sent_at", "-id"),
            "deadline": ("deadline", "id"),
            "case": ("case__reference", "id"),
        },
        build_notices,
        "dashboard/list_notices.html",
    ),
    "sightings": ListSpec(
        "sightings",
        _("Sightings"),
        (
            Column("Sighting", "id"),
            Column("Domain", "page_domain"),
            Column("Page", "page_url"),
            Column("Image", "image_url"),
            Column("Source", "source"),
            Column("First seen", "first_seen"),
            Column("Last seen", "last_seen"),
            Column("Gone", "gone_at"),
        ),
        {
            "newest": ("-first_seen", "-id"),
            "last_seen": ("-last_seen", "-id"),
            "domain": ("page_domain", "id"),
        },
        build_sightings,
        "dashboard/list_sightings.html",
    ),
}


def filtered(spec: ListSpec, scope: Scope, params) -> Filtered:
    problems: list[str] = []
    queryset = spec.build(scope, params, problems)
    order = spec.sorts.get(params.get("sort", ""), next(iter(spec.sorts.values())))
    return Filtered(queryset.order_by(*order), problems)
