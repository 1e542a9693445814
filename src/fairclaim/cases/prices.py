"""A rights holder's price list: who may edit it, how the form's rows become `rules.facts.Pricing`,
and the record of every change.

Every change is written to Django's admin log (`LogEntry`) for the rate card, the same record an
edit in the admin leaves, with the user and what changed, so the price list's history reads the
same whichever door was used.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from pydantic import ValidationError

from fairclaim.accounts.access import can_approve_claims, can_change_cases, handled_organisations
from fairclaim.accounts.models import Organisation, User
from fairclaim.rules.facts import Pricing

from .forms import PriceRowForm, RateCardForm
from .models import RateCard
from .usages import usage_choices

# A starting point shown to a rights holder without prices: their own list, in their currency.
EXAMPLE_PRICING: dict[str, Any] = {
    "mode": "rate_card",
    "name": "My prices 2026",
    "currency": "EUR",
    "entries": [
        {"usage": "web_commercial", "months": 12, "price": "450.00", "reference": "own list price"},
        {"usage": "web_editorial", "months": 12, "price": "250.00", "reference": "own list price"},
    ],
    "future_licence_months": 12,
    "vat": {"rate": "0.19", "on_past_use": False, "on_future_licence": True},
}


def get_price_list_owner_for_user(request, organisation_id: int | None = None) -> Organisation:
    """The organisation whose prices this request may edit.

    Without an id: the user's own rights holder (members who may approve claims; others 403).
    With an id: that rights holder, for its own members or a case manager of the operator that
    handles it; 404 for everyone else, so a stranger cannot tell whether it exists.
    """
    user: User = request.user
    if organisation_id is None:
        if not can_approve_claims(user) or not user.organisation_id:
            raise PermissionDenied(_("Only a rights holder's members set its prices."))
        return user.organisation
    own = organisation_id == user.organisation_id and can_approve_claims(user)
    handled = can_change_cases(user) and (
        user.is_platform_admin or handled_organisations(user).filter(pk=organisation_id).exists()
    )
    if not (own or handled):
        raise Http404("No such price list.")
    try:
        return Organisation.objects.get(pk=organisation_id, kind=Organisation.Kind.RIGHTS_HOLDER)
    except Organisation.DoesNotExist:
        raise Http404("No such price list.") from None


def price_list_forms(owner: Organisation, card: RateCard | None, data=None):
    """The settings form and the row formset, bound to `data` or filled from the card."""
    from .forms import PriceRowFormSet

    pricing = card.pricing if card else EXAMPLE_PRICING
    entries = pricing.get("entries") or []
    usages = usage_choices(*(entry.get("usage", "") for entry in entries))
    creator_type = card.creator_type if card else "professional"
    form = RateCardForm(data, initial=RateCardForm.initial_for(pricing, owner, creator_type))
    currency = pricing.get("currency", "EUR")
    # Bound rows are what was typed: no initial, or a blank row would count as a changed one.
    initial = [PriceRowForm.initial_for(e, currency) for e in entries] if data is None else None
    rows = PriceRowFormSet(data, prefix="rows", usages=usages, currency=currency, initial=initial)
    return form, rows


def add_row(rows, data):
    """The same rows, bound to what was typed, with one more blank row (no row is lost)."""
    data = data.copy()
    key = f"{rows.prefix}-TOTAL_FORMS"
    data[key] = str(int(data.get(key) or 0) + 1)
    return type(rows)(data, prefix=rows.prefix, usages=rows.usages, currency=rows.default_currency)


def claim_usages(claim) -> list[tuple[str, str]]:
    """The use types a claim may name: the listed ones, those on its owner's price list, its own."""
    card = RateCard.objects.filter(owner=claim.match.work.owner).first()
    entries = (card.pricing.get("entries") or []) if card else []
    priced = [entry.get("usage", "") for entry in entries]
    return usage_choices(*priced, claim.inputs.get("usage", ""))


def pricing_from(card: RateCard | None, form: RateCardForm, rows) -> dict[str, Any] | None:
    """The new `Pricing` JSON from valid forms; None when `rules.facts.Pricing` refuses it, with
    each problem put on the row and field it concerns (or on the settings form)."""
    data = form.cleaned_data
    kept = rows.kept_rows()
    pricing = {
        **(card.pricing if card else {"mode": "rate_card"}),
        "name": data["name"],
        "currency": rows.currency(),
        "entries": [row.as_entry() for row in kept],
        "future_licence_months": data["future_licence_months"],
        "vat": {
            "rate": str((data["vat_rate"] / 100).normalize()),
            "on_past_use": data["vat_on_past_use"],
            "on_future_licence": data["vat_on_future_licence"],
        },
    }
    try:
        Pricing.model_validate(pricing)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            where = error["loc"]
            if len(where) >= 3 and where[0] == "entries" and isinstance(where[1], int):
                field = where[2] if where[2] in kept[where[1]].fields else None
                kept[where[1]].add_error(field, _("This value is not accepted here."))
            else:
                form.add_error(
                    None,
                    _("The price list cannot be saved as it is: %(what)s.")
                    % {"what": ".".join(str(p) for p in where) or error["msg"]},
                )
        return None
    return pricing


def _row(entry: dict[str, Any], currency: str) -> str:
    return f"{entry.get('usage')}, {entry.get('months')} months, {entry.get('price')} {currency}"


def describe_change(before: dict[str, Any] | None, after: dict[str, Any]) -> str:
    """What changed, in the words the admin's history shows."""
    if before is None:
        rows = "; ".join(_row(e, after["currency"]) for e in after["entries"])
        return f"Price list created through the prices page: {rows}"
    changes = []
    old = {_row(e, before.get("currency", "")) for e in before.get("entries", [])}
    new = {_row(e, after["currency"]) for e in after["entries"]}
    changes += [f"added {row}" for row in sorted(new - old)]
    changes += [f"removed {row}" for row in sorted(old - new)]
    for key in ("name", "future_licence_months", "vat"):
        if before.get(key) != after.get(key):
            changes.append(f"{key} {before.get(key)!r} → {after.get(key)!r}")
    return "Prices changed through the prices page: " + ("; ".join(changes) or "no change")


@transaction.atomic
def do_save_price_list(
    owner: Organisation, pricing: dict[str, Any], creator_type: str, user: User
) -> RateCard:
    """Store the price list and log the change (the admin log, as an admin edit is)."""
    card = RateCard.objects.select_for_update().filter(owner=owner).first()
    before = dict(card.pricing) if card else None
    before_type = card.creator_type if card else None
    if card is None:
        card = RateCard.objects.create(owner=owner, pricing=pricing, creator_type=creator_type)
    else:
        card.pricing, card.creator_type = pricing, creator_type
        card.save(update_fields=["pricing", "creator_type", "updated_at"])
    message = describe_change(before, pricing)
    if before_type is not None and before_type != creator_type:
        message += f"; creator type {before_type} → {creator_type}"
    LogEntry.objects.log_actions(
        user.pk,
        RateCard.objects.filter(pk=card.pk),
        ADDITION if before is None else CHANGE,
        change_message=message,
        single_object=True,
    )
    return card
