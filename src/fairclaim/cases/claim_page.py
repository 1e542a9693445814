"""The claim check as a rights holder reads it, in the page's language.

The stored check result (`Claim.result`, the JSON of `rules.check.CheckResult`) speaks in codes:
finding codes, effects, offers, fee-line codes and ISO dates. This module turns it into words for
the claim page: each finding's title, plain sentence and legal source from the rules' catalogue
(`rules.finding_texts`), translated; the decision and the effects in words; the fee lines and the
two offers labelled, with numbers, money and dates in the reader's locale. Codes stay in the stored
result and in the JSON of `fairclaim rules check`; none reaches the page. Fee lines are worded by
the letters' own `fee_text`, so the page and the letter say the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from fairclaim.letters.templatetags.fee_words import fee_basis, fee_line
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


def statement_rows(result: dict[str, Any], usage: str) -> tuple[list[LineRow], list[OfferRow]]:
    statement = result.get("statement") or {}
    currency = statement.get("currency", "")
    jurisdiction = result.get("jurisdiction")
    lines = [
        LineRow(
            fee_line(line, jurisdiction),
            money(line.get("amount", "0"), line.get("currency", currency)),
            fee_basis(line, jurisdiction),
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
