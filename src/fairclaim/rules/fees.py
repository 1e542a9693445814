"""The fee statement: an itemised, versioned demand with two offers, every line with its basis.

Offers: `past_only` (the image is removed: licence fee for the evidenced past use, allowed
surcharges, expenses) and `past_and_future` (the same plus a licence for future use of
`pricing.future_licence_months`). Prices come from the rights holder's rate card or a published
schedule (`pricing.mode`); both are lists of `PriceEntry` (usage, optional placement/size/territory,
months, price). For a period the statement buys the cheapest combination of listed durations that
covers its started months (the cheapest equivalent legal licence for the actual use).

The linter's `ClaimScope` decides what may be priced: the claimable days (limitation, minus the
days a known licence covered: each unlicensed stretch is priced on its own), where
surcharges are allowed, whether it is an attribution request with no money (CC cure), whether a
lawyer fee may be asked and its §97a(3) cap, and whether nothing is owed at all (no line).
Surcharges the law does not allow are refused with a
finding, never silently added. Money: `Decimal` with currency; rounding in `rules.money`.

Versioning: a statement carries `version` (the facts' `statement_version`, which the Django layer
increments on each recalculation and stores), `inputs_digest` (sha256 of the canonical facts minus
the version, so an unchanged recalculation is visible) and `RULES_VERSION`.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from fairclaim.rules.facts import ClaimFacts, PriceEntry, Pricing, Surcharge
from fairclaim.rules.findings import Effect, Finding
from fairclaim.rules.money import ROUNDING_NAME, Money
from fairclaim.rules.periods import Period
from fairclaim.rules.scope import ClaimScope
from fairclaim.rules.sources import SOURCE_97A3, SOURCE_CREDIT_DE, SOURCE_HOBBY

RULES_VERSION = "2026.12.1"  # bump when a rule or a fee computation changes

PAST_ONLY = "past_only"
PAST_AND_FUTURE = "past_and_future"
OFFERS = (PAST_ONLY, PAST_AND_FUTURE)
BOTH = (PAST_ONLY, PAST_AND_FUTURE)

SIZE_SMALL_MAX_PX = 400  # inline/teaser images (longest displayed side)
SIZE_MEDIUM_MAX_PX = 1000  # article-width images; above that: hero/full-width

CREDIT_SURCHARGE_MAX_PCT = Decimal(100)  # courts: 100 % usual, sometimes less, not more (OLG Hamm)

# The legal sources a line rests on, as citations in each law's own form. The letters say in the
# recipient's language what each basis means (`Basis.code`); rules/ only names the sources.
LICENCE_STATUTES = {
    "DE": ("§ 97 Abs. 2 S. 3 UrhG",),  # licence analogy: the reasonable remuneration
    "US": ("17 U.S.C. § 504(b)",),  # actual damages measured by a reasonable licence fee
    "UK": ("CDPA 1988 s. 96(2)",),  # user principle: a reasonable licence fee as damages
}
LICENCE_AUTHORITIES = {
    "US": ("Barcroft Media v. Coed Media Group, 297 F. Supp. 3d 339 (S.D.N.Y. 2017)",),
}
# Where the price comes from, and the German courts that accepted such a source as the measure.
PRICE_AUTHORITIES = {
    # own licensing practice governs when shown with contracts
    "rate_card": ("OLG Hamm 4 U 34/15",),
    # MFM tables are a usable estimate for professionals
    "schedule": ("LG Köln 14 O 111/16", "Brandenburgisches OLG 6 U 37/08"),
}
CREDIT_STATUTES = ("§ 13 UrhG", "§ 72 UrhG")
# 100 % usual (OLG Hamm), 50 % (AG Hamburg), none for non-professionals (LG Stuttgart).
CREDIT_AUTHORITIES = (
    "OLG Hamm 4 U 34/15",
    "BGH I ZR 148/13",
    "AG Hamburg 36a C 54/07",
    "LG Stuttgart 17 O 872/12",
)
CURE_STATUTES = ("CC BY 4.0 § 3(a)", "CC 4.0 § 6(b)", "GPL-3.0 § 8")
CURE_AUTHORITIES = ("OLG Köln 6 U 60/14",)
# Expenses: German law names them apart from damages and gives the necessary costs of a warning
# letter (§ 97a Abs. 2 Nr. 3, Abs. 3 UrhG); US law gives attorney's fees only under § 505 (and
# § 412); other expenses there, and in the UK, rest on the rights holder's own statement alone.
EXPENSE_STATUTES = {
    ("DE", "documentation"): ("§ 97a Abs. 3 S. 1 UrhG",),
    ("DE", "lawyer_fee"): ("§ 97a Abs. 3 S. 1 UrhG",),
    ("US", "lawyer_fee"): ("17 U.S.C. § 505",),
}
CAP_STATUTES = ("§ 97a Abs. 3 S. 2 UrhG", "§ 13 RVG", "Nr. 2300, 7002 VV RVG")

SOURCE_RETROACTIVE = (
    "fee tables list +75–150 % for licensing after the fact, but no court has accepted it as "
    "damages; Directive 2004/48/EC art. 13(1)(b) bases the lump sum on the royalty"
)
SOURCE_PRODUCTION = (
    "surcharges for production effort (+100 % aerial/panorama/underwater, +30 % models) are part "
    "of a published fee table's licence price"
)
SOURCE_412_FEES = "17 U.S.C. §412: no attorney's fees (§505) for this infringement"
PRICE_SOURCE = {
    "rate_card": "the rights holder's own list price for this use (own licensing practice "
    "governs when shown with contracts: OLG Hamm 4 U 34/15)",
    "schedule": "a published fee table (MFM tables are a usable estimate for professionals: "
    "LG Köln 14 O 111/16, Brandenburg OLG 6 U 37/08)",
}
CURE_CODES = {"credit": "attribution_request", "licence_notice": "licence_notice_request"}

# Line codes: what the letters group by. Damages are the licence fee and its surcharges for the
# past use; expenses are the costs of pursuing it; the future licence is an offer, not damages.
DAMAGES_CODES = frozenset({"past_licence", "credit_surcharge", "production_surcharge"})
EXPENSE_CODES = frozenset({"documentation", "lawyer_fee"})
OFFER_CODES = frozenset({"future_licence"})
CURE_LINE_CODES = frozenset(CURE_CODES.values())


# "[G10]", "[U1][U4]", "— <research notes> C2": pointers into legal research notes kept outside
# the product, still found in statements stored before. A recipient cannot look them up, and the
# sources they stand for are named in the text itself.
RESEARCH_TAG = re.compile(
    r"\s*\[[A-Z]{1,2}\d{1,3}\]"
    r"|\s*—\s*market-and-law\.md\s+[A-Z]\d+\b"
    r"|\s*\(market-and-law\.md\s+[A-Z]\d+(?:\s*\[[A-Z]{1,2}\d{1,3}\])*\)"
)


def basis_for_recipient(basis: str) -> str:
    """A line's basis as a recipient reads it: the legal sources in full, no research tags.

    >>> basis_for_recipient("a reasonable licence fee as damages, CDPA s.96 [U1][U4]; rate card")
    'a reasonable licence fee as damages, CDPA s.96; rate card'
    """
    return RESEARCH_TAG.sub("", basis).strip()


@dataclass(frozen=True)
class Basis:
    """Why a line may be asked, as values: `code` names the legal ground (the letters word it in
    the recipient's language), `statutes` and `authorities` the sources cited, the price list and
    its kind where the amount comes from a price, and `note` the rights holder's own words (an
    expense's description), which no one translates."""

    code: str
    statutes: tuple[str, ...] = ()
    authorities: tuple[str, ...] = ()
    price_list: str | None = None
    price_source: str | None = None
    price_reference: str | None = None
    note: str | None = None

    @property
    def citation(self) -> str:
        """The sources, language-neutral: what the statement JSON's `basis` holds."""
        parts = [*self.statutes, *self.authorities]
        if self.price_list:
            parts.append(self.price_list)
        if self.price_reference:
            parts.append(self.price_reference)
        if self.note:
            parts.insert(0, self.note)
        return "; ".join(parts)


@dataclass(frozen=True)
class Use:
    """The use a licence line prices: its type and the optional narrowing of the price entry."""

    usage: str
    placement: str | None = None
    size: str | None = None
    territory: str | None = None

    def as_json(self) -> dict[str, str | None]:
        return {
            "usage": self.usage,
            "placement": self.placement,
            "size": self.size,
            "territory": self.territory,
        }


@dataclass(frozen=True)
class FeeLine:
    """One amount and what it rests on, as values only: the letters make sentences of them.

    Licence lines carry `use`, `count` licences of `unit_months` at `unit_price` covering
    `months_covered` started months of `period`; surcharges their `pct` of `base` (the credit
    surcharge also the `periods` it counts); a capped expense `capped_from` (the amount asked
    before the cap); a cure request the `licence` to comply with."""

    code: str
    amount: Money
    basis: Basis
    offers: tuple[str, ...]
    vat_applies: bool
    period: Period | None = None
    work_id: str | None = None
    use: Use | None = None
    count: int | None = None
    unit_months: int | None = None
    unit_price: Money | None = None
    months_covered: int | None = None
    pct: Decimal | None = None
    base: Money | None = None
    periods: tuple[Period, ...] = ()
    capped_from: Money | None = None
    surcharge_label: str | None = None
    licence: str | None = None
    legacy_label: str | None = None  # a sentence from a statement stored before these values

    @property
    def label(self) -> str:
        """Language-neutral: the code (sentences are the letters' job)."""
        return self.legacy_label or self.code

    @property
    def group(self) -> str:
        """damages, expenses, offer (the future licence) or cure."""
        if self.code in EXPENSE_CODES:
            return "expenses"
        if self.code in OFFER_CODES:
            return "offer"
        if self.code in CURE_LINE_CODES:
            return "cure"
        return "damages"

    @property
    def details(self) -> dict[str, Any]:
        """The line's parameters in the statement JSON's original `details` shape."""
        if self.months_covered is not None:
            return {
                "months_covered": self.months_covered,
                "count": self.count,
                "unit_months": self.unit_months,
            }
        if self.pct is not None and self.base is not None:
            return {"pct": str(self.pct), "base": str(self.base)}
        return {}

    def as_json(self) -> dict[str, Any]:
        details = self.details
        return {
            "code": self.code,
            "label": self.label,
            "amount": str(self.amount),
            "currency": self.amount.currency,
            "basis": self.basis.citation,
            "offers": list(self.offers),
            "vat_applies": self.vat_applies,
            "period": _period_json(self.period),
            "details": details,
            # Added keys (the values the letters word): never rename the ones above.
            "group": self.group,
            "basis_code": self.basis.code,
            "statutes": list(self.basis.statutes),
            "authorities": list(self.basis.authorities),
            "price_list": self.basis.price_list,
            "price_source": self.basis.price_source,
            "price_reference": self.basis.price_reference,
            "basis_note": self.basis.note,
            "work_id": self.work_id,
            "use": self.use.as_json() if self.use else None,
            "count": self.count,
            "unit_months": self.unit_months,
            "unit_price": _money_json(self.unit_price),
            "months_covered": self.months_covered,
            "pct": str(self.pct) if self.pct is not None else None,
            "base": _money_json(self.base),
            "periods": [_period_json(p) for p in self.periods],
            "capped_from": _money_json(self.capped_from),
            "surcharge_label": self.surcharge_label,
            "licence": self.licence,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FeeLine:
        """A line as stored. A statement stored before lines carried their values keeps its
        sentences: `label` comes back as `legacy_label`, `basis` as the basis note."""
        currency = data["currency"]
        details = data.get("details") or {}
        structured = "basis_code" in data
        use = data.get("use")
        return cls(
            code=data["code"],
            amount=Money(Decimal(data["amount"]), currency),
            basis=Basis(
                code=data.get("basis_code") or "stated",
                statutes=tuple(data.get("statutes") or ()),
                authorities=tuple(data.get("authorities") or ()),
                price_list=data.get("price_list"),
                price_source=data.get("price_source"),
                price_reference=data.get("price_reference"),
                note=data.get("basis_note") if structured else data.get("basis"),
            ),
            offers=tuple(data["offers"]),
            vat_applies=bool(data["vat_applies"]),
            period=_period(data.get("period")),
            work_id=data.get("work_id"),
            use=Use(**use) if use else None,
            count=data.get("count", details.get("count")),
            unit_months=data.get("unit_months", details.get("unit_months")),
            unit_price=_money(data.get("unit_price"), currency),
            months_covered=data.get("months_covered", details.get("months_covered")),
            pct=_decimal(data.get("pct", details.get("pct"))),
            base=_money(data.get("base", details.get("base")), currency),
            periods=tuple(p for p in map(_period, data.get("periods") or ()) if p),
            capped_from=_money(data.get("capped_from"), currency),
            surcharge_label=data.get("surcharge_label"),
            licence=data.get("licence"),
            legacy_label=None if structured else data.get("label"),
        )


@dataclass(frozen=True)
class OfferTotal:
    offer: str
    net: Money
    vat: Money
    gross: Money

    def as_json(self) -> dict[str, str]:
        return {"net": str(self.net), "vat": str(self.vat), "gross": str(self.gross)}

    @classmethod
    def from_json(cls, offer: str, data: dict[str, str], currency: str) -> OfferTotal:
        net, vat, gross = (Money(Decimal(data[key]), currency) for key in ("net", "vat", "gross"))
        return cls(offer, net, vat, gross)


@dataclass(frozen=True)
class FeeStatement:
    version: int
    inputs_digest: str
    rules_version: str
    currency: str
    vat_rate: Decimal
    lines: tuple[FeeLine, ...]
    offers: dict[str, OfferTotal]
    findings: tuple[Finding, ...]
    priced_period: Period | None
    future_licence_months: int
    attribution_only: bool
    priced_periods: tuple[Period, ...] = ()
    nothing_owed: bool = False
    work_id: str | None = None
    jurisdiction: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "inputs_digest": self.inputs_digest,
            "rules_version": self.rules_version,
            "currency": self.currency,
            "rounding": ROUNDING_NAME,
            "vat": {"rate": str(self.vat_rate)},
            "attribution_only": self.attribution_only,
            "priced_period": _period_json(self.priced_period),
            "priced_periods": [_period_json(p) for p in self.priced_periods],
            "nothing_owed": self.nothing_owed,
            "future_licence_months": self.future_licence_months,
            "lines": [line.as_json() for line in self.lines],
            "totals": {name: total.as_json() for name, total in self.offers.items()},
            "work_id": self.work_id,
            "jurisdiction": self.jurisdiction,
        }

    # The stable name for the stored form (as_json stays for existing callers).
    to_json = as_json

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FeeStatement:
        """The statement as stored (`as_json`), typed again. Findings are not stored with the
        statement (they live in the check result), so they come back empty."""
        currency = data["currency"]
        return cls(
            version=int(data["version"]),
            inputs_digest=data["inputs_digest"],
            rules_version=data["rules_version"],
            currency=currency,
            vat_rate=Decimal(data["vat"]["rate"]),
            lines=tuple(FeeLine.from_json(line) for line in data["lines"]),
            offers={
                name: OfferTotal.from_json(name, total, currency)
                for name, total in data["totals"].items()
            },
            findings=(),
            priced_period=_period(data.get("priced_period")),
            future_licence_months=int(data["future_licence_months"]),
            attribution_only=bool(data["attribution_only"]),
            priced_periods=tuple(p for p in map(_period, data.get("priced_periods") or ()) if p),
            nothing_owed=bool(data.get("nothing_owed", False)),
            work_id=data.get("work_id"),
            jurisdiction=data.get("jurisdiction"),
        )

    def lines_in(self, group: str) -> tuple[FeeLine, ...]:
        return tuple(line for line in self.lines if line.group == group)


def _period_json(period: Period | None) -> list[str] | None:
    return [str(period.start), str(period.end)] if period else None


def _period(value: list[str] | None) -> Period | None:
    if not value:
        return None
    return Period(date.fromisoformat(value[0]), date.fromisoformat(value[1]))


def _money_json(money: Money | None) -> str | None:
    return str(money) if money is not None else None


def _money(value: str | None, currency: str) -> Money | None:
    return Money(Decimal(value), currency) if value is not None else None


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def inputs_digest(facts: ClaimFacts) -> str:
    """sha256 of the canonical facts JSON without `statement_version` (same inputs, same digest)."""
    data = facts.model_dump(mode="json", exclude={"statement_version"})
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def size_class(width: int, height: int) -> str:
    side = max(width, height)
    if side <= SIZE_SMALL_MAX_PX:
        return "small"
    if side <= SIZE_MEDIUM_MAX_PX:
        return "medium"
    return "large"


def select_entries(
    pricing: Pricing, usage: str, placement: str | None, size: str, territory: str
) -> list[PriceEntry]:
    """Entries for this use; of those, only the most specific (most non-null matching fields)."""
    wanted = {"placement": placement, "size": size, "territory": territory}
    matching: list[tuple[int, PriceEntry]] = []
    for entry in pricing.entries:
        if entry.usage != usage:
            continue
        specificity = 0
        fits = True
        for name, value in wanted.items():
            listed = getattr(entry, name)
            if listed is None:
                continue
            if listed != value:
                fits = False
                break
            specificity += 1
        if fits:
            matching.append((specificity, entry))
    if not matching:
        return []
    best = max(s for s, _ in matching)
    return [entry for s, entry in matching if s == best]


def cheapest_cover(entries: list[PriceEntry], months: int) -> list[tuple[PriceEntry, int]]:
    """Cheapest multiset of entries whose durations add up to at least `months`.

    Ties go to fewer licences, then to the earlier entry, so the result is deterministic.
    """
    if not entries:
        raise ValueError("no price entries to cover the period with")
    best: list[tuple[Decimal, int, tuple[int, ...]]] = [(Decimal(0), 0, ())]
    for m in range(1, months + 1):
        options = []
        for index, entry in enumerate(entries):
            cost, count, picks = best[max(0, m - entry.months)]
            options.append((cost + entry.price, count + 1, (*picks, index)))
        best.append(min(options, key=lambda o: (o[0], o[1], sorted(o[2]))))
    picks = best[months][2]
    return [(entries[i], picks.count(i)) for i in sorted(set(picks))]


def _licence_basis(jurisdiction: str, pricing: Pricing, entry: PriceEntry | None) -> Basis:
    """The licence analogy: the law's statute (and leading case), and the price it uses."""
    authorities = LICENCE_AUTHORITIES.get(jurisdiction, ())
    if jurisdiction == "DE":
        authorities = (*authorities, *PRICE_AUTHORITIES[pricing.mode])
    return Basis(
        code="licence_analogy" if jurisdiction in LICENCE_STATUTES else "licence_fee",
        statutes=LICENCE_STATUTES.get(jurisdiction, ()),
        authorities=authorities,
        price_list=pricing.name,
        price_source=pricing.mode,
        price_reference=entry.reference if entry else None,
    )


def _licence_lines(
    code: str,
    basis_code: str | None,
    work_id: str,
    jurisdiction: str,
    pricing: Pricing,
    entries: list[PriceEntry],
    use: Use,
    period_months: int,
    offers: tuple[str, ...],
    vat_applies: bool,
    period: Period | None,
) -> list[FeeLine]:
    """The cheapest set of listed licences covering `period_months`: one line per duration."""
    currency = pricing.currency
    lines = []
    for entry, count in cheapest_cover(entries, period_months):
        basis = _licence_basis(jurisdiction, pricing, entry)
        if basis_code is not None:  # the future licence: an offer at the list price, no law
            basis = Basis(
                basis_code,
                price_list=pricing.name,
                price_source=pricing.mode,
                price_reference=entry.reference,
            )
        lines.append(
            FeeLine(
                code=code,
                amount=Money(entry.price, currency).times(count).rounded(),
                basis=basis,
                offers=offers,
                vat_applies=vat_applies,
                period=period,
                work_id=work_id,
                use=Use(use.usage, entry.placement, entry.size, entry.territory),
                count=count,
                unit_months=entry.months,
                unit_price=Money(entry.price, currency).rounded(),
                months_covered=period_months,
            )
        )
    return lines


def _sum(lines: list[FeeLine], currency: str) -> Money:
    total = Money.zero(currency)
    for line in lines:
        total += line.amount
    return total


def fee_statement(facts: ClaimFacts, scope: ClaimScope) -> FeeStatement:
    """The itemised statement for `facts`, limited to what `scope` (from the linter) allows."""
    pricing = facts.pricing
    digest = inputs_digest(facts)
    findings: list[Finding] = []
    if scope.nothing_owed:
        # Own site, licensed, public domain, licence conditions met: nothing may be asked.
        return _finish(facts, scope, digest, [], findings)
    if scope.attribution_only:
        return _finish(facts, scope, digest, _cure_lines(facts, scope), findings)

    s = facts.sighting
    size = size_class(s.displayed_width, s.displayed_height)
    entries = select_entries(pricing, s.usage, s.placement, size, s.territory)
    if not entries:
        findings.append(_no_price(pricing, s.usage, s.placement, size, s.territory))
    use = Use(s.usage, s.placement, size, s.territory)
    past_lines = _past_licence_lines(facts, scope, entries, use)
    future_lines = _future_licence_lines(facts, scope, entries, use)
    past_base = _sum(past_lines, pricing.currency)
    future_base = _sum(future_lines, pricing.currency)
    lines = [*past_lines, *future_lines]
    lines += _surcharge_lines(facts, scope, entries, past_base, future_base, findings)
    lines += _expense_lines(facts, scope, findings)
    return _finish(facts, scope, digest, lines, findings)


def _cure_lines(facts: ClaimFacts, scope: ClaimScope) -> list[FeeLine]:
    """A curable open-licence use: the cure it asks for, with no money."""
    return [
        FeeLine(
            code=CURE_CODES[request],
            amount=Money.zero(facts.pricing.currency),
            basis=Basis("open_licence_cure", CURE_STATUTES, CURE_AUTHORITIES),
            offers=BOTH,
            vat_applies=False,
            work_id=facts.work.id,
            licence=scope.licence_name or "Creative Commons",
        )
        for request in scope.cure_requests
    ]


def _no_price(
    pricing: Pricing, usage: str, placement: str | None, size: str, territory: str
) -> Finding:
    return Finding(
        "NO_PRICE",
        Effect.HOLD,
        f"{pricing.name!r} lists no price for usage {usage!r} (placement "
        f"{placement!r}, size {size!r}, territory {territory!r})",
        PRICE_SOURCE[pricing.mode],
        {"usage": usage, "placement": placement, "size": size},
    )


def _past_licence_lines(
    facts: ClaimFacts, scope: ClaimScope, entries: list[PriceEntry], use: Use
) -> list[FeeLine]:
    """Damages by licence analogy: each claimable stretch of past use priced on its own."""
    if not entries:
        return []
    lines = []
    for priced in _priced_periods(scope):
        lines += _licence_lines(
            "past_licence",
            None,
            facts.work.id,
            scope.jurisdiction,
            facts.pricing,
            entries,
            use,
            priced.started_months,
            BOTH,
            facts.pricing.vat.on_past_use,
            priced,
        )
    return lines


def _future_licence_lines(
    facts: ClaimFacts, scope: ClaimScope, entries: list[PriceEntry], use: Use
) -> list[FeeLine]:
    """The licence for future use: an offer in the second offer only, never damages."""
    if not entries:
        return []
    pricing = facts.pricing
    return _licence_lines(
        "future_licence",
        "future_licence_offer",
        facts.work.id,
        scope.jurisdiction,
        pricing,
        entries,
        use,
        pricing.future_licence_months,
        (PAST_AND_FUTURE,),
        pricing.vat.on_future_licence,
        None,
    )


def _priced_periods(scope: ClaimScope) -> tuple[Period, ...]:
    if scope.priced_periods:
        return scope.priced_periods
    return (scope.priced_period,) if scope.priced_period is not None else ()


def _surcharge_periods(scope: ClaimScope) -> tuple[Period, ...]:
    if scope.surcharge_periods:
        return scope.surcharge_periods
    return (scope.surcharge_period,) if scope.surcharge_period is not None else ()


def _surcharge_lines(
    facts: ClaimFacts,
    scope: ClaimScope,
    entries: list[PriceEntry],
    past_base: Money,
    future_base: Money,
    findings: list[Finding],
) -> list[FeeLine]:
    """Each surcharge the price list names, applied where the law allows it and refused with a
    finding where it does not (never silently added)."""
    lines: list[FeeLine] = []
    for surcharge in facts.pricing.surcharges:
        if surcharge.code == "missing_credit":
            lines += _credit_surcharge(facts, scope, surcharge, entries, past_base, findings)
        elif surcharge.code == "production":
            lines += _production_surcharges(
                facts, scope, surcharge, past_base, future_base, findings
            )
        elif surcharge.code == "retroactive":
            findings.append(
                _refused(
                    surcharge.code,
                    "not applied: a surcharge for licensing after the fact is a penalty with no "
                    "legal basis shown",
                    SOURCE_RETROACTIVE,
                )
            )
        else:
            label = surcharge.label or surcharge.code.replace("_", " ")
            findings.append(
                _refused(
                    surcharge.code,
                    f"not applied: {label!r} has no legal basis fairclaim can cite",
                    "product rule 3, docs/architecture.md (every line names its basis)",
                )
            )
    return lines


def _credit_surcharge(
    facts: ClaimFacts,
    scope: ClaimScope,
    surcharge: Surcharge,
    entries: list[PriceEntry],
    past_base: Money,
    findings: list[Finding],
) -> list[FeeLine]:
    """§ 13 UrhG: a surcharge on the licence fee for the days of use within the regular
    limitation period, where the law and the photographer's standing allow one."""
    if not scope.credit_surcharge_allowed:
        why = (
            "the author is credited"
            if facts.sighting.credit_present
            else "this law or this photographer gives no credit surcharge"
        )
        source = SOURCE_CREDIT_DE if facts.rights_holder_professional else SOURCE_HOBBY
        findings.append(_refused(surcharge.code, f"not applied: {why}", source))
        return []
    periods = _surcharge_periods(scope)
    if not periods or not entries:
        findings.append(
            _refused(
                surcharge.code,
                "not applied: no day of use is within the regular limitation period",
                SOURCE_CREDIT_DE,
            )
        )
        return []
    pct = _capped_credit_pct(surcharge.pct, findings)
    base = _credit_base(scope, entries, periods, past_base, facts.pricing.currency)
    return [
        FeeLine(
            code="credit_surcharge",
            amount=base.percent(pct),
            basis=Basis("credit_surcharge", CREDIT_STATUTES, CREDIT_AUTHORITIES),
            offers=BOTH,
            vat_applies=facts.pricing.vat.on_past_use,
            period=Period(periods[0].start, periods[-1].end),
            work_id=facts.work.id,
            pct=pct,
            base=base,
            periods=periods,
        )
    ]


def _capped_credit_pct(pct: Decimal, findings: list[Finding]) -> Decimal:
    if pct <= CREDIT_SURCHARGE_MAX_PCT:
        return pct
    findings.append(
        Finding(
            "SURCHARGE_CAPPED",
            Effect.DOWNGRADE,
            f"credit surcharge {pct} % lowered to {CREDIT_SURCHARGE_MAX_PCT} %",
            SOURCE_CREDIT_DE,
        )
    )
    return CREDIT_SURCHARGE_MAX_PCT


def _credit_base(
    scope: ClaimScope,
    entries: list[PriceEntry],
    periods: tuple[Period, ...],
    past_base: Money,
    currency: str,
) -> Money:
    """The licence fee of the surcharge's days: the past-use fee when they are the same days,
    otherwise those days priced on their own."""
    if periods == _priced_periods(scope):
        return past_base
    base = Money.zero(currency)
    for period in periods:
        for entry, count in cheapest_cover(entries, period.started_months):
            base += Money(entry.price, currency).times(count)
    return base.rounded()


def _production_surcharges(
    facts: ClaimFacts,
    scope: ClaimScope,
    surcharge: Surcharge,
    past_base: Money,
    future_base: Money,
    findings: list[Finding],
) -> list[FeeLine]:
    """A published fee table's production surcharge, on the past use and on the future
    licence alike (it is part of that table's licence price)."""
    if not surcharge.applies:
        return []
    pricing = facts.pricing
    if not scope.production_surcharges_allowed:
        why = (
            "hobby photographers cannot use table surcharges"
            if not facts.rights_holder_professional
            else "production surcharges belong to a published schedule, not a rate card "
            "(put them into the rate card's prices)"
        )
        findings.append(_refused(surcharge.code, f"not applied: {why}", SOURCE_PRODUCTION))
        return []
    lines = []
    for base, offers, vat_applies in (
        (past_base, BOTH, pricing.vat.on_past_use),
        (future_base, (PAST_AND_FUTURE,), pricing.vat.on_future_licence),
    ):
        if base.amount == 0:
            continue
        lines.append(
            FeeLine(
                code="production_surcharge",
                amount=base.percent(surcharge.pct),
                basis=Basis(
                    "production_surcharge", price_list=pricing.name, price_source=pricing.mode
                ),
                offers=offers,
                vat_applies=vat_applies,
                work_id=facts.work.id,
                pct=surcharge.pct,
                base=base,
                surcharge_label=surcharge.label,
            )
        )
    return lines


def _expense_lines(facts: ClaimFacts, scope: ClaimScope, findings: list[Finding]) -> list[FeeLine]:
    """Expenses the rights holder had (documentation, a lawyer's fee), each with its own stated
    basis; attorney's fees only where the law gives them, capped for a private person (DE)."""
    pricing = facts.pricing
    currency = pricing.currency
    lines = []
    for expense in pricing.expenses:
        amount = Money(expense.amount, currency).rounded()
        capped_from = None
        statutes = EXPENSE_STATUTES.get((scope.jurisdiction, expense.kind), ())
        line_statutes = statutes
        if expense.kind == "lawyer_fee":
            if not scope.lawyer_fee_allowed:
                findings.append(
                    Finding(
                        "LAWYER_FEE_DROPPED",
                        Effect.DOWNGRADE,
                        f"lawyer fee {amount} {currency} dropped: attorney's fees are unavailable",
                        SOURCE_412_FEES,
                    )
                )
                continue
            if scope.consumer_cap_applies:
                if scope.lawyer_fee_cap is None:
                    continue  # the linter holds the claim (DE_97A3_CAP_UNKNOWN)
                capped = Money(scope.lawyer_fee_cap, currency).rounded()
                if capped.amount < amount.amount:
                    findings.append(
                        Finding(
                            "LAWYER_FEE_CAPPED",
                            Effect.DOWNGRADE,
                            f"lawyer fee {amount} {currency} capped at {capped} {currency}",
                            SOURCE_97A3,
                        )
                    )
                    amount, capped_from = capped, amount
                line_statutes = (*statutes, *CAP_STATUTES)
        lines.append(
            FeeLine(
                code=expense.kind,
                amount=amount,
                basis=Basis(
                    "consumer_capped_expense" if line_statutes != statutes else "expense",
                    line_statutes,
                    note=basis_for_recipient(expense.basis),
                ),
                offers=BOTH,
                vat_applies=pricing.vat.on_past_use,
                work_id=facts.work.id,
                capped_from=capped_from,
            )
        )
    return lines


def _refused(code: str, reason: str, source: str) -> Finding:
    return Finding(
        "SURCHARGE_REFUSED", Effect.INFO, f"{code} surcharge {reason}", source, {"surcharge": code}
    )


def _finish(
    facts: ClaimFacts,
    scope: ClaimScope,
    digest: str,
    lines: list[FeeLine],
    findings: list[Finding],
) -> FeeStatement:
    pricing = facts.pricing
    currency = pricing.currency
    rate = pricing.vat.rate
    # Past-use lines (in both offers) first, then what only the future offer adds.
    lines = sorted(lines, key=lambda line: line.offers != BOTH)
    offers = {}
    for offer in OFFERS:
        in_offer = [line for line in lines if offer in line.offers]
        net = _sum(in_offer, currency)
        vatable = _sum([line for line in in_offer if line.vat_applies], currency)
        vat = vatable.times(rate).rounded()
        offers[offer] = OfferTotal(offer, net, vat, net + vat)
    return FeeStatement(
        version=facts.statement_version,
        inputs_digest=digest,
        rules_version=RULES_VERSION,
        currency=currency,
        vat_rate=rate,
        lines=tuple(lines),
        offers=offers,
        findings=tuple(findings),
        priced_period=scope.priced_period,
        future_licence_months=pricing.future_licence_months,
        attribution_only=scope.attribution_only,
        priced_periods=_priced_periods(scope),
        nothing_owed=scope.nothing_owed,
        work_id=facts.work.id,
        jurisdiction=scope.jurisdiction,
    )
