"""A case's fee statements read back as typed values: the latest statement of each claim, its
lines as a reader sees them (worded in the active language by `letters.fee_text`), and the two
offers' totals, with an agreed settlement's discount. Money is `Money` throughout; nothing is
parsed out of a display string."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import get_language

from fairclaim.letters import fee_text
from fairclaim.letters.formats import locale_for
from fairclaim.rules import fees
from fairclaim.rules.fees import OfferTotal
from fairclaim.rules.money import Money

from .models import Case, FeeStatement

# The two offers a recipient can accept, summed over the case's lines from their latest fee
# statements (each line's statement names its basis; this only adds them up).
OFFERS = fees.OFFERS


def latest_statements(case: Case) -> list[FeeStatement]:
    """The newest fee statement of each claim in the case (earlier versions stay on record)."""
    latest: dict[int, FeeStatement] = {}
    statements = FeeStatement.objects.filter(claim__case=case).select_related("claim__match__work")
    for statement in statements.order_by("version"):
        latest[statement.claim_id] = statement
    return list(latest.values())


def latest_statement(claim) -> FeeStatement | None:
    """The claim's newest statement (the one its check kept last)."""
    return claim.statements.order_by("-version").first()


def work_title(statement: FeeStatement) -> str:
    work = statement.claim.match.work
    return work.title or work.original_filename


def statement_lines(case: Case, statements: list[FeeStatement] | None = None) -> list[dict]:
    """Every line of the case's latest fee statements as a recipient sees it: the work, what
    the line is and its basis (worded in the active language), the amount, and which offers
    include it. `statements`: the case's `latest_statements`, when the caller already has them."""
    locale = locale_for((get_language() or "en")[:2], case.jurisdiction)
    lines = []
    for statement in latest_statements(case) if statements is None else statements:
        value = statement.value()
        law = value.jurisdiction or case.jurisdiction
        for line, stored in zip(value.lines, statement.statement["lines"], strict=True):
            lines.append(
                {
                    **stored,
                    "label": fee_text.describe(line, locale),
                    "basis": fee_text.explain(line, law),
                    "work": work_title(statement),
                }
            )
    return lines


def case_offers(
    case: Case, statements: list[FeeStatement] | None = None, *, discounted: bool = True
) -> dict[str, OfferTotal]:
    """The offers' totals over the case's latest statements (passed in when already loaded);
    with an agreed settlement (and `discounted`), its discount comes off the past use."""
    offers = _statement_offers(case, statements)
    if discounted and case.settlement_amount is not None and "past_only" in offers:
        offers = _with_settlement(offers, case.settlement_amount)
    return offers


def past_use_total(statement: FeeStatement | None) -> Decimal | None:
    """The gross of a statement's past-use offer (what a demand asks for), or None."""
    if statement is None:
        return None
    offer = statement.value().offers.get(fees.PAST_ONLY)
    return offer.gross.amount if offer else None


def _with_settlement(offers: dict[str, OfferTotal], agreed: Decimal) -> dict[str, OfferTotal]:
    """Both offers less the same discount on the past use; net and VAT keep their proportion."""
    past = offers["past_only"]
    currency = past.gross.currency
    discount = past.gross.amount - agreed
    ratio = agreed / past.gross.amount if past.gross.amount else Decimal(0)
    net = (past.net.amount * ratio).quantize(Decimal("0.01"))
    cut_net, cut_vat = past.net.amount - net, past.vat.amount - (agreed - net)
    settled = {"past_only": OfferTotal(
        "past_only", Money(net, currency), Money(agreed - net, currency), Money(agreed, currency)
    )}  # fmt: skip
    if "past_and_future" in offers:
        both = offers["past_and_future"]
        settled["past_and_future"] = OfferTotal(
            "past_and_future",
            Money(both.net.amount - cut_net, currency),
            Money(both.vat.amount - cut_vat, currency),
            Money(both.gross.amount - discount, currency),
        )
    return settled


def _statement_offers(case: Case, statements: list[FeeStatement] | None) -> dict[str, OfferTotal]:
    latest = [s.value() for s in (latest_statements(case) if statements is None else statements)]
    if not latest:
        return {}
    currency = latest[0].currency
    offers = {}
    for name in OFFERS:
        parts = [s.offers.get(name) for s in latest]
        if any(part is None for part in parts):
            continue
        net, vat, gross = Money.zero(currency), Money.zero(currency), Money.zero(currency)
        for part in parts:
            assert part is not None
            net, vat, gross = net + part.net, vat + part.vat, gross + part.gross
        offers[name] = OfferTotal(name, net, vat, gross)
    return offers
