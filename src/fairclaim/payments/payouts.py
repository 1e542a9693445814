"""Payout runs: what is due to each rights holder up to a cut-off, reviewed as a draft, then
made final once (journal entries claimed, payouts booked, the SEPA credit transfer file made).

A draft books nothing. Making it final recomputes every figure under lock and refuses
(`RunOutdated`) when money was booked for a rights holder in the run since the draft was made,
so what the manager reviewed is exactly what is paid. After that the run, its statements and
their entries never change (`models.ImmutableRecord`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from fairclaim.accounts.models import Organisation

from .journal import agreement_for, balances, owed_to, post_entry
from .models import JournalEntry, PayoutRun, PayoutStatement
from .payable import Outcome, payable
from .sepa import SepaTransfer, credit_transfer
from .signals import payout_run_finalised
from .split import Account

ACTOR = "payout-run"


class PayoutError(Exception):
    """A payout run cannot be made or changed (the message says why)."""


class RunNotDraft(PayoutError):
    pass


class RunOutdated(PayoutError):
    pass


@dataclass(frozen=True)
class Figures:
    organisation_id: int
    currency: str
    previous_balance: Decimal
    collected: Decimal
    commission: Decimal
    costs: Decimal
    period: Decimal
    closing: Decimal
    paid: Decimal
    carried: Decimal
    outcome: Outcome
    entry_count: int
    account_holder: str
    iban: str
    bic: str

    def key(self) -> tuple:
        return review_key(self)


# What a reviewer saw and what making the run final must still find (payouts.do_finalise_run).
REVIEWED_FIELDS = (
    "organisation_id",
    "currency",
    "previous_balance",
    "period",
    "paid",
    "entry_count",
)


def review_key(figures_or_statement) -> tuple:
    return tuple(getattr(figures_or_statement, name) for name in REVIEWED_FIELDS)


def rights_holders_of(operator: Organisation | None):
    """The rights holders one run covers: an operator's clients, or (operator None) those that
    no operator handles, so every rights holder is in exactly one operator's runs."""
    orgs = Organisation.objects.filter(kind=Organisation.Kind.RIGHTS_HOLDER)
    return (
        orgs.filter(operator__isnull=True) if operator is None else orgs.filter(operator=operator)
    )


def unsettled(organisation: Organisation, currency: str, cutoff: datetime):
    return JournalEntry.objects.filter(
        organisation=organisation,
        currency=currency,
        statement__isnull=True,
        kind=JournalEntry.Kind.SPLIT,
        booked_at__lte=cutoff,
    )


def figures_for(organisation: Organisation, currency: str, cutoff: datetime) -> Figures:
    agreement = agreement_for(organisation)
    settled = JournalEntry.objects.filter(statement__isnull=False)
    previous = owed_to(organisation, currency, settled)
    new = unsettled(organisation, currency, cutoff)
    totals = balances(new)
    collected = totals[Account.COLLECTED]
    commission = -totals[Account.COMMISSION]
    period = -totals[Account.RIGHTS_HOLDER]
    result = payable(
        previous,
        period,
        minimum=agreement.minimum_payout,
        account_ok=agreement.account_ok,
        payout_currency=currency == agreement.currency,
    )
    return Figures(
        organisation_id=organisation.pk,
        currency=currency,
        previous_balance=previous,
        collected=collected,
        commission=commission,
        costs=collected - commission - period,
        period=period,
        closing=result.closing,
        paid=result.paid,
        carried=result.carried,
        outcome=result.outcome,
        entry_count=new.count(),
        account_holder=agreement.account_holder,
        iban=agreement.iban,
        bic=agreement.bic,
    )


def due_figures(operator: Organisation | None, cutoff: datetime) -> list[Figures]:
    """Figures for every rights holder and currency with new entries or a balance carried."""
    orgs = rights_holders_of(operator)
    pairs = (
        JournalEntry.objects.filter(organisation__in=orgs)
        .filter(Q(statement__isnull=False) | Q(booked_at__lte=cutoff))
        .values_list("organisation", "currency")
        .distinct()
        .order_by("organisation", "currency")
    )
    by_pk = {org.pk: org for org in orgs}
    found = [figures_for(by_pk[org_id], currency, cutoff) for org_id, currency in pairs]
    return [f for f in found if f.entry_count or f.previous_balance]


def do_draft_run(
    *,
    operator: Organisation | None,
    cutoff: datetime,
    execution_date: date,
    actor: str,
    now: datetime,
) -> PayoutRun:
    """A draft run with one statement per rights holder and currency that has something to
    show; books nothing. Earlier drafts of the same operator are discarded (one draft at a time,
    so two reviews can never pay the same money twice)."""
    if cutoff > now:
        raise PayoutError("the cut-off cannot be in the future")
    with transaction.atomic():
        PayoutRun.objects.filter(operator=operator, status=PayoutRun.Status.DRAFT).update(
            status=PayoutRun.Status.DISCARDED
        )
        run = PayoutRun.objects.create(
            operator=operator,
            cutoff=cutoff,
            execution_date=execution_date,
            created_by=actor,
            created_at=now,
        )
        for figures in due_figures(operator, cutoff):
            PayoutStatement.objects.create(run=run, **asdict(figures))
    return run


def do_discard_run(run: PayoutRun) -> None:
    updated = PayoutRun.objects.filter(pk=run.pk, status=PayoutRun.Status.DRAFT).update(
        status=PayoutRun.Status.DISCARDED
    )
    if not updated:
        raise RunNotDraft(f"payout run {run.pk} is not a draft")


def do_finalise_run(run: PayoutRun, *, actor: str, now: datetime, debtor: dict) -> PayoutRun:
    """Make a reviewed draft final: claim its entries, book its payouts, write the SEPA file.

    Preconditions: the run is a draft (else `RunNotDraft`) and nothing was booked for its rights
    holders up to the cut-off since it was drafted (else `RunOutdated`: draft it again).
    `debtor` is the platform's trust account (holder, iban, bic) the transfers are made from."""
    with transaction.atomic():
        run = PayoutRun.objects.select_for_update().get(pk=run.pk)
        if run.status != PayoutRun.Status.DRAFT:
            raise RunNotDraft(f"payout run {run.pk} is {run.get_status_display().lower()}")
        statements = list(run.statements.select_related("organisation"))
        reviewed = {review_key(s) for s in statements}
        current = {f.key() for f in due_figures(run.operator, run.cutoff)}
        if reviewed != current:
            raise RunOutdated(
                f"money was booked since payout run {run.pk} was drafted; draft it again "
                "and review the new figures"
            )
        transfers = []
        for statement in statements:
            claimed = unsettled(statement.organisation, statement.currency, run.cutoff).update(
                statement=statement
            )
            if claimed != statement.entry_count:
                raise RunOutdated(f"statement {statement.pk} changed while being made final")
            end_to_end = f"FC-PO-{run.pk}-{statement.pk}"
            PayoutStatement.objects.filter(pk=statement.pk).update(end_to_end_id=end_to_end)
            if statement.paid > 0:
                post_entry(
                    key=f"payout:{run.pk}:{statement.pk}",
                    kind=JournalEntry.Kind.PAYOUT,
                    organisation=statement.organisation,
                    currency=statement.currency,
                    description=f"Payout run {run.pk} to {statement.iban}",
                    booked_at=now,
                    statement=statement,
                    postings={
                        Account.RIGHTS_HOLDER: statement.paid,
                        Account.COLLECTED: -statement.paid,
                    },
                )
                transfers.append(
                    SepaTransfer(
                        name=statement.account_holder,
                        iban=statement.iban,
                        bic=statement.bic,
                        amount=statement.paid,
                        currency=statement.currency,
                        end_to_end_id=end_to_end,
                        description=f"fairclaim payout {run.pk} statement {statement.pk}",
                    )
                )
        sepa = credit_transfer(debtor, transfers, run.execution_date) if transfers else None
        PayoutRun.objects.filter(pk=run.pk, status=PayoutRun.Status.DRAFT).update(
            status=PayoutRun.Status.FINAL,
            finalised_by=actor,
            finalised_at=now,
            sepa_xml=sepa.xml if sepa else "",
            sepa_sha256=sepa.sha256 if sepa else "",
            sepa_message_id=sepa.message_id if sepa else "",
        )
        run.refresh_from_db()
        payout_run_finalised.send(sender=PayoutRun, run=run, now=now)
    return run
