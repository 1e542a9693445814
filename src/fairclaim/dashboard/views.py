"""The rights holder's home (`/`), one dashboard per rights holder for case managers, and the
filtered lists (with CSV/XLSX export) behind every figure."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _

from fairclaim.accounts.models import User
from fairclaim.cases.models import STATE_CHOICES, Claim, Notice
from fairclaim.monitoring.models import Match, Sighting
from fairclaim.payments.models import Payment

from . import figures
from .charts import Point, bar_chart, column_chart
from .exports import csv_response, xlsx_response
from .figures import Scope
from .lists import SORT_LABELS, SPECS, filtered

PAGE_SIZE = 50


def _scope_for(request, slug: str | None) -> Scope:
    """The user's scope, narrowed to the rights holder `slug` (404 when not theirs)."""
    scope = Scope(request.user)
    if slug:
        scope.organisation = get_object_or_404(scope.organisations(), slug=slug)
    return scope


def _list_url(kind: str, scope: Scope, **params) -> str:
    if scope.organisation is not None:
        params = {"org": scope.organisation.slug, **params}
    return f"{reverse('dashboard:list', args=[kind])}?{urlencode(params)}"


def month_end(start):
    return (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def spoken_summary(chart) -> str:
    """The chart's sentence for screen readers, in the reader's language (charts.py is pure)."""
    values = [bar.point for bar in chart.bars]
    if not any(p.value for p in values):
        return _("%(title)s: nothing yet.") % {"title": chart.title}
    high = max(values, key=lambda p: p.value)
    total = sum(p.value for p in values)
    return _(
        "%(title)s: %(count)s bars, total %(total)s %(unit)s; highest %(high)s (%(label)s)."
    ) % {
        "title": chart.title,
        "count": len(values),
        "total": total,
        "unit": chart.unit,
        "high": high.shown or high.value,
        "label": high.label,
    }


def dashboard_context(scope: Scope, today) -> dict:
    counts = figures.counts(scope, today)
    series = figures.series(scope, today)
    weeks, currency, months = series["weeks"], series["currency"], series["months"]
    link = _list_url
    charts = [
        column_chart(
            "matches-per-week",
            _("Matches found per week"),
            [
                Point(
                    date_format(start, "j M"),
                    n,
                    link("matches", scope, found_from=start, found_to=start + timedelta(days=6)),
                )
                for start, n in weeks
            ],
            unit=_("matches"),
        ),
        column_chart(
            "collected-per-month",
            _("Money collected per month (%(currency)s)") % {"currency": currency},
            [
                Point(
                    date_format(start, "M y"),
                    amount,
                    link(
                        "payments",
                        scope,
                        currency=currency,
                        received_from=start,
                        received_to=month_end(start),
                    ),
                    shown=number_format(amount, 0, force_grouping=True),
                )
                for start, amount in months
            ],
            unit=currency,
        ),
        bar_chart(
            "resolution-mix",
            _("How cases ended"),
            [
                Point(label, n, link("cases", scope, state=state))
                for state, label, n in series["resolutions"]
            ],
            unit=_("cases"),
        ),
        bar_chart(
            "top-domains",
            _("Top domains where images were found (12 weeks)"),
            [
                Point(
                    domain,
                    n,
                    link(
                        "matches",
                        scope,
                        domain=domain,
                        exact=1,
                        found_from=weeks[0][0],
                    ),
                )
                for domain, n in series["domains"]
            ],
            unit=_("matches"),
        ),
    ]
    charts = [replace(chart, summary=spoken_summary(chart)) for chart in charts]
    return {
        "scope": scope,
        "today": today,
        "counts": counts,
        "links": {
            # A single rights holder's new matches open in the triage inbox; one of several
            # (a manager's dashboard for one client) in the list narrowed to that client.
            "new_matches": (
                link("matches", scope, status="new")
                if scope.organisation is not None
                else reverse("monitoring:list") + "?status=new"
            ),
            "open_claims": link("claims", scope, status="open"),
            "open_cases": link("cases", scope, state="open"),
            "deadlines": link(
                "cases",
                scope,
                state="open",
                deadline_from=today,
                deadline_to=counts["week_end"],
                sort="deadline",
            ),
            "demanded": link("cases", scope, sort="amount"),
            "collected": link("payments", scope, sort="received"),
            "outstanding": link("cases", scope, state="open", sort="amount"),
            "paid_out": reverse("payments:payouts"),
        },
        "states": [
            (state, label, n, link("cases", scope, state=state))
            for state, label, n in figures.cases_by_state(scope)
        ],
        "amounts": figures.amounts(scope),
        "charts": charts,
        "deadlines": figures.upcoming_deadlines(scope, today),
        "list_kinds": [(kind, spec.title) for kind, spec in SPECS.items()],
    }


@login_required
def home(request):
    user = request.user
    if user.role == User.Role.LAW_FIRM and not user.is_platform_admin:
        return redirect("cases:list")
    scope = Scope(user)
    context = dashboard_context(scope, timezone.localdate())
    context["organisations"] = (
        scope.organisations() if user.role != User.Role.RIGHTS_HOLDER else None
    )
    return render(request, "dashboard/home.html", context)


@login_required
def organisation_dashboard(request, slug):
    scope = _scope_for(request, slug)
    return render(request, "dashboard/home.html", dashboard_context(scope, timezone.localdate()))


@login_required
def show_list(request, kind):
    spec = SPECS.get(kind)
    if spec is None:
        raise Http404(_("No such list."))
    scope = _scope_for(request, request.GET.get("org") or None)
    result = filtered(spec, scope, request.GET)
    fmt = request.GET.get("format", "")
    name = f"{kind}-{timezone.localdate():%Y-%m-%d}"
    if fmt == "csv":
        return csv_response(spec, result.queryset, name)
    if fmt == "xlsx":
        return xlsx_response(spec, result.queryset, name)
    for problem in result.problems:
        messages.error(request, problem)
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("format", None)
    context = {
        "spec": spec,
        "scope": scope,
        "page": Paginator(result.queryset, PAGE_SIZE).get_page(request.GET.get("page")),
        "params": request.GET,
        "query": params.urlencode(),
        "sorts": [(key, SORT_LABELS.get(key, key)) for key in spec.sorts],
        # A choice of rights holder only for those who handle several.
        "organisations": (
            scope.organisations()
            if scope.organisation is None and request.user.role != User.Role.RIGHTS_HOLDER
            else None
        ),
        "states": STATE_CHOICES,
        "notice_kinds": Notice.Kind.choices,
        "statuses": {
            "matches": Match.Status.choices,
            "payments": Payment.Status.choices,
            "claims": Claim.Status.choices,
            "sightings": Sighting.Source.choices,
            "notices": Notice.Status.choices,
        }.get(kind, []),
    }
    return render(request, spec.template, context)
