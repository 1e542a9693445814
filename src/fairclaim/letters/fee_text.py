"""The sentences of a fee statement, in the active language: what each line is and what it
rests on. `rules.fees` hands over values (code, basis code, statutes, amounts, dates, use); every
word a reader sees is made here from the letters' translation catalogues, with numbers, money and
dates in the reader's conventions (`letters.formats`). Callers choose the language with
`django.utils.translation.override` (a notice) or the request's language (a screen)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from fairclaim.rules.fees import FeeLine, basis_for_recipient

from . import formats

# Use types the price lists name; a rights holder's own word for a use is shown as written.
USAGES = {
    "web_commercial": lambda: pgettext("use type", "commercial website"),
    "web_editorial": lambda: pgettext("use type", "editorial website"),
    "online_shop": lambda: pgettext("use type", "online shop"),
    "social_media": lambda: pgettext("use type", "social media"),
    "blog": lambda: pgettext("use type", "blog"),
    "advertising": lambda: pgettext("use type", "advertising"),
}
PLACEMENTS = {
    "homepage": lambda: pgettext("placement", "home page"),
    "subpage": lambda: pgettext("placement", "subpage"),
    "article": lambda: pgettext("placement", "in an article"),
    "hero": lambda: pgettext("placement", "header image"),
    "inline": lambda: pgettext("placement", "in the text"),
    "product": lambda: pgettext("placement", "product image"),
    "thumbnail": lambda: pgettext("placement", "thumbnail"),
}
SIZES = {
    "small": lambda: pgettext("image size", "small"),
    "medium": lambda: pgettext("image size", "medium"),
    "large": lambda: pgettext("image size", "large"),
}
# The case records the UK as GB (ISO); the rules call its law UK.
LAWS = {"DE": "DE", "US": "US", "UK": "UK", "GB": "UK"}
TERRITORIES = {
    "worldwide": lambda: pgettext("territory", "worldwide"),
}


def use_type(usage: str) -> str:
    word = USAGES.get(usage)
    return word() if word else usage.replace("_", " ")


def describe_use(line: FeeLine) -> str:
    if line.use is None:
        return ""
    parts = [use_type(line.use.usage)]
    for table, value in (
        (PLACEMENTS, line.use.placement),
        (SIZES, line.use.size),
        (TERRITORIES, line.use.territory),
    ):
        if value:
            word = table.get(value)
            parts.append(word() if word else value.replace("_", " "))
    return ", ".join(parts)


def describe(line: FeeLine, locale: str) -> str:
    """What the line is, in one sentence."""
    if line.legacy_label:
        return line.legacy_label
    if line.code in ("past_licence", "future_licence"):
        return _describe_licence(line, locale)
    if line.code == "credit_surcharge" and line.pct is not None and line.base is not None:
        text = _("Surcharge for the missing author credit: %(pct)s of %(base)s") % {
            "pct": formats.percent(line.pct, locale),
            "base": formats.money(line.base, locale),
        }
        if line.periods:
            days = ", ".join(formats.period(p, locale) for p in line.periods)
            text += " " + _("(licence fee for %(days)s)") % {"days": days}
        return text
    if line.code == "production_surcharge" and line.pct is not None and line.base is not None:
        values = {
            "label": line.surcharge_label or _("production effort"),
            "pct": formats.percent(line.pct, locale),
            "base": formats.money(line.base, locale),
        }
        if "past_only" in line.offers:
            return _("Surcharge (%(label)s) on the licence fee: %(pct)s of %(base)s") % values
        return _("Surcharge (%(label)s) on the future licence: %(pct)s of %(base)s") % values
    if line.code == "documentation":
        return _("Documenting the use (evidence capture)")
    if line.code == "lawyer_fee":
        text = _("Lawyer's fee for this letter")
        if line.capped_from is not None:
            text += " " + _("(asked: %(asked)s; capped)") % {
                "asked": formats.money(line.capped_from, locale)
            }
        return text
    if line.code == "attribution_request":
        return _(
            "Credit the author beside the image, as the licence (%(licence)s) requires; no payment"
        ) % {"licence": line.licence or "Creative Commons"}
    if line.code == "licence_notice_request":
        return _(
            "Name the licence (%(licence)s) and link to it beside the image, as it requires; "
            "no payment"
        ) % {"licence": line.licence or "Creative Commons"}
    return line.code.replace("_", " ")


def _describe_licence(line: FeeLine, locale: str) -> str:
    cover = ngettext(
        "%(count)s × licence for %(unit)s month (%(use)s) at %(price)s",
        "%(count)s × licence for %(unit)s months (%(use)s) at %(price)s",
        line.unit_months or 0,
    ) % {
        "count": line.count or 1,
        "unit": line.unit_months or "",
        "use": describe_use(line),
        "price": formats.money(line.unit_price, locale) if line.unit_price else "",
    }
    if line.code == "future_licence":
        return ngettext(
            "Licence for future use for %(months)s month: %(cover)s",
            "Licence for future use for %(months)s months: %(cover)s",
            line.months_covered or 0,
        ) % {
            "months": line.months_covered,
            "cover": cover,
        }
    if line.period is None:
        return _("Licence fee for the past use: %(cover)s") % {"cover": cover}
    return _(
        "Licence fee for the use from %(start)s to %(end)s (months begun: %(months)s): %(cover)s"
    ) % {
        "start": formats.day(line.period.start, locale),
        "end": formats.day(line.period.end, locale),
        "months": line.months_covered,
        "cover": cover,
    }


def explain(line: FeeLine, jurisdiction: str) -> str:
    """What the line rests on: the legal ground in words, then its sources as cited."""
    basis = line.basis
    sources = "; ".join((*basis.statutes, *basis.authorities))
    ground = _ground(line, jurisdiction)
    if basis.price_list:
        ground += " " + _price(basis.price_source, basis.price_list, basis.price_reference)
    if basis.note and basis.code != "stated":
        ground += " " + _("Stated by the rights holder: %(note)s.") % {"note": basis.note}
    if sources:
        ground += " (" + sources + ")"
    return ground.strip()


def _ground(line: FeeLine, jurisdiction: str) -> str:
    code = line.basis.code
    if code == "stated":  # a statement stored before lines carried values: its own words
        return basis_for_recipient(line.basis.note or "")
    if code == "licence_analogy":
        return {
            "DE": lambda: _(
                "Damages by licence analogy: the reasonable remuneration for this use."
            ),
            "US": lambda: _("Actual damages, measured by a reasonable licence fee for this use."),
            "UK": lambda: _(
                "Damages on the user principle: a reasonable licence fee for this use."
            ),
        }.get(
            LAWS.get(jurisdiction.upper(), ""), lambda: _("A reasonable licence fee for this use.")
        )()
    if code == "licence_fee":
        return _("A reasonable licence fee for this use.")
    if code == "future_licence_offer":
        return _("An offer, not damages: a licence for future use at the list price.")
    if code == "credit_surcharge":
        return _("Damages for the missing credit of the author (right to be named as author).")
    if code == "production_surcharge":
        return _("Part of the licence price in the published fee table.")
    if code == "expense":
        return _("Reimbursement of necessary expenses.")
    if code == "consumer_capped_expense":
        return _("Reimbursement of necessary expenses, limited by law for a private person.")
    if code == "open_licence_cure":
        return _("The licence's own conditions; a breach cured in time reinstates the licence.")
    return ""


def _price(source: str | None, price_list: str, reference: str | None) -> str:
    if source == "schedule":
        text = _("Price from a published fee table: %(list)s.") % {"list": price_list}
    else:
        text = _("Price from the rights holder's own price list: %(list)s.") % {"list": price_list}
    if reference:
        text += " " + _("Reference: %(reference)s.") % {"reference": reference}
    return text
