from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from fairclaim.cases.models import Defence


class EvidenceUploadForm(forms.Form):
    bundle = forms.FileField(
        label=_("Evidence bundle (.wacz)"),
        help_text=_("The file you downloaded from the case portal or received with a notice."),
    )


class AccessForm(forms.Form):
    reference = forms.CharField(
        label=_("Case reference"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "placeholder": "FC-2026-000123",
                "autocapitalize": "characters",
            }
        ),
    )
    code = forms.CharField(
        label=_("Access code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "placeholder": "XXXX-XXXX-XXXX-XXXX",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        ),
    )


class LicenceForm(forms.Form):
    licensee = forms.CharField(label=_("Who holds the licence"), max_length=200)
    source = forms.CharField(
        label=_("Where it came from"),
        max_length=200,
        help_text=_("For example the stock agency, the photographer, or your web designer."),
    )
    reference = forms.CharField(
        label=_("Licence or invoice number"), max_length=200, required=False
    )
    licensed_on = forms.DateField(
        label=_("Date of the licence"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    details = forms.CharField(
        label=_("Anything else we should know"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    proof = forms.FileField(
        label=_("Proof (PDF, JPEG or PNG, up to 20 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class DefenceForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Your defence"), choices=Defence.Kind.choices, widget=forms.RadioSelect
    )
    statement = forms.CharField(
        label=_("Explain in your own words"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10_000,
    )
    evidence = forms.FileField(
        label=_("Evidence (optional: PDF, JPEG or PNG)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )


def instalments_label(n: int):
    # A lazy plural keyed by name: said in the reader's language when the form is shown.
    return ngettext_lazy("In %(n)s monthly instalment", "In %(n)s monthly instalments", "n") % {
        "n": n
    }


class PaymentForm(forms.Form):
    offer = forms.ChoiceField(
        label=_("What would you like to do?"),
        choices=[
            ("past_only", _("Pay for the past use; I have removed or will remove the photo")),
            ("past_and_future", _("Pay for the past use and license the photo for the future")),
        ],
        widget=forms.RadioSelect,
    )
    removal_confirmed = forms.BooleanField(
        label=_("I confirm the photo is removed from my site"), required=False
    )
    instalments = forms.TypedChoiceField(
        label=_("How to pay"),
        coerce=int,
        initial=1,
        choices=[(1, _("At once"))] + [(n, instalments_label(n)) for n in range(2, 7)],
    )
    method = forms.ChoiceField(
        label=_("Payment method"),
        widget=forms.RadioSelect,
        initial="card",
        choices=[("card", _("Card")), ("bank_transfer", _("Bank transfer"))],
    )

    def __init__(self, *args, methods: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if methods is not None:  # only the methods whose provider is configured
            field = self.fields["method"]
            field.choices = [c for c in field.choices if c[0] in methods]
            field.initial = field.choices[0][0] if field.choices else None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("offer") == "past_only" and not cleaned.get("removal_confirmed"):
            self.add_error(
                "removal_confirmed",
                _("Please confirm the photo is removed, or choose the licence."),
            )
        return cleaned


class NoticeCheckForm(forms.Form):
    reference = forms.CharField(label=_("Case reference"), max_length=40, required=False)
    code = forms.CharField(label=_("Access code"), max_length=40, required=False)
    pdf = forms.FileField(label=_("Or upload the notice PDF"), required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("pdf") and not (cleaned.get("reference") and cleaned.get("code")):
            raise forms.ValidationError(_("Enter the reference and the code, or upload the PDF."))
        return cleaned
