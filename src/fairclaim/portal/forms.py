from django import forms


class EvidenceUploadForm(forms.Form):
    bundle = forms.FileField(
        label="Evidence bundle (.wacz)",
        help_text="The file you downloaded from the case portal or received with a notice.",
    )
