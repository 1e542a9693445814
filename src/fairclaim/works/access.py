"""Who may see and change works and licences (the rules in `fairclaim.accounts.access`)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from fairclaim.accounts.access import can_change_works, handled_organisations
from fairclaim.accounts.models import User

from .models import Licence, Work


def works_for(user: User) -> QuerySet[Work]:
    if user.is_authenticated and user.is_platform_admin:
        return Work.objects.all()
    return Work.objects.filter(owner__in=handled_organisations(user))


def licences_for(user: User) -> QuerySet[Licence]:
    if user.is_authenticated and user.is_platform_admin:
        return Licence.objects.all()
    return Licence.objects.filter(owner__in=handled_organisations(user))


def get_work_for_user(request, pk: int, *, write: bool = False) -> Work:
    work = get_object_or_404(works_for(request.user), pk=pk)
    if write and not can_change_works(request.user):
        raise PermissionDenied(_("You may view this work but not change it."))
    return work
