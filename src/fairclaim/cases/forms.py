from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .usages import usage_choices

JURISDICTIONS = [("DE", _("Germany")), ("US", _("United States")), ("GB", _("United Kingdom")),
                 ("AT", _("Austria")), ("CH", _("Switzerland")), ("FR", _("France"))]  # fmt: skip


class ClaimInputsForm(forms.Form):
    """What the rights holder knows about the use that the web page cannot tell."""

    jurisdiction = forms.ChoiceField(
        label=_("Law that applies"), choices=JURISDICTIONS, help_text=_("Whose law applies")
    )
    site_type = forms.ChoiceField(
        label=_("Kind of site"),
        choices=[
            ("commercial", _("Commercial site")),
            ("non_commercial", _("Non-commercial")),
            ("private", _("Private person")),
        ],
        help_text=_(
            "From the imprint and content: commercial = a business, trade or profession "
            "(shop, company, freelancer, a blog with ads or affiliate links); non-commercial = an "
            "association, charity, school or public body; private = a person's own site used for "
            "no trade or profession (in Germany the claim goes ahead with lawyer fees capped, "
            "§97a(3) UrhG)"
        ),
    )
    usage = forms.ChoiceField(
        label=_("Use"), choices=(), help_text=_("As priced in your price list")
    )
    placement = forms.CharField(label=_("Placement"), max_length=60, required=False)
    territory = forms.CharField(label=_("Territory"), max_length=60, initial="worldwide")
    use_started_on = forms.DateField(
        label=_("Use started on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("If you know the use began before fairclaim first saw it"),
    )
    recipient_name = forms.CharField(label=_("Recipient's name"), max_length=200)
    recipient_type = forms.ChoiceField(
        label=_("Recipient is"),
        choices=[
            ("business", _("Business")),
            ("micro_business", _("Micro business")),
            ("consumer", _("Consumer")),
            ("charity", _("Charity")),
            ("public_body", _("Public body")),
        ],
    )
    recipient_country = forms.CharField(
        label=_("Recipient's country (ISO code)"), max_length=2, min_length=2
    )
    recipient_subdivision = forms.CharField(
        max_length=3,
        required=False,
        label=_("Recipient's state or region"),
        help_text=_(
            "For public holidays in the payment deadline: e.g. BY (Bavaria), CA "
            "(California), SCT (Scotland)"
        ),
    )

    def __init__(self, *args, usages: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["usage"].choices = list(usages) or usage_choices()

    def clean_recipient_country(self):
        return self.cleaned_data["recipient_country"].upper()

    def clean_recipient_subdivision(self):
        value = self.cleaned_data["recipient_subdivision"].strip().upper()
        if value and not value.isalnum():
            raise forms.ValidationError(_("Letters and digits only, e.g. BY or CA."))
        return value

    def as_inputs(self) -> dict:
        data = dict(self.cleaned_data)
        data["use_started_on"] = (
            data["use_started_on"].isoformat() if data["use_started_on"] else ""
        )
        return data


CURRENCIES = [("EUR", "EUR"), ("USD", "USD"), ("GBP", "GBP")]  # those `rules.facts.Pricing` knows
MAX_MONTHS = 120  # `rules.facts.PriceEntry.months`: a licence of at most ten years
MAX_PRICE = Decimal("1000000")  # above this a typo is likelier than a price


class RateCardForm(forms.Form):
    """The price list's own settings; its rows are `PriceRowFormSet`. Surcharges, expenses and the
    list's mode are kept as they are (set in the admin)."""

    creator_type = forms.ChoiceField(
        label=_("You are"),
        choices=[
            ("professional", _("Professional photographer")),
            ("hobby", _("Hobby photographer")),
        ],
        help_text=_("Courts price hobby photographs lower and allow no surcharges on them."),
    )
    name = forms.CharField(
        label=_("Name of the price list"),
        max_length=120,
        help_text=_("Each fee statement names the list its prices come from."),
    )
    future_licence_months = forms.IntegerField(
        label=_("Licence offered for future use, in months"),
        min_value=1,
        max_value=60,
        help_text=_("The recipient may buy this licence together with the past use."),
    )
    vat_rate = forms.DecimalField(
        label=_("VAT rate in percent"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        help_text=_("0 if you charge no VAT."),
    )
    vat_on_past_use = forms.BooleanField(label=_("VAT on the fee for past use"), required=False)
    vat_on_future_licence = forms.BooleanField(
        label=_("VAT on the licence for future use"), required=False
    )
    own_domains = forms.CharField(
        required=False,
        label=_("Your own sites"),
        help_text=_(
            "Never claimed, subdomains included; separate several with spaces or commas "
            "(e.g. anna-berg.de annaberg.photo)"
        ),
    )
    agency_domains = forms.CharField(
        required=False,
        label=_("Your agency's sites"),
        help_text=_("Sites of the agency that represents or distributes your work"),
    )

    @staticmethod
    def initial_for(pricing: dict, organisation, creator_type: str) -> dict:
        vat = pricing.get("vat") or {}
        return {
            "creator_type": creator_type,
            "name": pricing.get("name", ""),
            "future_licence_months": pricing.get("future_licence_months", 12),
            "vat_rate": (Decimal(str(vat.get("rate", "0"))) * 100).normalize(),
            "vat_on_past_use": vat.get("on_past_use", False),
            "vat_on_future_licence": vat.get("on_future_licence", True),
            "own_domains": " ".join(organisation.own_domains),
            "agency_domains": " ".join(organisation.agency_domains),
        }

    def _domains(self, name: str) -> list[str]:
        from fairclaim.rules.domains import host_of, registrable_domain

        hosts = []
        for entry in self.cleaned_data[name].replace(",", " ").split():
            host = host_of(entry)
            if registrable_domain(entry) is None or not host:
                # a bare suffix (github.io, co.uk) would make every site on it "yours"
                raise forms.ValidationError(
                    _("%(entry)s is not a site of its own (a domain).") % {"entry": repr(entry)}
                )
            if host not in hosts:
                hosts.append(host)
        return hosts

    def clean_own_domains(self):
        return self._domains("own_domains")

    def clean_agency_domains(self):
        return self._domains("agency_domains")

    def save_sites(self, organisation) -> None:
        """Store the own and agency sites on the organisation (the rate card is per owner)."""
        organisation.own_domains = self.cleaned_data["own_domains"]
        organisation.agency_domains = self.cleaned_data["agency_domains"]
        organisation.save(update_fields=["own_domains", "agency_domains"])


# A row's narrowing the form does not show (placement, size, territory): kept as it was.
KEPT_ENTRY_KEYS = ("placement", "size", "territory")


class PriceRowForm(forms.Form):
    """One price: a use type, how long the licence runs, the price and its currency."""

    usage = forms.ChoiceField(label=_("Use"), choices=())
    months = forms.IntegerField(
        label=_("Duration in months"),
        min_value=1,
        max_value=MAX_MONTHS,
        error_messages={
            "min_value": _("A licence runs at least 1 month."),
            "max_value": _("A licence runs at most 120 months."),
            "invalid": _("Give the duration as a whole number of months, e.g. 12."),
        },
    )
    price = forms.DecimalField(
        label=_("Price"),
        min_value=0,
        max_value=MAX_PRICE,
        max_digits=12,
        decimal_places=2,
        error_messages={
            "min_value": _("A price cannot be negative."),
            "invalid": _("Give the price as a number, e.g. 450.00."),
        },
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES)
    reference = forms.CharField(
        label=_("Where the price comes from"),
        max_length=200,
        required=False,
        help_text=_("e.g. your published price list or an invoice"),
    )
    keep = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, usages: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["usage"].choices = [("", "—"), *usages]

    def has_changed(self) -> bool:
        """A row counts as filled in when it names a use, a duration, a price or a source; the
        currency alone (a select always sends one) leaves a blank row blank."""
        named = ("usage", "months", "price", "reference", "keep")
        return any(self[name].value() not in (None, "") for name in named)

    def clean_keep(self) -> dict:
        import json

        raw = self.cleaned_data["keep"]
        try:
            kept = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            kept = None
        if not isinstance(kept, dict) or not set(kept) <= set(KEPT_ENTRY_KEYS):
            raise forms.ValidationError(_("This row was changed elsewhere: reload the page."))
        return kept

    def as_entry(self) -> dict:
        data = self.cleaned_data
        entry = {"usage": data["usage"], "months": data["months"], "price": f"{data['price']:.2f}"}
        entry.update({k: v for k, v in data["keep"].items() if v is not None})
        if data["reference"]:
            entry["reference"] = data["reference"]
        return entry

    @staticmethod
    def initial_for(entry: dict, currency: str) -> dict:
        import json

        kept = {k: entry[k] for k in KEPT_ENTRY_KEYS if entry.get(k) is not None}
        return {
            "usage": entry.get("usage", ""),
            "months": entry.get("months"),
            "price": entry.get("price"),
            "currency": currency,
            "reference": entry.get("reference") or "",
            "keep": json.dumps(kept) if kept else "",
        }


class BasePriceRowFormSet(forms.BaseFormSet):
    """The rows of a price list: at least one, one currency, each use and duration priced once.
    Each problem is reported on the row and field it concerns."""

    def __init__(self, *args, usages: list[tuple[str, str]] = (), currency: str = "", **kwargs):
        self.usages = list(usages)
        self.default_currency = currency
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "usages": self.usages}

    def _construct_form(self, i, **kwargs):
        # A new row starts in the list's currency, not the first one of the select.
        if self.default_currency and i >= self.initial_form_count() and not self.is_bound:
            kwargs.setdefault("initial", {"currency": self.default_currency})
        return super()._construct_form(i, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            usages=self.usages,
            renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form

    def kept_rows(self) -> list[PriceRowForm]:
        """The valid rows not marked for removal, in order (blank rows are skipped)."""
        return [
            form
            for form in self.forms
            if form.has_changed() and not self._should_delete_form(form) and form.is_valid()
        ]

    def clean(self):
        if any(self.errors):
            return
        rows = self.kept_rows()
        if not rows:
            raise forms.ValidationError(_("Give at least one price."))
        currency = rows[0].cleaned_data["currency"]
        seen: dict[tuple, int] = {}
        for number, form in enumerate(rows, start=1):
            data = form.cleaned_data
            if data["currency"] != currency:
                form.add_error(
                    "currency",
                    _("All prices of one list are in one currency (row 1: %(currency)s).")
                    % {"currency": currency},
                )
            key = (data["usage"], data["months"], *(data["keep"].get(k) for k in KEPT_ENTRY_KEYS))
            if key in seen:
                form.add_error(
                    "months",
                    _("Row %(row)d already prices this use for this duration.")
                    % {"row": seen[key]},
                )
            seen.setdefault(key, number)

    def currency(self) -> str:
        return self.kept_rows()[0].cleaned_data["currency"]


PriceRowFormSet = forms.formset_factory(
    PriceRowForm, formset=BasePriceRowFormSet, extra=2, can_delete=True
)


class RecipientForm(forms.Form):
    """Who the notice goes to; prefilled from the case (or the site's imprint when empty)."""

    recipient_name = forms.CharField(label=_("Recipient's name"), max_length=200, required=False)
    recipient_email = forms.EmailField(label=_("Recipient's e-mail"), required=False)
    recipient_address = forms.CharField(
        label=_("Postal address"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    recipient_country = forms.CharField(label=_("Country (ISO code)"), max_length=2, required=False)
    jurisdiction = forms.ChoiceField(
        label=_("Law claimed under"),
        choices=JURISDICTIONS,
        help_text=_("Only while the case is a draft"),
    )

    def clean_recipient_country(self):
        return self.cleaned_data["recipient_country"].upper()


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=10_000, widget=forms.Textarea(attrs={"rows": 2}))


class LineReasonForm(ReasonForm):
    line = forms.IntegerField()


class NoteForm(forms.Form):
    text = forms.CharField(max_length=10_000, widget=forms.Textarea(attrs={"rows": 3}))


class SettlementForm(ReasonForm):
    amount = forms.DecimalField(min_value=Decimal("0.01"), max_digits=12, decimal_places=2)


class CloseClaimForm(ReasonForm):
    how = forms.ChoiceField(
        choices=[("withdraw", "Withdraw"), ("dismiss", "Dismiss"), ("licensed", "Licensed")]
    )
