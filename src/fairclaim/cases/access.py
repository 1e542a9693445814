"""Who may see and change cases and claims (the rules in `fairclaim.accounts.access`).

A law firm sees only the cases escalated to it; claims follow the matches they were made from.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from fairclaim.accounts.access import can_approve_claims, can_change_cases, handled_organisations
from fairclaim.accounts.models import User
from fairclaim.monitoring.access import matches_for

from .models import Case, Claim

Role = User.Role


def cases_for(user: User) -> QuerySet[Case]:
    if not user.is_authenticated:
        return Case.objects.none()
    if user.is_platform_admin:
        return Case.objects.all()
    if user.role == Role.LAW_FIRM and user.organisation_id:
        return Case.objects.filter(law_firm_id=user.organisation_id)
    return Case.objects.filter(rights_holder__in=handled_organisations(user))


def get_case_for_user(request, reference: str, *, write: bool = False) -> Case:
    case = get_object_or_404(cases_for(request.user), reference=reference)
    if write and not can_change_cases(request.user):
        raise PermissionDenied(_("You may view this case but not change it."))
    return case


def claims_for(user: User) -> QuerySet[Claim]:
    return Claim.objects.filter(match__in=matches_for(user))


def get_claim_for_user(request, pk: int, *, write: bool = False) -> Claim:
    claim = get_object_or_404(
        claims_for(request.user).select_related("match__work", "match__sighting"), pk=pk
    )
    if write and not can_approve_claims(request.user):
        raise PermissionDenied(_("Only the rights holder's members may change or approve a claim."))
    return claim
