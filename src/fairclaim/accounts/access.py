"""Who may see and change what: the rules every access function follows.

Each app holds the access functions of the objects it owns (`works.access`, `monitoring.access`,
`cases.access`, `payments.access`), one per object kind, used by every view; they are built from
the organisations and role predicates here. Strangers get 404 (they must not learn that an object
exists); people who may see but not change an object get 403 when they try to change it.
Querysets there are also what lists and the admin show.

- rights holder: its own organisation's works, sightings, matches and cases;
- case manager: everything of the rights holders its operator organisation handles; may change
  cases, may only read works;
- law firm: only cases escalated to it, read-only;
- platform admin: everything.
"""

from __future__ import annotations

from django.db.models import QuerySet

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


def organisations_for(user: User) -> QuerySet[Organisation]:
    """The organisations a user may pick in a form: those it handles (admins: all)."""
    if user.is_authenticated and user.is_platform_admin:
        return Organisation.objects.all()
    return handled_organisations(user)


def can_change_works(user: User) -> bool:
    return not user.read_only and (user.is_platform_admin or user.role == Role.RIGHTS_HOLDER)


def can_change_matches(user: User) -> bool:
    return not user.read_only and (
        user.is_platform_admin or user.role in {Role.RIGHTS_HOLDER, Role.CASE_MANAGER}
    )


def can_change_cases(user: User) -> bool:
    return not user.read_only and (user.is_platform_admin or user.role == Role.CASE_MANAGER)


def can_approve_claims(user: User) -> bool:
    """Only the rights holder decides to claim (product rule 1, docs/architecture.md)."""
    return not user.read_only and user.role == Role.RIGHTS_HOLDER
