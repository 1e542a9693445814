"""The sign-in audit trail: every sign-in, failure, second-factor check and password reset.

Rows are written by Django's auth signals (password sign-ins and failures, on every sign-in
path: /accounts/login/ and /admin/login/) and by the views that check codes and reset passwords.
The client is the address the sign-in throttle counts, so the trail and the throttle agree.
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from .clients import client_address
from .models import SignInEvent, User

Kind = SignInEvent.Kind
USER_AGENT_LENGTH = 300  # the column's size; longer agents are cut, never refused
RECENT = 20  # sign-ins shown on the account page


def record(kind: str, request=None, *, user: User | None = None, attempted: str = "", now=None):
    meta = getattr(request, "META", {}) if request is not None else {}
    return SignInEvent.objects.create(
        at=now or timezone.now(),
        kind=kind,
        user=user,
        attempted=(attempted or (user.get_username() if user else ""))[:254],
        organisation_id=user.organisation_id if user else None,
        client=client_address(request) if meta else "",
        user_agent=meta.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH],
    )


def recent_for_user(user: User, limit: int = RECENT):
    return SignInEvent.objects.filter(user=user)[:limit]


def recent_for_organisation(organisation_id: int, limit: int = 100):
    return SignInEvent.objects.filter(organisation_id=organisation_id).select_related("user")[
        :limit
    ]


@receiver(user_logged_in, dispatch_uid="accounts.audit.signed_in")
def _signed_in(sender, request, user, **kwargs):
    if request is not None and getattr(request, "method", None) == "POST":
        record(Kind.SIGNED_IN, request, user=user)


@receiver(user_login_failed, dispatch_uid="accounts.audit.failed")
def _failed(sender, credentials, request=None, **kwargs):
    attempted = str(credentials.get("username", ""))
    user = User.objects.filter(username__iexact=attempted).first() if attempted else None
    record(Kind.FAILED, request, user=user, attempted=attempted)
