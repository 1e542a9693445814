"""The law firm's actions on the case page (outcome, note, message to the manager)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .access import get_case_for_user
from .actions import CaseChanged
from .firm import FirmActionRefused, do_add_note, do_message_manager, do_record_outcome


@login_required
@require_POST
def firm_action(request, reference, action):
    case = get_case_for_user(request, reference)  # 404 for anyone the case is not visible to
    data, user, now = request.POST, request.user, timezone.now()
    try:
        if action == "outcome":
            do_record_outcome(
                case, data.get("outcome", ""), amount=data.get("amount", ""),
                note=data.get("note", ""), user=user, now=now,
            )  # fmt: skip
            messages.success(request, _("Outcome recorded in the case log."))
        elif action == "note":
            do_add_note(case, data.get("note", ""), user=user, now=now)
            messages.success(request, _("Note added to the case log."))
        elif action == "message":
            do_message_manager(case, data.get("body", ""), user=user, now=now)
            messages.success(request, _("Sent to the case manager."))
        else:
            messages.error(request, _("Unknown action."))
    except (FirmActionRefused, CaseChanged) as problem:
        messages.error(request, str(problem) or "The case changed meanwhile; please try again.")
    return redirect(case)
