"""Who may see and change sightings and matches (the rules in `fairclaim.accounts.access`)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from fairclaim.accounts.access import can_change_matches, handled_organisations
from fairclaim.accounts.models import User

from .models import Match, Sighting


def sightings_for(user: User) -> QuerySet[Sighting]:
    if user.is_authenticated and user.is_platform_admin:
        return Sighting.objects.all()
    return Sighting.objects.filter(organisation__in=handled_organisations(user))


def matches_for(user: User) -> QuerySet[Match]:
    if user.is_authenticated and user.is_platform_admin:
        return Match.objects.all()
    return Match.objects.filter(organisation__in=handled_organisations(user))


def get_match_for_user(request, pk: int, *, write: bool = False) -> Match:
    match = get_object_or_404(matches_for(request.user).select_related("work", "sighting"), pk=pk)
    if write and not can_change_matches(request.user):
        raise PermissionDenied(_("You may view this match but not change it."))
    return match
