from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from .throttle import LOGIN_PER_ACCOUNT, LOGIN_PER_ADDRESS, clear, locked_until, record_failure


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing to check passwords for a locked account or address.

    The lock message is the same whether or not the account exists.
    """

    def clean(self):
        now = timezone.now()
        username = (self.data.get("username") or "")[:150]
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        until = max(
            filter(None, [locked_until(LOGIN_PER_ACCOUNT, username, now),
                          locked_until(LOGIN_PER_ADDRESS, address, now)]),
            default=None,
        )  # fmt: skip
        if until:
            minutes = max(1, round((until - now).total_seconds() / 60))
            raise forms.ValidationError(
                f"Too many failed sign-ins. Try again in {minutes} minute{'s' * (minutes != 1)}.",
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            record_failure(LOGIN_PER_ACCOUNT, username, now)
            record_failure(LOGIN_PER_ADDRESS, address, now)
            raise
        clear(LOGIN_PER_ACCOUNT, username)
        return cleaned
