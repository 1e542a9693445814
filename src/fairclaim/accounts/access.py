"""Who may see and change what: one access function per object kind, used by every view.

Strangers get 404 (they must not learn that an object exists); people who may see but not change an
object get 403 when they try to change it. Querysets here are also what lists and the admin show.

- rights holder: its own organisation's works, sightings, matches and cases;
- case manager: everything of the rights holders its operator organisation handles; may change
  cases, may only read works;
- law firm: only cases escalated to it, read-only;
- platform admin: everything.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from fairclaim.cases.models import Case, Claim
from fairclaim.monitoring.models import Match, Sighting
from fairclaim.works.models import Licence, Work

from .models import Organisation, User

Role = User.Role


def handled_organisations(user: User) -> QuerySet[Organisation]:
    """The rights holders whose data this user works on."""
    if not user.is_authenticated or user.organisation_id is None:
        return Organisation.objects.none()
    if user.role == Role.RIGHTS_HOLDER:
        return Organisation.objects.filter(pk=user.organisation_id)
    if user.role == Role.CASE_MANAGER:
        return Organisation.objects.filter(operator_id=user.organisation_id)
    return Organisation.objects.none()


def works_for(user: User) -> QuerySet[Work]:
    if user.is_authenticated and user.is_platform_admin:
        return Work.objects.all()
    return Work.objects.filter(owner__in=handled_organisations(user))


def licences_for(user: User) -> QuerySet[Licence]:
    if user.is_authenticated and user.is_platform_admin:
        return Licence.objects.all()
    return Licence.objects.filter(owner__in=handled_organisations(user))


def organisations_for(user: User) -> QuerySet[Organisation]:
    """The organisations a user may pick in a form: those it handles (admins: all)."""
    if user.is_authenticated and user.is_platform_admin:
        return Organisation.objects.all()
    return handled_organisations(user)


def sightings_for(user: User) -> QuerySet[Sighting]:
    if user.is_authenticated and user.is_platform_admin:
        return Sighting.objects.all()
    return Sighting.objects.filter(organisation__in=handled_organisations(user))


def matches_for(user: User) -> QuerySet[Match]:
    if user.is_authenticated and user.is_platform_admin:
        return Match.objects.all()
    return Match.objects.filter(organisation__in=handled_organisations(user))


def cases_for(user: User) -> QuerySet[Case]:
    if not user.is_authenticated:
        return Case.objects.none()
    if user.is_platform_admin:
        return Case.objects.all()
    if user.role == Role.LAW_FIRM and user.organisation_id:
        return Case.objects.filter(law_firm_id=user.organisation_id)
    return Case.objects.filter(rights_holder__in=handled_organisations(user))


def can_change_works(user: User) -> bool:
    return not user.read_only and (user.is_platform_admin or user.role == Role.RIGHTS_HOLDER)


def can_change_matches(user: User) -> bool:
    return not user.read_only and (
        user.is_platform_admin or user.role in {Role.RIGHTS_HOLDER, Role.CASE_MANAGER}
    )


def can_change_cases(user: User) -> bool:
    return not user.read_only and (user.is_platform_admin or user.role == Role.CASE_MANAGER)


def get_work_for_user(request, pk: int, *, write: bool = False) -> Work:
    work = get_object_or_404(works_for(request.user), pk=pk)
    if write and not can_change_works(request.user):
        raise PermissionDenied(_("You may view this work but not change it."))
    return work


def get_sighting_for_user(request, pk: int) -> Sighting:
    return get_object_or_404(sightings_for(request.user), pk=pk)


def get_match_for_user(request, pk: int, *, write: bool = False) -> Match:
    match = get_object_or_404(matches_for(request.user).select_related("work", "sighting"), pk=pk)
    if write and not can_change_matches(request.user):
        raise PermissionDenied(_("You may view this match but not change it."))
    return match


def get_case_for_user(request, reference: str, *, write: bool = False) -> Case:
    case = get_object_or_404(cases_for(request.user), reference=reference)
    if write and not can_change_cases(request.user):
        raise PermissionDenied(_("You may view this case but not change it."))
    return case


def claims_for(user: User) -> QuerySet[Claim]:
    return Claim.objects.filter(match__in=matches_for(user))


def can_approve_claims(user: User) -> bool:
    """Only the rights holder decides to claim (product rule 1, docs/architecture.md)."""
    return not user.read_only and user.role == Role.RIGHTS_HOLDER


def get_claim_for_user(request, pk: int, *, write: bool = False) -> Claim:
    claim = get_object_or_404(
        claims_for(request.user).select_related("match__work", "match__sighting"), pk=pk
    )
    if write and not can_approve_claims(request.user):
        raise PermissionDenied(_("Only the rights holder's members may change or approve a claim."))
    return claim
