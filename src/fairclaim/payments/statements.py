"""A rights holder's payout statement as rows, CSV and PDF: every case, payment, share and cost
booked in the period, the balance carried in, what was paid out and what is carried on.

A final statement reads the entries claimed by it; a draft shows the entries it would claim
(those not yet on a statement, up to the run's cut-off), so what is reviewed is what is paid.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string

from .models import JournalEntry, PayoutRun, PayoutStatement
from .split import Account

CSV_HEADER = [
    "date",
    "case",
    "instalment",
    "description",
    "collected",
    "commission",
    "costs",
    "share",
    "currency",
]


@dataclass(frozen=True)
class Row:
    booked_at: object
    case: str
    instalment: str
    description: str
    collected: Decimal
    commission: Decimal
    costs: Decimal  # borne by the rights holder (its own and its part of shared costs)
    share: Decimal
    currency: str


def entries_of(statement: PayoutStatement):
    if statement.run.status == PayoutRun.Status.FINAL:
        entries = statement.entries.filter(kind=JournalEntry.Kind.SPLIT)
    else:
        entries = JournalEntry.objects.filter(
            organisation=statement.organisation,
            currency=statement.currency,
            statement__isnull=True,
            kind=JournalEntry.Kind.SPLIT,
            booked_at__lte=statement.run.cutoff,
        )
    return (
        entries.select_related("case", "payment")
        .prefetch_related("postings")
        .order_by("booked_at", "id")
    )


def rows_of(statement: PayoutStatement):
    """One row per journal entry (a payment's money arriving or going back), in booking order."""
    for entry in entries_of(statement).iterator(chunk_size=500):
        amounts = {p.account: p.amount for p in entry.postings.all()}
        collected = amounts.get(Account.COLLECTED, Decimal(0))
        commission = -amounts.get(Account.COMMISSION, Decimal(0))
        share = -amounts.get(Account.RIGHTS_HOLDER, Decimal(0))
        payment = entry.payment
        yield Row(
            booked_at=entry.booked_at,
            case=entry.case.reference if entry.case else "",
            instalment=(
                f"{payment.instalment_number}/{payment.instalment_count}" if payment else ""
            ),
            description=entry.description,
            collected=collected,
            commission=commission,
            costs=collected - commission - share,
            share=share,
            currency=entry.currency,
        )


def statement_csv(statement: PayoutStatement) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    writer.writerow(
        ["", "", "", "previous balance", "", "", "", statement.previous_balance, statement.currency]
    )
    for row in rows_of(statement):
        writer.writerow(
            [
                row.booked_at.isoformat(),
                row.case,
                row.instalment,
                row.description,
                row.collected,
                row.commission,
                row.costs,
                row.share,
                row.currency,
            ]
        )
    writer.writerow(["", "", "", "paid out", "", "", "", -statement.paid, statement.currency])
    writer.writerow(
        ["", "", "", "carried forward", "", "", "", statement.carried, statement.currency]
    )
    return out.getvalue()


def statement_context(statement: PayoutStatement) -> dict:
    return {"statement": statement, "run": statement.run, "rows": list(rows_of(statement))}


def statement_pdf(statement: PayoutStatement) -> bytes:
    from fairclaim.letters.render import pdf_of

    html = render_to_string("payments/statement_pdf.html", statement_context(statement))
    return pdf_of(html)
