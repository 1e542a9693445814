from django import forms

JURISDICTIONS = [("DE", "Germany"), ("US", "United States"), ("GB", "United Kingdom"),
                 ("AT", "Austria"), ("CH", "Switzerland"), ("FR", "France")]  # fmt: skip


class ClaimInputsForm(forms.Form):
    """What the rights holder knows about the use that the web page cannot tell."""

    jurisdiction = forms.ChoiceField(choices=JURISDICTIONS, help_text="Whose law applies")
    site_type = forms.ChoiceField(
        choices=[
            ("commercial", "Commercial site"),
            ("non_commercial", "Non-commercial"),
            ("private", "Private person"),
        ],
    )
    usage = forms.CharField(max_length=60, help_text="As named in your rate card")
    placement = forms.CharField(max_length=60, required=False)
    territory = forms.CharField(max_length=60, initial="worldwide")
    use_started_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="If you know the use began before fairclaim first saw it",
    )
    recipient_name = forms.CharField(max_length=200)
    recipient_type = forms.ChoiceField(
        choices=[("business", "Business"), ("micro_business", "Micro business"),
                 ("consumer", "Consumer"), ("charity", "Charity"), ("public_body", "Public body")],
    )
    recipient_country = forms.CharField(max_length=2, min_length=2)

    def clean_recipient_country(self):
        return self.cleaned_data["recipient_country"].upper()

    def as_inputs(self) -> dict:
        data = dict(self.cleaned_data)
        data["use_started_on"] = (
            data["use_started_on"].isoformat() if data["use_started_on"] else ""
        )
        return data
