from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from fairclaim.discovery.addresses import resolve_checked
from fairclaim.discovery.errors import DiscoveryError

from .delivery import EVENTS
from .scopes import SCOPES


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text=_("What uses this key, e.g. “DAM sync” or “accounting export”.")
    )
    scopes = forms.MultipleChoiceField(
        choices=[(key, _(text)) for key, text in SCOPES.items()],
        widget=forms.CheckboxSelectMultiple,
    )


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(
        label=_("Endpoint URL"), max_length=2048, assume_scheme="https",
        help_text=_("Your system's address that receives events (HTTPS)."),
    )  # fmt: skip
    events = forms.MultipleChoiceField(
        choices=[(key, _(text)) for key, text in EVENTS.items()],
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_url(self):
        url = self.cleaned_data["url"]
        parts = urlsplit(url)
        if parts.scheme not in {"https", "http"} or not parts.hostname:
            raise forms.ValidationError(_("Give an http(s) address with a host name."))
        if parts.username or parts.password:
            raise forms.ValidationError(_("Leave user names and passwords out of the address."))
        # Checked now for a clear message; every delivery is checked again (DNS may change).
        try:
            resolve_checked(
                parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
                allow_loopback=settings.FAIRCLAIM_ALLOW_LOOPBACK,
            )  # fmt: skip
        except DiscoveryError as exc:
            raise forms.ValidationError(f"This address cannot receive webhooks: {exc}") from None
        return url
