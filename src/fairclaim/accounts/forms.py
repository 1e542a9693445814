from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext as _

from .clients import client_address
from .throttle import (
    LOGIN_PER_ACCOUNT,
    LOGIN_PER_ACCOUNT_CLIENT,
    LOGIN_PER_CLIENT,
    clear,
    first_wait,
    record_failure,
    wait_text,
)


class ThrottledSignInMixin:
    """Django's sign-in check behind the one sign-in throttle (every sign-in path uses it).

    Before a password is checked, the account, the client and the pair of them may ask to wait
    (growing delays, never a lock that outlasts `max_delay`); a failure counts against all
    three. The message is the same whether or not the account exists.
    """

    def clean(self):
        now = timezone.now()
        username = (self.data.get("username") or "")[:150].lower()
        client = client_address(self.request) if self.request else ""
        checks = [
            (LOGIN_PER_ACCOUNT_CLIENT, f"{username}|{client}"),
            (LOGIN_PER_ACCOUNT, username),
            (LOGIN_PER_CLIENT, client),
        ]
        until = first_wait(checks, now)
        if until:
            raise forms.ValidationError(
                _("Too many failed sign-ins. Try again in %(wait)s.")
                % {"wait": wait_text(until, now)},
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            for policy, subject in checks:
                record_failure(policy, subject, now)
            raise
        clear(LOGIN_PER_ACCOUNT_CLIENT, f"{username}|{client}")
        return cleaned


class ThrottledAuthenticationForm(ThrottledSignInMixin, AuthenticationForm):
    """The sign-in form of /accounts/login/."""


class ThrottledAdminAuthenticationForm(ThrottledSignInMixin, AdminAuthenticationForm):
    """The sign-in form of /admin/login/ (staff only), behind the same throttle."""
