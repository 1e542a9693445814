from decimal import Decimal

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
        help_text="From the imprint and content: commercial = a business, trade or profession "
        "(shop, company, freelancer, a blog with ads or affiliate links); non-commercial = an "
        "association, charity, school or public body; private = a person's own site used for "
        "no trade or profession (in Germany the claim goes ahead with lawyer fees capped, "
        "§97a(3) UrhG)",
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
        choices=[
            ("business", "Business"),
            ("micro_business", "Micro business"),
            ("consumer", "Consumer"),
            ("charity", "Charity"),
            ("public_body", "Public body"),
        ],
    )
    recipient_country = forms.CharField(max_length=2, min_length=2)
    recipient_subdivision = forms.CharField(
        max_length=3,
        required=False,
        label="Recipient's state or region",
        help_text="For public holidays in the payment deadline: e.g. BY (Bavaria), CA "
        "(California), SCT (Scotland)",
    )

    def clean_recipient_country(self):
        return self.cleaned_data["recipient_country"].upper()

    def clean_recipient_subdivision(self):
        value = self.cleaned_data["recipient_subdivision"].strip().upper()
        if value and not value.isalnum():
            raise forms.ValidationError("Letters and digits only, e.g. BY or CA.")
        return value

    def as_inputs(self) -> dict:
        data = dict(self.cleaned_data)
        data["use_started_on"] = (
            data["use_started_on"].isoformat() if data["use_started_on"] else ""
        )
        return data


class RateCardForm(forms.Form):
    """Prices as JSON in the facts format (`rules.facts.Pricing`), checked field by field."""

    creator_type = forms.ChoiceField(
        choices=[("professional", "Professional photographer"), ("hobby", "Hobby photographer")]
    )
    own_domains = forms.CharField(
        required=False,
        label="Your own sites",
        help_text="Never claimed, subdomains included; separate several with spaces or commas "
        "(e.g. anna-berg.de annaberg.photo)",
    )
    agency_domains = forms.CharField(
        required=False,
        label="Your agency's sites",
        help_text="Sites of the agency that represents or distributes your work",
    )
    pricing = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "code"}),
        help_text="mode, name, currency, entries (usage, placement, size, territory, months, "
        "price as a decimal string, reference), surcharges, expenses, future_licence_months, vat. "
        "See docs/facts/README.md.",
    )

    def clean_pricing(self):
        import json

        from pydantic import ValidationError

        from fairclaim.rules.facts import Pricing

        try:
            data = json.loads(self.cleaned_data["pricing"])
            Pricing.model_validate_json(json.dumps(data))
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc}") from None
        except RecursionError:  # probe L5: 50,000 nested arrays were a 500
            raise forms.ValidationError("The JSON is nested too deeply.") from None
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"]) or "(top level)"
            raise forms.ValidationError(f"{where}: {first['msg']}") from None
        return data

    def _domains(self, name: str) -> list[str]:
        from fairclaim.rules.domains import host_of, registrable_domain

        hosts = []
        for entry in self.cleaned_data[name].replace(",", " ").split():
            host = host_of(entry)
            if registrable_domain(entry) is None or not host:
                # a bare suffix (github.io, co.uk) would make every site on it "yours"
                raise forms.ValidationError(f"{entry!r} is not a site of its own (a domain).")
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


class RecipientForm(forms.Form):
    """Who the notice goes to; prefilled from the case (or the site's imprint when empty)."""

    recipient_name = forms.CharField(label="Recipient's name", max_length=200, required=False)
    recipient_email = forms.EmailField(label="Recipient's e-mail", required=False)
    recipient_address = forms.CharField(
        label="Postal address", required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    recipient_country = forms.CharField(label="Country (ISO code)", max_length=2, required=False)
    jurisdiction = forms.ChoiceField(
        label="Law claimed under", choices=JURISDICTIONS, help_text="Only while the case is a draft"
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
