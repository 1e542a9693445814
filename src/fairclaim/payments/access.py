"""Who may see and change agreements, payout runs and statements (the rules of accounts.access):
strangers get 404, members who may only look get 403 when they try to change something.

- rights holder: its own agreement (may change the payout account, not the commercial terms)
  and its own final statements;
- case manager: its operator's rights holders' agreements, payout runs and statements (drafts
  too); may draft, make final and discard runs;
- platform admin: everything.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from fairclaim.accounts.access import handled_organisations
from fairclaim.accounts.models import Organisation, User

from .models import PayoutRun, PayoutStatement

Role = User.Role


def payout_runs_for(user: User) -> QuerySet[PayoutRun]:
    if not user.is_authenticated:
        return PayoutRun.objects.none()
    if user.is_platform_admin:
        return PayoutRun.objects.all()
    if user.role == Role.CASE_MANAGER and user.organisation_id:
        return PayoutRun.objects.filter(operator_id=user.organisation_id)
    return PayoutRun.objects.none()


def statements_for(user: User) -> QuerySet[PayoutStatement]:
    if not user.is_authenticated:
        return PayoutStatement.objects.none()
    if user.is_platform_admin:
        return PayoutStatement.objects.all()
    if user.role == Role.CASE_MANAGER:
        return PayoutStatement.objects.filter(run__in=payout_runs_for(user))
    return PayoutStatement.objects.filter(
        organisation__in=handled_organisations(user), run__status=PayoutRun.Status.FINAL
    )


def agreement_organisations_for(user: User) -> QuerySet[Organisation]:
    if user.is_authenticated and user.is_platform_admin:
        return Organisation.objects.filter(kind=Organisation.Kind.RIGHTS_HOLDER)
    return handled_organisations(user)


def can_run_payouts(user: User) -> bool:
    return not user.read_only and (user.is_platform_admin or user.role == Role.CASE_MANAGER)


def can_change_terms(user: User) -> bool:
    """Commission and costs are agreed with the operator: its case managers record them."""
    return can_run_payouts(user)


def can_change_payout_account(user: User) -> bool:
    return not user.read_only and (
        user.is_platform_admin or user.role in {Role.RIGHTS_HOLDER, Role.CASE_MANAGER}
    )


def get_run_for_user(request, pk: int, *, write: bool = False) -> PayoutRun:
    run = get_object_or_404(payout_runs_for(request.user), pk=pk)
    if write and not can_run_payouts(request.user):
        raise PermissionDenied(_("You may view this payout run but not change it."))
    return run


def get_statement_for_user(request, pk: int) -> PayoutStatement:
    return get_object_or_404(
        statements_for(request.user).select_related("run", "organisation"), pk=pk
    )


def get_agreement_organisation_for_user(request, slug: str, *, write: bool = False):
    organisation = get_object_or_404(agreement_organisations_for(request.user), slug=slug)
    if write and not can_change_payout_account(request.user):
        raise PermissionDenied(_("You may view this agreement but not change it."))
    return organisation
