"""Query filters for the list endpoints (django-filter; each is an indexed column or a join)."""

from __future__ import annotations

import django_filters

from fairclaim.cases.models import Case, Claim
from fairclaim.monitoring.models import Match, Sighting
from fairclaim.payments.models import Payment
from fairclaim.works.models import Licence, Work

OPEN_MATCH_STATUSES = [Match.Status.NEW, Match.Status.SEEN]


class WorkFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Work.Status.choices)
    sha256 = django_filters.CharFilter(lookup_expr="startswith", max_length=64)
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    tag = django_filters.CharFilter(field_name="tags__name", lookup_expr="iexact", max_length=80)
    collection = django_filters.CharFilter(
        field_name="collections__name", lookup_expr="iexact", max_length=80
    )
    archived = django_filters.BooleanFilter(
        field_name="archived_at", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Work
        fields = ["status", "sha256", "created_after", "tag", "collection", "archived"]


class LicenceFilter(django_filters.FilterSet):
    work = django_filters.NumberFilter(field_name="work_id")
    source = django_filters.ChoiceFilter(choices=Licence.Source.choices)

    class Meta:
        model = Licence
        fields = ["work", "source"]


class SightingFilter(django_filters.FilterSet):
    domain = django_filters.CharFilter(field_name="page_domain", lookup_expr="icontains")
    source = django_filters.ChoiceFilter(choices=Sighting.Source.choices)
    gone = django_filters.BooleanFilter(field_name="gone_at", lookup_expr="isnull", exclude=True)
    seen_after = django_filters.IsoDateTimeFilter(field_name="last_seen", lookup_expr="gte")

    class Meta:
        model = Sighting
        fields = ["domain", "source", "gone", "seen_after"]


class MatchFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=[("open", "New or seen"), *Match.Status.choices], method="filter_status"
    )
    work = django_filters.NumberFilter(field_name="work_id")
    domain = django_filters.CharFilter(field_name="sighting__page_domain", lookup_expr="icontains")
    min_score = django_filters.NumberFilter(field_name="score", lookup_expr="gte")
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = Match
        fields = ["status", "work", "domain", "min_score", "created_after"]

    def filter_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status__in=OPEN_MATCH_STATUSES)
        return queryset.filter(status=value)


class ClaimFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Claim.Status.choices)

    class Meta:
        model = Claim
        fields = ["status"]


class CaseFilter(django_filters.FilterSet):
    state = django_filters.CharFilter(max_length=20)
    updated_after = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Case
        fields = ["state", "updated_after"]


class PaymentFilter(django_filters.FilterSet):
    case = django_filters.CharFilter(field_name="case__reference", max_length=20)
    status = django_filters.ChoiceFilter(choices=Payment.Status.choices)

    class Meta:
        model = Payment
        fields = ["case", "status"]
