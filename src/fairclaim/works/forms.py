from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from .models import Licence, Registration, Work


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern for multi-file upload)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,.zip"}))
        # Intake refuses empty files one by one; here one would fail the whole batch.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    photos = MultipleFileField(
        label=_("Photos"),
        help_text=_("JPEG, PNG, WebP, GIF, TIFF or AVIF — several at once, or a zip archive."),
    )


class WorkForm(forms.ModelForm):
    licence_url = forms.URLField(
        required=False,
        max_length=500,
        assume_scheme="https",
        label=_("Licence URL"),
        help_text=_("e.g. https://creativecommons.org/licenses/by/4.0/"),
    )

    class Meta:
        model = Work
        fields = [
            "title",
            "creator",
            "copyright_notice",
            "description",
            "created_on",
            "first_published_on",
            "licence",
            "licence_url",
        ]
        widgets = {
            "created_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "first_published_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "title": _("Title"),
            "creator": _("Creator"),
            "copyright_notice": _("Copyright notice"),
            "description": _("Description"),
            "created_on": _("Created on"),
            "first_published_on": _("First published on"),
            "licence": _("Licence"),
        }

    def clean(self):
        cleaned = super().clean()
        created, published = cleaned.get("created_on"), cleaned.get("first_published_on")
        if created and published and published < created:
            self.add_error(
                "first_published_on", _("A photo cannot be published before it is taken.")
            )
        return cleaned


RegistrationFormSet = inlineformset_factory(
    Work,
    Registration,
    fields=["office", "number", "effective_date", "group_registration"],
    extra=1,
    can_delete=True,
    labels={
        "office": _("Office"),
        "number": _("Number"),
        "effective_date": _("Effective date"),
        "group_registration": _("Group registration"),
    },
    widgets={"effective_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")},
)


class LicenceForm(forms.ModelForm):
    domains_text = forms.CharField(
        label=_("Domains"), required=False, help_text=_("Separate several with spaces or commas")
    )

    class Meta:
        model = Licence
        fields = ["licensee_name", "licensee_email", "work", "usage", "source", "media",
                  "territory", "starts_on", "ends_on", "reference", "proven_in_case",
                  "notes"]  # fmt: skip
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "licensee_name": _("Licensee name"),
            "licensee_email": _("Licensee e-mail"),
            "work": _("Work"),
            "usage": _("Usage"),
            "source": _("Source"),
            "media": _("Media"),
            "territory": _("Territory"),
            "starts_on": _("Starts on"),
            "ends_on": _("Ends on"),
            "reference": _("Reference"),
            "proven_in_case": _("Proven in case"),
            "notes": _("Notes"),
        }

    def __init__(self, *args, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work"].queryset = Work.objects.filter(owner=owner)
        self.initial.setdefault("domains_text", " ".join(self.instance.domains or []))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("A licence cannot end before it starts."))
        raw = cleaned.get("domains_text", "").replace(",", " ").split()
        self.instance.domains = [d.lower().strip("/") for d in raw]
        return cleaned


class LedgerImportForm(forms.Form):
    csv_file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: licensee, licensee_email, domains, work, usage, source, territory, "
            "media, starts_on, ends_on, reference (only licensee is required)."
        ),
    )
