from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Agreement

TERMS_FIELDS = [
    "commission_percent",
    "card_fee_percent",
    "card_fee_fixed",
    "chargeback_fee",
    "card_costs_bearer",
    "law_firm_fee_percent",
    "law_firm_costs_bearer",
    "currency",
    "minimum_payout",
]
ACCOUNT_FIELDS = ["account_holder", "iban", "bic"]


class AgreementForm(forms.ModelForm):
    """The whole agreement; fields a user may not change are shown disabled (Django then keeps
    the stored value whatever is posted)."""

    class Meta:
        model = Agreement
        fields = TERMS_FIELDS + ACCOUNT_FIELDS
        labels = {
            "commission_percent": _("Commission percent"),
            "card_fee_percent": _("Card fee percent"),
            "card_fee_fixed": _("Card fee fixed"),
            "chargeback_fee": _("Chargeback fee"),
            "card_costs_bearer": _("Card costs bearer"),
            "law_firm_fee_percent": _("Law firm fee percent"),
            "law_firm_costs_bearer": _("Law firm costs bearer"),
            "currency": _("Currency"),
            "minimum_payout": _("Minimum payout"),
            "account_holder": _("Account holder"),
        }

    def __init__(self, *args, terms: bool, account: bool, **kwargs):
        super().__init__(*args, **kwargs)
        for name in TERMS_FIELDS:
            self.fields[name].disabled = not terms
        for name in ACCOUNT_FIELDS:
            self.fields[name].disabled = not account


class DraftRunForm(forms.Form):
    cutoff = forms.DateField(
        label=_("Include money booked up to the end of"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    execution_date = forms.DateField(
        label=_("Transfer on"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["cutoff"].initial = today - timedelta(days=1)
        self.fields["execution_date"].initial = today + timedelta(days=1)

    def clean(self):
        data = super().clean()
        if data.get("cutoff") and data["cutoff"] >= self.today:
            self.add_error("cutoff", _("Choose a day that has ended (yesterday or earlier)."))
        if data.get("execution_date") and data["execution_date"] < self.today:
            self.add_error("execution_date", _("Transfers cannot be requested for a past day."))
        return data
