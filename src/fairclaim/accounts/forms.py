from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit
from .clients import client_address
from .models import Invitation, User
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
            audit.record(audit.Kind.THROTTLED, self.request, attempted=username, now=now)
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


class CodeForm(forms.Form):
    """A second-factor code: six digits from the app, or one recovery code."""

    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail"))
    role = forms.ChoiceField(label=gettext_lazy("Joins as"), choices=Invitation.Role.choices)


class NewMemberForm(BaseUserCreationForm):
    """A new account made from an invitation: a username and a password (twice)."""

    class Meta(BaseUserCreationForm.Meta):
        model = User
        fields = ("username",)
