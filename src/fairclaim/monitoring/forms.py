from django import forms


class SubmitPageForm(forms.Form):
    page_url = forms.URLField(
        label="Page address", max_length=2048, assume_scheme="https",
        help_text="The web page where you saw your photo used.",
    )  # fmt: skip
    image_url = forms.URLField(
        label="Image address (optional)", max_length=2048, required=False, assume_scheme="https",
        help_text="Right-click the image → Copy image address. Leave empty to check every image.",
    )  # fmt: skip
