from django import forms
from django.forms import inlineformset_factory

from .models import Registration, Work


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
        label="Photos",
        help_text="JPEG, PNG, WebP, GIF, TIFF or AVIF — several at once, or a zip archive.",
    )


class WorkForm(forms.ModelForm):
    class Meta:
        model = Work
        fields = [
            "title",
            "creator",
            "copyright_notice",
            "description",
            "created_on",
            "first_published_on",
        ]
        widgets = {
            "created_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "first_published_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        cleaned = super().clean()
        created, published = cleaned.get("created_on"), cleaned.get("first_published_on")
        if created and published and published < created:
            self.add_error("first_published_on", "A photo cannot be published before it is taken.")
        return cleaned


RegistrationFormSet = inlineformset_factory(
    Work,
    Registration,
    fields=["office", "number", "effective_date", "group_registration"],
    extra=1,
    can_delete=True,
    widgets={"effective_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")},
)
