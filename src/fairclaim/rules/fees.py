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
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fairclaim.rules.facts import ClaimFacts, PriceEntry, Pricing
from fairclaim.rules.linter import (
    SOURCE_97A3,
    SOURCE_CC,
    SOURCE_CREDIT_DE,
    SOURCE_HOBBY,
    Effect,
    Finding,
)
from fairclaim.rules.money import ROUNDING_NAME, Money
from fairclaim.rules.periods import Period
from fairclaim.rules.scope import ClaimScope

RULES_VERSION = "2026.12.1"  # bump when a rule or a fee computation changes

PAST_ONLY = "past_only"
PAST_AND_FUTURE = "past_and_future"
OFFERS = (PAST_ONLY, PAST_AND_FUTURE)
BOTH = (PAST_ONLY, PAST_AND_FUTURE)

SIZE_SMALL_MAX_PX = 400  # inline/teaser images (longest displayed side)
SIZE_MEDIUM_MAX_PX = 1000  # article-width images; above that: hero/full-width

CREDIT_SURCHARGE_MAX_PCT = Decimal(100)  # courts: 100 % usual, sometimes less, not more (OLG Hamm)

LICENCE_BASIS = {
    "DE": "licence analogy: the reasonable remuneration for this use, §97(2) sentence 3 UrhG",
    "US": "actual damages measured by a reasonable licence fee, 17 U.S.C. §504(b); Barcroft "
    "Media v. Coed Media Group, 297 F. Supp. 3d 339 (S.D.N.Y. 2017)",
    "UK": "user principle: a reasonable licence fee as damages, CDPA s.96",
}
LICENCE_BASIS_OTHER = "a reasonable licence fee for the use (no supported law)"
PRICE_SOURCE = {
    "rate_card": "the rights holder's own list price for this use (own licensing practice "
    "governs when shown with contracts: OLG Hamm 4 U 34/15)",
    "schedule": "a published fee table (MFM tables are a usable estimate for professionals: "
    "LG Köln 14 O 111/16, Brandenburg OLG 6 U 37/08)",
}
SOURCE_RETROACTIVE = (
    "fee tables list +75–150 % for licensing after the fact, but no court has accepted it as "
    "damages; Directive 2004/48/EC art. 13(1)(b) bases the lump sum on the royalty"
)
SOURCE_PRODUCTION = (
    "surcharges for production effort (+100 % aerial/panorama/underwater, +30 % models) are part "
    "of a published fee table's licence price"
)
SOURCE_412_FEES = "17 U.S.C. §412: no attorney's fees (§505) for this infringement"
CURE_LABELS = {
    "credit": (
        "attribution_request",
        "Credit the author beside the image, as the licence ({licence}) requires; no payment",
    ),
    "licence_notice": (
        "licence_notice_request",
        "Name the licence ({licence}) and link to it beside the image, as it requires; no payment",
    ),
}


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
class FeeLine:
    code: str
    label: str
    amount: Money
    basis: str
    offers: tuple[str, ...]
    vat_applies: bool
    period: Period | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "amount": str(self.amount),
            "currency": self.amount.currency,
            "basis": self.basis,
            "offers": list(self.offers),
            "vat_applies": self.vat_applies,
            "period": [str(self.period.start), str(self.period.end)] if self.period else None,
            "details": self.details,
        }


@dataclass(frozen=True)
class OfferTotal:
    offer: str
    net: Money
    vat: Money
    gross: Money

    def as_json(self) -> dict[str, str]:
        return {"net": str(self.net), "vat": str(self.vat), "gross": str(self.gross)}


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

    def as_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "inputs_digest": self.inputs_digest,
            "rules_version": self.rules_version,
            "currency": self.currency,
            "rounding": ROUNDING_NAME,
            "vat": {"rate": str(self.vat_rate)},
            "attribution_only": self.attribution_only,
            "priced_period": [str(self.priced_period.start), str(self.priced_period.end)]
            if self.priced_period
            else None,
            "priced_periods": [[str(p.start), str(p.end)] for p in self.priced_periods],
            "nothing_owed": self.nothing_owed,
            "future_licence_months": self.future_licence_months,
            "lines": [line.as_json() for line in self.lines],
            "totals": {name: total.as_json() for name, total in self.offers.items()},
        }


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


def _describe(entry: PriceEntry) -> str:
    parts = [entry.usage]
    parts += [v for v in (entry.placement, entry.size, entry.territory) if v]
    return ", ".join(parts)


def _licence_lines(
    code: str,
    what: str,
    entries: list[PriceEntry],
    period_months: int,
    currency: str,
    basis: str,
    offers: tuple[str, ...],
    vat_applies: bool,
    period: Period | None,
) -> list[FeeLine]:
    lines = []
    for entry, count in cheapest_cover(entries, period_months):
        amount = Money(entry.price, currency).times(count).rounded()
        reference = f"; {entry.reference}" if entry.reference else ""
        lines.append(
            FeeLine(
                code=code,
                label=f"{what}: {count} × {entry.months}-month licence ({_describe(entry)}) "
                f"at {entry.price} {currency}",
                amount=amount,
                basis=f"{basis}{reference}",
                offers=offers,
                vat_applies=vat_applies,
                period=period,
                details={
                    "months_covered": period_months,
                    "count": count,
                    "unit_months": entry.months,
                },
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
    currency = pricing.currency
    digest = inputs_digest(facts)
    findings: list[Finding] = []
    lines: list[FeeLine] = []

    if scope.nothing_owed:
        # Own site, licensed, public domain, licence conditions met: nothing may be asked.
        return _finish(facts, scope, digest, lines, findings)
    if scope.attribution_only:
        for request in scope.cure_requests:
            code, label = CURE_LABELS[request]
            lines.append(
                FeeLine(
                    code=code,
                    label=label.format(licence=scope.licence_name or "Creative Commons"),
                    amount=Money.zero(currency),
                    basis=SOURCE_CC,
                    offers=BOTH,
                    vat_applies=False,
                )
            )
        return _finish(facts, scope, digest, lines, findings)

    s = facts.sighting
    size = size_class(s.displayed_width, s.displayed_height)
    entries = select_entries(pricing, s.usage, s.placement, size, s.territory)
    if not entries:
        findings.append(
            Finding(
                "NO_PRICE",
                Effect.HOLD,
                f"{pricing.name!r} lists no price for usage {s.usage!r} (placement "
                f"{s.placement!r}, size {size!r}, territory {s.territory!r})",
                PRICE_SOURCE[pricing.mode],
                {"usage": s.usage, "placement": s.placement, "size": size},
            )
        )
    basis = (
        f"{LICENCE_BASIS.get(scope.jurisdiction, LICENCE_BASIS_OTHER)}; "
        f"price: {pricing.name!r}, {PRICE_SOURCE[pricing.mode]}"
    )
    vat = pricing.vat
    past_base = Money.zero(currency)
    for priced in _priced_periods(scope) if entries else ():
        past_lines = _licence_lines(
            "past_licence",
            f"Licence for past use {priced.start}–{priced.end} ({priced.started_months} "
            "started months)",
            entries,
            priced.started_months,
            currency,
            basis,
            BOTH,
            vat.on_past_use,
            priced,
        )
        lines += past_lines
        past_base += _sum(past_lines, currency)

    future_base = Money.zero(currency)
    if entries:
        future_lines = _licence_lines(
            "future_licence",
            f"Licence for future use ({pricing.future_licence_months} months)",
            entries,
            pricing.future_licence_months,
            currency,
            f"offer: {pricing.name!r}, {PRICE_SOURCE[pricing.mode]}",
            (PAST_AND_FUTURE,),
            vat.on_future_licence,
            None,
        )
        lines += future_lines
        future_base = _sum(future_lines, currency)

    lines += _surcharge_lines(facts, scope, entries, past_base, future_base, findings)
    lines += _expense_lines(facts, scope, findings)
    return _finish(facts, scope, digest, lines, findings)


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
    pricing = facts.pricing
    currency = pricing.currency
    lines: list[FeeLine] = []
    for surcharge in pricing.surcharges:
        label = surcharge.label or surcharge.code.replace("_", " ")
        if surcharge.code == "missing_credit":
            if not scope.credit_surcharge_allowed:
                why = (
                    "the author is credited"
                    if facts.sighting.credit_present
                    else "this law or this photographer gives no credit surcharge"
                )
                source = SOURCE_CREDIT_DE if facts.rights_holder_professional else SOURCE_HOBBY
                findings.append(_refused(surcharge.code, f"not applied: {why}", source))
                continue
            periods = _surcharge_periods(scope)
            if not periods or not entries:
                findings.append(
                    _refused(
                        surcharge.code,
                        "not applied: no day of use is within the regular limitation period",
                        SOURCE_CREDIT_DE,
                    )
                )
                continue
            pct = surcharge.pct
            if pct > CREDIT_SURCHARGE_MAX_PCT:
                findings.append(
                    Finding(
                        "SURCHARGE_CAPPED",
                        Effect.DOWNGRADE,
                        f"credit surcharge {pct} % lowered to {CREDIT_SURCHARGE_MAX_PCT} %",
                        SOURCE_CREDIT_DE,
                    )
                )
                pct = CREDIT_SURCHARGE_MAX_PCT
            if periods == _priced_periods(scope):
                base = past_base
            else:
                base = Money.zero(currency)
                for period in periods:
                    for entry, count in cheapest_cover(entries, period.started_months):
                        base += Money(entry.price, currency).times(count)
                base = base.rounded()
            span = Period(periods[0].start, periods[-1].end)
            days = ", ".join(f"{p.start}–{p.end}" for p in periods)
            lines.append(
                FeeLine(
                    code="credit_surcharge",
                    label=f"Surcharge for the missing author credit: {pct} % of {base} {currency} "
                    f"(licence fee for {days})",
                    amount=base.percent(pct),
                    basis=SOURCE_CREDIT_DE,
                    offers=BOTH,
                    vat_applies=pricing.vat.on_past_use,
                    period=span,
                    details={"pct": str(pct), "base": str(base)},
                )
            )
        elif surcharge.code == "production":
            if not surcharge.applies:
                continue
            if not scope.production_surcharges_allowed:
                why = (
                    "hobby photographers cannot use table surcharges"
                    if not facts.rights_holder_professional
                    else "production surcharges belong to a published schedule, not a rate card "
                    "(put them into the rate card's prices)"
                )
                findings.append(_refused(surcharge.code, f"not applied: {why}", SOURCE_PRODUCTION))
                continue
            for base, offers, what, vat_applies in (
                (past_base, BOTH, "past use", pricing.vat.on_past_use),
                (future_base, (PAST_AND_FUTURE,), "future licence", pricing.vat.on_future_licence),
            ):
                if base.amount == 0:
                    continue
                lines.append(
                    FeeLine(
                        code="production_surcharge",
                        label=f"Surcharge ({label}) on the {what}: {surcharge.pct} % of {base} "
                        f"{currency}",
                        amount=base.percent(surcharge.pct),
                        basis=f"{SOURCE_PRODUCTION}; {pricing.name!r}",
                        offers=offers,
                        vat_applies=vat_applies,
                        details={"pct": str(surcharge.pct), "base": str(base)},
                    )
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
            findings.append(
                _refused(
                    surcharge.code,
                    f"not applied: {label!r} has no legal basis fairclaim can cite",
                    "product rule 3, docs/architecture.md (every line names its basis)",
                )
            )
    return lines


def _expense_lines(facts: ClaimFacts, scope: ClaimScope, findings: list[Finding]) -> list[FeeLine]:
    pricing = facts.pricing
    currency = pricing.currency
    lines = []
    for expense in pricing.expenses:
        amount = Money(expense.amount, currency).rounded()
        basis = expense.basis
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
                cap = scope.lawyer_fee_cap
                if cap is None:
                    continue  # the linter holds the claim (DE_97A3_CAP_UNKNOWN)
                capped = Money(cap, currency).rounded()
                if capped.amount < amount.amount:
                    findings.append(
                        Finding(
                            "LAWYER_FEE_CAPPED",
                            Effect.DOWNGRADE,
                            f"lawyer fee {amount} {currency} capped at {capped} {currency}",
                            SOURCE_97A3,
                        )
                    )
                    amount = capped
                basis = f"{basis}; capped for a private person: {SOURCE_97A3}"
        lines.append(
            FeeLine(
                code=expense.kind,
                label=expense.kind.replace("_", " ").capitalize(),
                amount=amount,
                basis=basis,
                offers=BOTH,
                vat_applies=pricing.vat.on_past_use,
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
    )
