"""An organisation's team: invitations by e-mail, joining, leaving and removal, each logged.

An invitation link carries a signed (pk, nonce); it works until it expires, once, and not after
it is revoked. The member's role follows the organisation's kind (a rights holder's people are
rights holders, an operator's are case managers, a firm's are its lawyers); the invitation says
whether they join as a member, read-only, or as a team admin. A team always keeps one admin.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Invitation, MembershipEvent, Organisation, User

INVITATION_LIFETIME = timedelta(days=7)  # long enough for a holiday, short for a leaked link
SALT = "fairclaim.accounts.invitation"
ROLE_FOR_KIND = {
    Organisation.Kind.RIGHTS_HOLDER: User.Role.RIGHTS_HOLDER,
    Organisation.Kind.OPERATOR: User.Role.CASE_MANAGER,
    Organisation.Kind.LAW_FIRM: User.Role.LAW_FIRM,
}
Event = MembershipEvent.Kind


class TeamError(Exception):
    """A membership change that may not happen; the message says why, for the person asking."""


def may_manage_team(user: User) -> bool:
    return bool(
        user.is_authenticated and user.organisation_id and user.team_admin and not user.read_only
    )


def members_of(organisation: Organisation):
    return organisation.members.filter(is_active=True).order_by("username")


def log(organisation, kind: str, member: str, actor: str, now: datetime, role: str = ""):
    MembershipEvent.objects.create(
        organisation=organisation, kind=kind, member=member, actor=actor, role=role, at=now
    )


def token_for(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=SALT)


def invitation_from(token: str) -> Invitation | None:
    """The invitation a link names, or None for a forged or mangled link (state not checked)."""
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return Invitation.objects.filter(pk=value.get("i"), nonce=value.get("n")).first()


def open_problem(invitation: Invitation, now: datetime) -> str:
    """Why this invitation can no longer be used, or "" when it can."""
    if invitation.accepted_at:
        return "This invitation has already been used."
    if invitation.revoked_at:
        return "This invitation was withdrawn."
    if now >= invitation.expires_at:
        return "This invitation has expired. Ask for a new one."
    return ""


def check_invite(admin: User, email: str) -> None:
    if not may_manage_team(admin):
        raise TeamError("Only a team admin may invite members.")
    if members_of(admin.organisation).filter(email__iexact=email).exists():
        raise TeamError(f"{email} is already a member of {admin.organisation}.")


def do_invite(admin: User, email: str, role: str, now: datetime) -> Invitation:
    """Invite `email` into the admin's organisation and send the link (check_invite first).

    An earlier open invitation for the same address is withdrawn: one link per person."""
    organisation = admin.organisation
    with transaction.atomic():
        Invitation.objects.filter(
            organisation=organisation, email__iexact=email, accepted_at=None, revoked_at=None
        ).update(revoked_at=now)
        invitation = Invitation.objects.create(
            organisation=organisation, email=email, role=role, invited_by=admin,
            nonce=secrets.token_hex(16), created_at=now, expires_at=now + INVITATION_LIFETIME,
        )  # fmt: skip
        log(organisation, Event.INVITED, email, admin.get_username(), now, role)
        # Inside the transaction: when the mail cannot be sent, no invitation exists that
        # nobody was told about.
        _send_invitation(invitation)
    return invitation


def _send_invitation(invitation: Invitation) -> None:
    link = settings.FAIRCLAIM_PUBLIC_URL + reverse(
        "accounts:accept_invitation", args=[token_for(invitation)]
    )
    context = {"invitation": invitation, "link": link, "lifetime_days": INVITATION_LIFETIME.days}
    send_mail(
        f"You are invited to join {invitation.organisation} on fairclaim",
        render_to_string("accounts/invitation_email.txt", context),
        None,
        [invitation.email],
    )


def do_revoke(admin: User, invitation: Invitation, now: datetime) -> None:
    if not may_manage_team(admin) or invitation.organisation_id != admin.organisation_id:
        raise TeamError("Only a team admin may withdraw this invitation.")
    if Invitation.objects.filter(pk=invitation.pk, accepted_at=None, revoked_at=None).update(
        revoked_at=now
    ):
        log(invitation.organisation, Event.INVITATION_REVOKED, invitation.email,
            admin.get_username(), now)  # fmt: skip


def check_accept(invitation: Invitation, user: User, now: datetime) -> None:
    problem = open_problem(invitation, now)
    if problem:
        raise TeamError(problem)
    if user.pk and user.organisation_id == invitation.organisation_id:
        raise TeamError(f"You are already a member of {invitation.organisation}.")
    if user.pk and user.organisation_id:
        raise TeamError(
            f"Your account belongs to {user.organisation}. Leave it first, or create a new "
            "account with this invitation."
        )


def do_accept(invitation: Invitation, user: User, now: datetime) -> User:
    """Make `user` (saved or new) a member, using the invitation up (check_accept first).

    The invitation is claimed with a conditional UPDATE: two tabs cannot both use it."""
    with transaction.atomic():
        claimed = Invitation.objects.filter(
            pk=invitation.pk, accepted_at=None, revoked_at=None, expires_at__gt=now
        ).update(accepted_at=now)
        if not claimed:
            raise TeamError("This invitation has already been used.")
        organisation = invitation.organisation
        user.organisation = organisation
        user.role = ROLE_FOR_KIND[organisation.kind]
        user.read_only = invitation.role == Invitation.Role.READ_ONLY
        user.team_admin = invitation.role == Invitation.Role.TEAM_ADMIN
        if not user.email:
            user.email = invitation.email
        user.save()
        Invitation.objects.filter(pk=invitation.pk).update(accepted_by=user)
        log(organisation, Event.JOINED, user.get_username(), user.get_username(), now,
            invitation.role)  # fmt: skip
    return user


def _last_admin(member: User) -> bool:
    others = members_of(member.organisation).filter(team_admin=True).exclude(pk=member.pk)
    return member.team_admin and not others.exists()


def do_leave(member: User, now: datetime) -> None:
    if not member.organisation_id:
        raise TeamError("You are not a member of any organisation.")
    if _last_admin(member):
        raise TeamError("You are the team's only admin. Make another member admin first.")
    _detach(member, Event.LEFT, member.get_username(), now)


def do_remove(admin: User, member: User, now: datetime) -> None:
    if not may_manage_team(admin) or member.organisation_id != admin.organisation_id:
        raise TeamError("Only a team admin may remove members.")
    if _last_admin(member):
        raise TeamError("The team's only admin cannot be removed.")
    _detach(member, Event.REMOVED, admin.get_username(), now)


def do_make_admin(admin: User, member: User, now: datetime) -> None:
    if not may_manage_team(admin) or member.organisation_id != admin.organisation_id:
        raise TeamError("Only a team admin may change a member's role.")
    User.objects.filter(pk=member.pk).update(team_admin=True, read_only=False)
    log(admin.organisation, Event.ROLE_CHANGED, member.get_username(), admin.get_username(), now,
        Invitation.Role.TEAM_ADMIN)  # fmt: skip


def _detach(member: User, kind: str, actor: str, now: datetime) -> None:
    organisation = member.organisation
    with transaction.atomic():
        User.objects.filter(pk=member.pk).update(
            organisation=None, team_admin=False, read_only=False
        )
        log(organisation, kind, member.get_username(), actor, now)
    member.refresh_from_db()
