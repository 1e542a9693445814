"""The double-entry journal: splitting collected money by the rights holder's agreement, and
reading balances back. Accounts and the split itself are the pure `payments.split`.

`book_split` is called by `payments.ledger.resettle` inside the caller's transaction, with the
payment row locked, after every money fact: it posts the difference between the split of all of
the payment's facts and what was posted for it before, so partial payments, instalments, refunds
and chargebacks (and a fact delivered twice) always leave the journal at the split of what is
actually held.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from fairclaim.accounts.models import Organisation

from .models import Agreement, JournalEntry, Payment, PaymentFact, Posting
from .settlement import settle
from .split import (
    Account,
    Collection,
    Split,
    Terms,
    cents,
    difference,
    is_balanced,
    split,
)


class UnbalancedEntry(AssertionError):
    """A journal entry whose postings do not sum to zero: a bug, never booked."""


def agreement_for(organisation: Organisation) -> Agreement:
    """The rights holder's agreement; one with the defaults is made when none was set up yet, so
    money is never left unsplit (the defaults are visible and editable on the agreement page)."""
    agreement, _ = Agreement.objects.get_or_create(organisation=organisation)
    return agreement


def collection_of(payment: Payment) -> Collection:
    """The payment's facts as `settle` counts them (same currency, not negative, once each)."""
    facts = list(payment.facts.all())
    result = settle(payment.amount, payment.currency, [f.as_money_fact() for f in facts])
    # settle ignores facts in another currency or with a negative amount; so does the split.
    counted = [f for f in facts if f.currency == payment.currency and f.amount >= 0]
    return Collection(
        receipts=tuple(f.amount for f in counted if f.kind == PaymentFact.Kind.RECEIPT),
        returned=result.refunded,
        chargebacks=sum(1 for f in counted if f.kind == PaymentFact.Kind.CHARGEBACK),
        card=payment.method == Payment.Method.CARD or payment.provider == "stripe",
    )


def terms_of(payment: Payment) -> Terms:
    """The terms the payment was first split by; the current agreement's for a new payment,
    remembered on the payment (the caller holds its row locked)."""
    if payment.split_terms:
        return Terms.from_json(payment.split_terms)
    terms = agreement_for(payment.case.rights_holder).terms
    payment.split_terms = terms.as_json()
    Payment.objects.filter(pk=payment.pk).update(split_terms=payment.split_terms)
    return terms


def split_of(payment: Payment) -> Split:
    case = payment.case
    return split(collection_of(payment), terms_of(payment), escalated=case.law_firm_id is not None)


def posted_for(payment: Payment) -> dict[Account, Decimal]:
    rows = (
        Posting.objects.filter(entry__payment=payment)
        .values("account")
        .annotate(total=Sum("amount"))
    )
    return {Account(row["account"]): cents(row["total"]) for row in rows}


def book_split(payment: Payment, *, now: datetime) -> JournalEntry | None:
    """Post what changed in the payment's split since the last entry; None when nothing did."""
    delta = difference(split_of(payment).postings(), posted_for(payment))
    if not delta:
        return None
    count = JournalEntry.objects.filter(payment=payment).count()
    collected = delta.get(Account.COLLECTED, Decimal(0))
    latest = payment.facts.order_by("-recorded_at", "-id").first()
    if collected > 0:
        what = f"received {collected} {payment.currency} ({payment.get_method_display().lower()})"
    elif collected < 0:
        kind = latest.get_kind_display().lower() if latest else "returned"
        what = f"{kind}: {-collected} {payment.currency} returned"
    else:
        what = "costs changed"
    description = what[0].upper() + what[1:]
    return post_entry(
        key=f"split:{payment.pk}:{count + 1}",
        kind=JournalEntry.Kind.SPLIT,
        organisation=payment.case.rights_holder,
        case=payment.case,
        payment=payment,
        currency=payment.currency,
        description=description,
        booked_at=now,
        postings=delta,
    )


def post_entry(*, postings: dict[Account, Decimal], **fields) -> JournalEntry:
    """Book one balanced entry with its postings (refused when unbalanced)."""
    if not is_balanced(postings):
        raise UnbalancedEntry(f"postings do not balance: {postings}")
    with transaction.atomic():
        entry = JournalEntry.objects.create(**fields)
        Posting.objects.bulk_create(
            Posting(entry=entry, account=account.value, amount=amount)
            for account, amount in postings.items()
            if amount != 0
        )
    return entry


def balances(entries) -> dict[Account, Decimal]:
    """Sum per account of the postings of `entries` (a JournalEntry queryset)."""
    rows = Posting.objects.filter(entry__in=entries).values("account").annotate(total=Sum("amount"))
    totals = dict.fromkeys(Account, Decimal(0))
    for row in rows:
        # SQLite sums decimals without their scale: give every total its cents back.
        totals[Account(row["account"])] = cents(row["total"])
    return totals


def owed_to(organisation: Organisation, currency: str, entries=None) -> Decimal:
    """What the platform owes the rights holder in `currency` (its `rights_holder` account is a
    liability: credit balances are negative, so the amount owed is the negated sum)."""
    if entries is None:
        entries = JournalEntry.objects.all()
    entries = entries.filter(organisation=organisation, currency=currency)
    return -balances(entries)[Account.RIGHTS_HOLDER]
