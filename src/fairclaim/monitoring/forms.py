from django import forms
from django.utils.translation import gettext_lazy as _


class SubmitPageForm(forms.Form):
    page_url = forms.URLField(
        label=_("Page address"), max_length=2048, assume_scheme="https",
        help_text=_("The web page where you saw your photo used."),
    )  # fmt: skip
    image_url = forms.URLField(
        label=_("Image address (optional)"), max_length=2048, required=False, assume_scheme="https",
        help_text=_(
            "Right-click the image → Copy image address. Leave empty to check every image."
        ),
    )  # fmt: skip
