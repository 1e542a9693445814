"""The claim check as a rights holder reads it, in the page's language.

The stored check result (`Claim.result`, the JSON of `rules.check.CheckResult`) speaks in codes:
finding codes, effects, offers, fee-line codes and ISO dates. This module turns it into words for
the claim page: each finding's title, plain sentence and legal source from the rules' catalogue
(`rules.finding_texts`), translated; the decision and the effects in words; the fee lines and the
two offers labelled, with numbers, money and dates in the reader's locale. Codes stay in the stored
result and in the JSON of `fairclaim rules check`; none reaches the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from fairclaim.rules import sources as law
from fairclaim.rules.findings import describe, fill, sentence_params
from fairclaim.rules.sources import LegalSource

from .usages import usage_label

DECISIONS = {
    "send": gettext_lazy("Ready to send: nothing stands in the way of this claim."),
    "hold": gettext_lazy("On hold: a person must decide on the points marked below first."),
    "block": gettext_lazy("Blocked: this claim may not be sent."),
}
EFFECTS = {
    "block": pgettext_lazy("finding effect", "Stops the claim"),
    "hold": pgettext_lazy("finding effect", "Needs a decision"),
    "downgrade": pgettext_lazy("finding effect", "Narrows the claim"),
    "info": pgettext_lazy("finding effect", "For information"),
}
OFFERS = {
    "past_only": gettext_lazy("Past use only (the image is taken down)"),
    "past_and_future": gettext_lazy("Past use and a licence for the future"),
}


@dataclass(frozen=True)
class FindingRow:
    effect: str
    effect_label: str
    title: str
    sentence: str
    citation: str
    principle: str


@dataclass(frozen=True)
class LineRow:
    label: str
    amount: str
    basis: str


@dataclass(frozen=True)
class OfferRow:
    label: str
    gross: str
    net: str
    vat: str


def money(amount: Any, currency: str) -> str:
    """`1971.00` in EUR as "1,971.00 EUR" (English) or "1.971,00 EUR" (German)."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return f"{amount} {currency}"
    return f"{number_format(value, 2, force_grouping=True)} {currency}"


def day(value: Any) -> str:
    """An ISO date from the stored result in the reader's format; anything else as it is."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    return date_format(value, "DATE_FORMAT") if isinstance(value, date) else str(value)


def _localised(params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, str) and len(value) == 10 and value[4:5] == "-":
            out[key] = day(value)
        elif key == "cap":
            out[key] = money(value, "").strip()
        elif key == "usage" and isinstance(value, str):
            out[key] = usage_label(value)
        else:
            out[key] = value
    return out


def cite(source: LegalSource) -> tuple[str, str]:
    """(citation, principle) of a legal source in the reader's language: a citation with words in
    it ("sentence 3", a judgment's date) reads as a German lawyer writes it on a German page."""
    citation = "; ".join(_(part) for part in (*source.statutes, *source.cases))
    principle = _(source.principle) if source.principle else ""
    return citation, principle[:1].upper() + principle[1:]


def finding_rows(result: dict[str, Any]) -> list[FindingRow]:
    jurisdiction = result.get("jurisdiction")
    rows = []
    for finding in result.get("findings", []):
        effect = finding.get("effect", "info")
        text = describe(finding.get("code", ""))
        if text is None:  # a code from a later version: its own reason, still no code shown
            title, sentence, citation, principle = _("Other check"), finding["reason"], "", ""
        else:
            params = _localised(sentence_params(finding.get("details") or {}))
            title = _(text.title)
            sentence = fill(_(text.sentence_for(jurisdiction)), params)
            citation, principle = cite(text.source_for(jurisdiction))
        label = str(EFFECTS.get(effect, effect))
        rows.append(FindingRow(effect, label, title, sentence, citation, principle))
    return rows


def _months(n: int) -> str:
    return ngettext("%(n)d month", "%(n)d months", n) % {"n": n}


def _cover(details: dict[str, Any]) -> str:
    count = int(details.get("count") or 1)
    unit = _months(int(details.get("unit_months") or 0))
    return ngettext("%(count)d licence of %(unit)s", "%(count)d licences of %(unit)s", count) % {
        "count": count,
        "unit": unit,
    }


def line_label(line: dict[str, Any], usage: str) -> str:
    code = line.get("code", "")
    details = line.get("details") or {}
    period = line.get("period")
    use = usage_label(usage) if usage else ""
    if code == "past_licence" and period:
        started = int(details.get("months_covered") or 0)
        return _(
            "Licence for the past use from %(start)s to %(end)s (%(started)s): %(cover)s for "
            "“%(use)s”"
        ) % {
            "start": day(period[0]),
            "end": day(period[1]),
            "started": ngettext("%(n)d started month", "%(n)d started months", started)
            % {"n": started},
            "cover": _cover(details),
            "use": use,
        }
    if code == "future_licence":
        return _("Licence for future use (%(months)s): %(cover)s for “%(use)s”") % {
            "months": _months(int(details.get("months_covered") or 0)),
            "cover": _cover(details),
            "use": use,
        }
    percent = {
        "pct": details.get("pct", ""),
        "base": money(details.get("base", "0"), line.get("currency", "")),
    }
    labels = {
        "credit_surcharge": _("Surcharge for the missing author credit: %(pct)s %% of %(base)s"),
        "production_surcharge": _("Surcharge for production effort: %(pct)s %% of %(base)s"),
        "attribution_request": _("Credit the author beside the image, as the licence requires"),
        "licence_notice_request": _("Name and link the licence beside the image, as it requires"),
        "lawyer_fee": _("Lawyer's fees"),
        "documentation": _("Costs of documenting the use"),
    }
    if code in labels:
        return labels[code] % percent if "%(" in labels[code] else labels[code]
    return str(line.get("label") or _("Other item"))


def line_basis(line: dict[str, Any], jurisdiction: str | None) -> str:
    """The legal source of a fee line as a citation (the line's own basis text is English prose
    for the letters; the page cites the law it rests on)."""
    code = line.get("code", "")
    if code == "past_licence":
        source = law.LICENCE_FEE.get(jurisdiction or "", law.LICENCE_FEE["*"])
        return _("Licence fee as damages: %(law)s; price from the price list") % {
            "law": cite(source)[0]
        }
    if code == "future_licence":
        return _("An offer from the price list, not damages")
    sources = {
        "credit_surcharge": law.CREDIT_DE,
        "production_surcharge": law.SURCHARGES,
        "attribution_request": law.OPEN_LICENCE,
        "licence_notice_request": law.OPEN_LICENCE,
        "lawyer_fee": law.LAWYER_FEE_CAP_DE if jurisdiction == "DE" else law.NO_ATTORNEYS_FEES_US,
    }
    if code == "lawyer_fee" and jurisdiction == "UK":
        return "CDPA 1988 s. 96"
    if code in sources:
        return cite(sources[code])[0]
    return str(line.get("basis") or "")


def statement_rows(result: dict[str, Any], usage: str) -> tuple[list[LineRow], list[OfferRow]]:
    statement = result.get("statement") or {}
    currency = statement.get("currency", "")
    jurisdiction = result.get("jurisdiction")
    lines = [
        LineRow(
            line_label(line, usage),
            money(line.get("amount", "0"), line.get("currency", currency)),
            line_basis(line, jurisdiction),
        )
        for line in statement.get("lines", [])
    ]
    offers = [
        OfferRow(
            str(OFFERS.get(offer, offer)),
            money(total.get("gross"), currency),
            money(total.get("net"), currency),
            money(total.get("vat"), currency),
        )
        for offer, total in (statement.get("totals") or {}).items()
    ]
    return lines, offers


def claim_check_context(result: dict[str, Any], usage: str) -> dict[str, Any]:
    """What the claim page shows of a stored check result (empty when the claim is unchecked)."""
    if not result:
        return {}
    lines, offers = statement_rows(result, usage)
    decision = result.get("decision", "hold")
    return {
        "decision": decision,
        "decision_text": str(DECISIONS.get(decision, decision)),
        "findings": finding_rows(result),
        "lines": lines,
        "offers": offers,
        "version": (result.get("statement") or {}).get("version"),
    }
