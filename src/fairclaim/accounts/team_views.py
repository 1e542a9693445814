"""The team page (members, invitations, the membership log, the team's sign-ins) and the
invitation link. Thin shells over `team`; every change is a POST and is logged there."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from . import audit, team, two_factor
from .forms import InviteForm, NewMemberForm
from .models import Invitation, User


def _organisation_of(user):
    if not user.organisation_id:
        raise Http404("You are not a member of any organisation.")
    return user.organisation


@login_required
@require_http_methods(["GET", "POST"])
def show_team(request):
    organisation = _organisation_of(request.user)
    manages = team.may_manage_team(request.user)
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        if not manages:
            raise Http404
        if form.is_valid():
            email = form.cleaned_data["email"]
            try:
                team.check_invite(request.user, email)
                team.do_invite(request.user, email, form.cleaned_data["role"], timezone.now())
            except team.TeamError as exc:
                form.add_error("email", str(exc))
            else:
                messages.success(request, f"Invitation sent to {email}.")
                return redirect("accounts:team")
    members = list(team.members_of(organisation))
    context = {
        "organisation": organisation,
        "members": [(m, two_factor.is_enrolled(m)) for m in members],
        "manages": manages,
        "form": form,
        "invitations": organisation.invitations.filter(accepted_at=None, revoked_at=None)
        if manages else [],
        "log": organisation.membership_events.all()[:50] if manages else [],
        "sign_ins": audit.recent_for_organisation(organisation.pk) if manages else [],
        "now": timezone.now(),
    }  # fmt: skip
    return render(request, "accounts/team.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def revoke_invitation(request, pk):
    organisation = _organisation_of(request.user)
    invitation = get_object_or_404(Invitation, pk=pk, organisation=organisation)
    try:
        team.do_revoke(request.user, invitation, timezone.now())
    except team.TeamError as exc:
        raise Http404 from exc
    messages.success(request, f"The invitation to {invitation.email} was withdrawn.")
    return redirect("accounts:team")


@login_required
@require_POST
def remove_member(request, pk):
    organisation = _organisation_of(request.user)
    member = get_object_or_404(User, pk=pk, organisation=organisation)
    try:
        if request.POST.get("action") == "make_admin":
            team.do_make_admin(request.user, member, timezone.now())
            messages.success(request, f"{member} is now a team admin.")
        else:
            team.do_remove(request.user, member, timezone.now())
            messages.success(request, f"{member} was removed from {organisation}.")
    except team.TeamError as exc:
        messages.error(request, str(exc))
    return redirect("accounts:team")


@login_required
@require_POST
def leave_team(request):
    organisation = _organisation_of(request.user)
    try:
        team.do_leave(request.user, timezone.now())
    except team.TeamError as exc:
        messages.error(request, str(exc))
        return redirect("accounts:team")
    messages.success(request, f"You left {organisation}.")
    return redirect("accounts:home")


@never_cache
@require_http_methods(["GET", "POST"])
def accept_invitation(request, token):
    invitation = team.invitation_from(token)
    if invitation is None:
        raise Http404("This invitation link is not valid.")
    now = timezone.now()
    problem = team.open_problem(invitation, now)
    user = request.user
    form = None if user.is_authenticated else NewMemberForm(request.POST or None)
    if request.method == "POST" and not problem:
        joining = user if user.is_authenticated else None
        if joining is None and form.is_valid():
            joining = form.save(commit=False)
        if joining is not None:
            try:
                team.check_accept(invitation, joining, now)
                team.do_accept(invitation, joining, now)
            except team.TeamError as exc:
                problem = str(exc)
            else:
                if not user.is_authenticated:
                    login(request, joining, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, f"Welcome to {invitation.organisation}.")
                return redirect("accounts:team")
    elif user.is_authenticated and not problem:
        try:
            team.check_accept(invitation, user, now)
        except team.TeamError as exc:
            problem = str(exc)
    context = {"invitation": invitation, "problem": problem, "form": form, "token": token}
    status = 410 if problem and request.method == "GET" else 200
    return render(request, "accounts/accept_invitation.html", context, status=status)
