"""A believable past for a demo rights holder: a quarter of matches, a year of cases and the
money booked for them through the real ledger (receipts, instalments, a refund, a chargeback),
and a final payout run, so the dashboard and the statements show what months of use look like.

Used by `fairclaim demo` and the browser tests. Money goes through `payments.ledger` exactly as
the providers book it; only timestamps are set in the past. Deterministic (seeded).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from fairclaim.accounts.models import Organisation
from fairclaim.cases.log import append_event
from fairclaim.cases.models import Case, CaseLine
from fairclaim.cases.notifications import recording_the_past
from fairclaim.monitoring.models import Match, Sighting
from fairclaim.payments.journal import agreement_for
from fairclaim.payments.ledger import record_fact, resettle
from fairclaim.payments.models import Payment, PayoutRun
from fairclaim.payments.payouts import do_draft_run, do_finalise_run
from fairclaim.payments.schedule import month_cutoff
from fairclaim.rules.case_events import LogKind
from fairclaim.rules.case_states import CaseState as S
from fairclaim.rules.deadlines import next_open_day, weekend
from fairclaim.works.models import Work

DOMAINS = [
    "reisen-blog.example",
    "shop.example",
    "news-portal.example",
    "hotel-alpen.example",
    "immobilien.example",
    "recipes.example",
    "travel-deals.example",
    "bikeshop.example",
]
# Final states and how many cases reach each, then open states (the resolution mix).
STATES = (
    [S.RESOLVED_PAID] * 9
    + [S.RESOLVED_LICENSED] * 3
    + [S.DEFENCE_UPHELD] * 2
    + [S.WITHDRAWN] * 2
    + [S.ESCALATED] * 2
    + [S.NOTICE_SENT] * 4
    + [S.PAYMENT_PENDING] * 3
    + [S.OVERDUE] * 1
)


def seed_history(
    organisation: Organisation, *, now: datetime, iban: str, holder: str, seed: int = 7
) -> int:
    """Seed once (returns 0 when the rights holder already has matches); returns cases made."""
    works = list(Work.objects.filter(owner=organisation).order_by("pk")[:12])
    if not works or Match.objects.filter(organisation=organisation).exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    agreement = agreement_for(organisation)
    agreement.account_holder, agreement.iban = holder, iban
    agreement.full_clean()
    agreement.save()
    currency = agreement.currency
    matches = _matches(organisation, works, now, rng)
    law_firm = Organisation.objects.filter(kind=Organisation.Kind.LAW_FIRM).order_by("pk").first()
    with transaction.atomic():
        for index, state in enumerate(STATES):
            match = matches[index % len(matches)]
            opened = now - timedelta(days=rng.randint(20, 330))
            _case(organisation, match, state, opened, now, currency, rng, index, law_firm)
    return len(STATES)


def _matches(organisation, works, now, rng) -> list[Match]:
    made = []
    for index in range(70):
        found = now - timedelta(days=rng.randint(0, 83), hours=rng.randint(0, 23))
        domain = DOMAINS[min(int(rng.expovariate(0.45)), len(DOMAINS) - 1)]
        sighting = Sighting.objects.create(
            organisation=organisation,
            source=Sighting.Source.CRAWL,
            page_url=f"https://{domain}/page-{index}",
            image_url=f"https://{domain}/img/{index}.jpg",
            page_domain=domain,
            first_seen=found,
            last_seen=found,
        )
        status = rng.choice(["new", "new", "new", "seen", "claimed", "ignored", "licensed"])
        match = Match.objects.create(
            work=works[index % len(works)],
            sighting=sighting,
            score=round(rng.uniform(0.82, 0.99), 2),
            inliers=rng.randint(60, 400),
            status=status,
        )
        Match.objects.filter(pk=match.pk).update(created_at=found)
        made.append(match)
    return made


def _case(organisation, match, state, opened, now, currency, rng, index, law_firm) -> Case:
    amount = Decimal(rng.choice([350, 450, 600, 780, 900, 1200])).quantize(Decimal("0.01"))
    case = Case.objects.create(
        rights_holder=organisation,
        jurisdiction="DE",
        currency=currency,
        recipient_name="",
        recipient_domain=match.sighting.page_domain,
        recipient_country="DE",
        state=state,
        law_firm=law_firm if state == S.ESCALATED else None,
        # Deadlines never end on a weekend (product rule 5, docs/architecture.md).
        deadline=next_open_day((now + timedelta(days=(index % 9) + 1)).date(), weekend)
        if state in {S.NOTICE_SENT, S.PAYMENT_PENDING, S.OVERDUE}
        else None,
    )
    Case.objects.filter(pk=case.pk).update(created_at=opened)
    CaseLine.objects.create(
        case=case, work=match.work, match=match, description="Image on the page", amount=amount
    )
    append_event(
        case, LogKind.CASE_OPENED, {"recipient": case.recipient_domain}, actor="demo", at=opened
    )
    if state in {S.RESOLVED_PAID, S.ESCALATED} or (state == S.PAYMENT_PENDING and index % 2):
        # Open cases are paid in part only, so no payment moves them on (a closed case stays).
        _pay(case, amount, opened, now, rng, index, partial=state != S.RESOLVED_PAID)
    return case


def _pay(case, amount, opened, now, rng, index, *, partial: bool) -> None:
    paid_at = min(opened + timedelta(days=rng.randint(10, 40)), now - timedelta(hours=1))
    card = index % 3 == 0
    instalments = 2 if index % 4 == 1 else 1
    part = (amount / instalments).quantize(Decimal("0.01"))
    for number in range(1, instalments + 1):
        share = amount - part * (instalments - 1) if number == 1 else part
        payment = Payment.objects.create(
            case=case,
            offer=Payment.Offer.PAST_ONLY,
            method=Payment.Method.CARD if card else Payment.Method.BANK_TRANSFER,
            provider="stripe" if card else "bank",
            amount=share,
            currency=case.currency,
            instalment_number=number,
            instalment_count=instalments,
            due_on=(paid_at + timedelta(days=30 * (number - 1))).date(),
        )
        when = min(paid_at + timedelta(days=30 * (number - 1)), now - timedelta(hours=1))
        got = (share / 2).quantize(Decimal("0.01")) if partial else share
        _book(payment, f"demo:{case.pk}:{number}", "receipt", got, when)
        if index == 3 and number == 1:  # one refund after a licence turned up
            _book(payment, f"demo-refund:{case.pk}", "refund", got / 2, when + timedelta(days=3))
        if index == 6 and card:  # one lost card dispute
            _book(payment, f"demo-dispute:{case.pk}", "chargeback", got, when + timedelta(days=9))


def _book(payment, key, kind, amount, when) -> None:
    with transaction.atomic():
        record_fact(
            payment,
            key=key,
            kind=kind,
            amount=amount,
            currency=payment.currency,
            source=payment.provider,
            now=when,
            actor="demo",
        )
        resettle(payment, now=when, actor="demo")


# The demo's rights holders and the (valid, ISO 13616 example) accounts they are paid to.
DEMO_ACCOUNTS = {
    "demo-photography": ("Ada Lens", "DE02120300000000202051", 7),
    "demo-agency": ("Demo Picture Agency LLC", "DE02100500000054540402", 11),
}


def seed_demo(now: datetime) -> int:
    made = 0
    operators = set()
    # Last year's payments are history: nobody is e-mailed about them when the demo starts.
    with recording_the_past():
        for slug, (holder, iban, seed) in DEMO_ACCOUNTS.items():
            organisation = Organisation.objects.filter(slug=slug).first()
            if organisation is not None:
                made += seed_history(organisation, now=now, iban=iban, holder=holder, seed=seed)
                operators.add(organisation.operator)
        for operator in operators:
            pay_last_month(operator, now)
    return made


def pay_last_month(operator: Organisation | None, now: datetime) -> PayoutRun | None:
    """Last month's payout run, made final (once): the statements a rights holder reads."""
    cutoff = month_cutoff(now)
    if PayoutRun.objects.filter(operator=operator, cutoff=cutoff).exists():
        return None
    run = do_draft_run(
        operator=operator,
        cutoff=cutoff,
        execution_date=next_open_day((cutoff + timedelta(days=1)).date(), weekend),
        actor="demo",
        now=cutoff + timedelta(hours=8),
    )
    return do_finalise_run(
        run, actor="demo", now=cutoff + timedelta(hours=9), debtor=settings.BANK_TRANSFER_ACCOUNT
    )
