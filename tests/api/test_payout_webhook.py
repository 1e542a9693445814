"""`payout.made`: sent when a payout run becomes final, one event per statement that moved money,
delivered signed to a receiver on 127.0.0.1 like every other event."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from fairclaim.api.delivery import EVENTS, PLANNED_EVENTS, do_deliver
from fairclaim.api.models import WebhookDelivery, WebhookEndpoint
from fairclaim.api.signing import verify
from fairclaim.cases.models import Case
from fairclaim.payments.actions import do_choose_offer
from fairclaim.payments.journal import agreement_for
from fairclaim.payments.payouts import RunOutdated, do_draft_run, do_finalise_run
from tests.api.receiver import receiving
from tests.payments.conftest import offer
from tests.payments.money import NOW, book

DEBTOR = {"holder": "fairclaim Treuhand", "iban": "DE89370400440532013000", "bic": "COBADEFFXXX"}
CUTOFF = datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC)
LATER = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def receiver(settings):
    settings.FAIRCLAIM_ALLOW_LOOPBACK = True
    with receiving() as (url, received):
        yield url, received


@pytest.fixture
def payment(cast):
    org = cast.case.rights_holder
    agreement = agreement_for(org)
    agreement.commission_percent = Decimal("40.00")
    agreement.minimum_payout = Decimal("50.00")
    agreement.account_holder = "Alice Photo GmbH"
    agreement.iban = "DE02120300000000202051"
    agreement.bic = "BYLADEM1001"
    agreement.save()
    Case.objects.filter(pk=cast.case.pk).update(state="notice_sent", law_firm=None)
    cast.case.refresh_from_db()
    [payment] = do_choose_offer(cast.case, offer("300.00"), 1, NOW)
    return payment


def subscribe(org, url, events=("payout.made",)):
    return WebhookEndpoint.objects.create(
        organisation=org, url=url, events=list(events), secret="whsec_payouts"
    )


def draft(cast):
    return do_draft_run(
        operator=cast.case.rights_holder.operator, cutoff=CUTOFF,
        execution_date=date(2026, 12, 3), actor="t", now=LATER,
    )  # fmt: skip


def test_payout_made_is_a_real_event_now():
    assert "payout.made" in EVENTS
    assert "payout.made" not in PLANNED_EVENTS


def test_a_final_run_sends_payout_made_signed_to_the_receiver(cast, payment, receiver):
    url, received = receiver
    subscribe(cast.case.rights_holder, url)
    book(payment, "bank:1", "300.00")
    run = draft(cast)
    assert not WebhookDelivery.objects.exists()  # a draft pays nothing and announces nothing
    run = do_finalise_run(run, actor="t", now=LATER, debtor=DEBTOR)
    [delivery] = WebhookDelivery.objects.all()
    statement = run.statements.get()
    assert delivery.event_type == "payout.made"
    assert delivery.payload == {
        "payout_run": run.pk,
        "statement": statement.pk,
        "amount": "180.00",
        "currency": "EUR",
        "end_to_end_id": statement.end_to_end_id,
        "execution_date": "2026-12-03",
        "finalised_at": LATER.isoformat(),
    }
    assert statement.end_to_end_id.startswith(f"FC-PO-{run.pk}-")
    assert do_deliver(delivery.pk, LATER + timedelta(seconds=1))
    [(headers, body)] = received.requests
    assert headers["fairclaim-event"] == "payout.made"
    assert verify("whsec_payouts", headers["fairclaim-signature"], body, now=int(LATER.timestamp()))
    document = json.loads(body)
    assert (document["type"], document["data"]["amount"]) == ("payout.made", "180.00")
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED


def test_a_balance_carried_forward_sends_nothing(cast, payment, receiver):
    url, _ = receiver
    subscribe(cast.case.rights_holder, url)
    book(payment, "bank:1", "50.00")  # share 30.00, below the 50.00 minimum
    run = do_finalise_run(draft(cast), actor="t", now=LATER, debtor=DEBTOR)
    assert run.statements.get().outcome == "below_minimum"
    assert not WebhookDelivery.objects.exists()


def test_a_run_that_fails_to_become_final_sends_nothing(cast, payment, receiver):
    url, _ = receiver
    subscribe(cast.case.rights_holder, url)
    book(payment, "bank:1", "100.00")
    run = draft(cast)
    book(payment, "bank:2", "200.00", now=CUTOFF - timedelta(days=1))  # booked after review
    with pytest.raises(RunOutdated):
        do_finalise_run(run, actor="t", now=LATER, debtor=DEBTOR)
    assert not WebhookDelivery.objects.exists()


def test_only_subscribed_endpoints_of_the_paid_organisation_receive_it(cast, payment, receiver):
    url, _ = receiver
    subscribe(cast.case.rights_holder, url, events=["payment.received"])
    subscribe(cast.charlie.organisation, url)
    book(payment, "bank:1", "300.00")
    WebhookDelivery.objects.all().delete()
    do_finalise_run(draft(cast), actor="t", now=LATER, debtor=DEBTOR)
    assert not WebhookDelivery.objects.filter(event_type="payout.made").exists()
