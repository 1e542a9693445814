"""A demand's fee section, laid out the way a lawyer states a claim: per work the damages
(licence analogy, surcharges with their basis), then the expenses (with their basis and any cap)
and the work's subtotal; then the two offers — past use only, and past use with a licence for
future use — each with net, VAT and gross. The future licence is listed in the second offer
only: it is an offer, never damages.

Built from the typed fee statements (one per work) in the active language; every amount is a
`Money` and is shown formatted for the letter's locale. The figures reconcile to the cent:
the works' subtotals add up to the first offer's net, and the second offer's net is that plus
the future-licence lines (`FeeSection.reconciles` says so, and the golden tests check it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from fairclaim.rules.fees import PAST_AND_FUTURE, PAST_ONLY, FeeLine, FeeStatement, OfferTotal
from fairclaim.rules.money import Money

from . import fee_text, formats


@dataclass(frozen=True)
class ShownLine:
    text: str
    basis: str
    amount: str
    value: Money
    code: str


@dataclass
class WorkFees:
    title: str
    use: str
    damages: list[ShownLine] = field(default_factory=list)
    expenses: list[ShownLine] = field(default_factory=list)
    cures: list[ShownLine] = field(default_factory=list)
    future: list[ShownLine] = field(default_factory=list)
    subtotal_value: Money | None = None
    subtotal: str = ""


@dataclass(frozen=True)
class ShownOffer:
    name: str
    net: str
    vat: str
    gross: str
    vat_rate: str
    total: OfferTotal


@dataclass
class FeeSection:
    currency: str
    works: list[WorkFees]
    offers: dict[str, ShownOffer]
    future: list[ShownLine]  # every work's future-licence lines: the second offer adds them
    past_net: str = ""
    future_net: str = ""

    @property
    def past_only(self) -> ShownOffer | None:
        return self.offers.get(PAST_ONLY)

    @property
    def past_and_future(self) -> ShownOffer | None:
        return self.offers.get(PAST_AND_FUTURE)

    @property
    def has_expenses(self) -> bool:
        return any(work.expenses for work in self.works)

    def reconciles(self) -> bool:
        """Subtotals sum to the first offer's net; the future lines bring it to the second's;
        each offer's net plus VAT is its gross."""
        subtotal = _total([w.subtotal_value for w in self.works if w.subtotal_value], self.currency)
        future = _total([line.value for line in self.future], self.currency)
        past, both = self.offers.get(PAST_ONLY), self.offers.get(PAST_AND_FUTURE)
        checks = [o.total.net + o.total.vat == o.total.gross for o in self.offers.values()]
        if past:
            checks.append(past.total.net == subtotal)
        if past and both:
            checks.append(both.total.net == past.total.net + future)
        return all(checks)


def build_fee_section(
    works: list[tuple[str, FeeStatement]], jurisdiction: str, locale: str
) -> FeeSection | None:
    """The section for `works` (title and latest typed statement of each), or None when no
    statement has a line. Call inside the letter's language (translation.override)."""
    works = [(title, statement) for title, statement in works if statement.lines]
    if not works:
        return None
    currency = works[0][1].currency
    shown_works, future = [], []
    for title, statement in works:
        shown = _work(title, statement, jurisdiction, locale)
        shown_works.append(shown)
        future += shown.future
    offers = _offers([statement for _, statement in works], currency, locale)
    section = FeeSection(currency, shown_works, offers, future)
    if PAST_ONLY in offers:
        section.past_net = offers[PAST_ONLY].net
    section.future_net = formats.money(_total([f.value for f in future], currency), locale)
    return section


def _work(title: str, statement: FeeStatement, jurisdiction: str, locale: str) -> WorkFees:
    law = statement.jurisdiction or jurisdiction
    licence = next((line for line in statement.lines if line.use is not None), None)
    work = WorkFees(title=title, use=fee_text.describe_use(licence) if licence else "")
    for line in statement.lines:
        shown = _line(line, law, locale)
        if line.group == "offer":
            work.future.append(shown)
        elif line.group == "expenses":
            work.expenses.append(shown)
        elif line.group == "cure":
            work.cures.append(shown)
        elif PAST_ONLY in line.offers:
            work.damages.append(shown)
        else:  # a surcharge on the future licence belongs to that offer
            work.future.append(shown)
    past = [line.value for line in (*work.damages, *work.expenses)]
    work.subtotal_value = _total(past, statement.currency)
    work.subtotal = formats.money(work.subtotal_value, locale)
    return work


def _line(line: FeeLine, jurisdiction: str, locale: str) -> ShownLine:
    return ShownLine(
        text=fee_text.describe(line, locale),
        basis=fee_text.explain(line, jurisdiction),
        amount=formats.money(line.amount, locale),
        value=line.amount,
        code=line.code,
    )


def _offers(statements: list[FeeStatement], currency: str, locale: str) -> dict[str, ShownOffer]:
    rates = {statement.vat_rate for statement in statements}
    rate = formats.percent(rates.pop() * 100, locale) if len(rates) == 1 else ""
    offers = {}
    for name in (PAST_ONLY, PAST_AND_FUTURE):
        parts = [statement.offers.get(name) for statement in statements]
        if any(part is None for part in parts):
            continue
        total = OfferTotal(
            name,
            _total([p.net for p in parts if p], currency),
            _total([p.vat for p in parts if p], currency),
            _total([p.gross for p in parts if p], currency),
        )
        offers[name] = ShownOffer(
            name,
            formats.money(total.net, locale),
            formats.money(total.vat, locale),
            formats.money(total.gross, locale),
            rate if total.vat.amount else "",
            total,
        )
    return offers


def _total(values: list[Money], currency: str) -> Money:
    total = Money(Decimal("0.00"), currency)
    for value in values:
        total += value
    return total
