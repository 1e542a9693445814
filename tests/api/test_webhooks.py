"""Outgoing webhooks against a receiver on 127.0.0.1: signed as documented, queued with the
change that causes them, retried with backoff, replayable, and never sent to internal addresses
unless loopback is allowed (tests only)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fairclaim.api.delivery import (
    MAX_ATTEMPTS,
    do_deliver,
    do_emit,
    enqueue_due_deliveries,
    retry_delay,
)
from fairclaim.api.models import WebhookDelivery, WebhookEndpoint
from fairclaim.api.signing import sign, verify
from fairclaim.cases.actions import do_transition
from fairclaim.monitoring.models import Match, Sighting
from fairclaim.ops import schedule
from fairclaim.payments.ledger import record_fact
from fairclaim.payments.models import Payment, PaymentFact
from tests.api.receiver import receiving
from tests.cast import sign_in

DOC = Path(__file__).resolve().parents[2] / "docs" / "api" / "webhooks.md"
Status = WebhookDelivery.Status


def documented_verifier():
    """The verification function exactly as docs/api/webhooks.md prints it."""
    code = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S).group(1)
    namespace: dict = {}
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace["verify_fairclaim_signature"]


@pytest.fixture
def loopback(settings):
    settings.FAIRCLAIM_ALLOW_LOOPBACK = True


@pytest.fixture
def receiver(loopback):
    with receiving() as (url, received):
        yield url, received


def endpoint_for(cast, url, events=("match.found", "case.state_changed", "payment.received")):
    return WebhookEndpoint.objects.create(
        organisation=cast.alice.organisation, url=url, events=list(events),
        secret="whsec_test", created_by=cast.alice,
    )  # fmt: skip


def new_match(cast, n=1):
    now = timezone.now()
    sighting = Sighting.objects.create(
        organisation=cast.alice.organisation, source=Sighting.Source.MANUAL,
        page_url=f"https://copy{n}.example/p", image_url=f"https://copy{n}.example/i.jpg",
        page_domain=f"copy{n}.example", first_seen=now, last_seen=now,
    )  # fmt: skip
    return Match.objects.create(work=cast.work, sighting=sighting, score=0.95)


def test_signature_round_trip_and_the_documented_verifier_agree():
    body = b'{"id":"evt_1"}'
    header = sign("whsec_s", 1_764_849_600, body)
    assert re.fullmatch(r"t=1764849600,v1=[0-9a-f]{64}", header)
    check = documented_verifier()
    assert verify("whsec_s", header, body, now=1_764_849_700)
    assert check("whsec_s", header, body, now=1_764_849_700)
    assert not check("whsec_s", header, body + b" ", now=1_764_849_700)
    assert not check("whsec_other", header, body, now=1_764_849_700)
    assert not check("whsec_s", header, body, now=1_764_849_600 + 301)  # too old: a replay
    assert not verify("whsec_s", header, body, now=1_764_849_600 + 301)
    assert not check("whsec_s", "garbage", body, now=1_764_849_600)


def test_a_new_match_is_delivered_signed_to_the_receiver(cast, receiver):
    url, received = receiver
    endpoint = endpoint_for(cast, url)
    match = new_match(cast)
    delivery = WebhookDelivery.objects.get(event_type="match.found")
    assert delivery.status == Status.QUEUED
    now = timezone.now()
    assert do_deliver(delivery.pk, now) is True
    assert do_deliver(delivery.pk, now) is False  # a duplicate task does nothing
    [(headers, body)] = received.requests
    assert headers["fairclaim-event"] == "match.found"
    assert documented_verifier()(endpoint.secret, headers["fairclaim-signature"], body)
    event = json.loads(body)
    assert event["id"] == delivery.event_id == headers["fairclaim-event-id"]
    assert event["data"]["match"] == match.pk
    assert event["data"]["work"] == cast.work.pk
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        Status.DELIVERED, 1, 200,
    )  # fmt: skip


def test_failures_are_retried_with_growing_pauses_until_delivered(cast, receiver):
    url, received = receiver
    received.statuses = [500, 503]
    endpoint_for(cast, url)
    new_match(cast)
    delivery = WebhookDelivery.objects.get()
    t0 = timezone.now()
    do_deliver(delivery.pk, t0)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.PENDING, 1)
    assert delivery.next_attempt_at == t0 + timedelta(seconds=30)
    assert "HTTP 500" in delivery.last_error
    assert enqueue_due_deliveries(t0 + timedelta(seconds=29)) == 0
    t1 = t0 + timedelta(seconds=30)
    assert enqueue_due_deliveries(t1) == 1
    do_deliver(delivery.pk, t1)
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == t1 + timedelta(minutes=1)
    t2 = t1 + timedelta(minutes=1)
    enqueue_due_deliveries(t2)
    do_deliver(delivery.pk, t2)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.delivered_at) == (Status.DELIVERED, 3, t2)
    bodies = {body for _, body in received.requests}
    assert len(received.requests) == 3
    assert len(bodies) == 1


def test_gives_up_after_the_last_attempt():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert retry_delay(40) == timedelta(hours=6)
    total = sum((retry_delay(n) for n in range(1, MAX_ATTEMPTS)), timedelta())
    assert timedelta(days=1) < total < timedelta(days=2)


def test_the_last_failure_marks_the_delivery_given_up(cast, receiver):
    url, received = receiver
    received.statuses = [500]
    endpoint_for(cast, url)
    new_match(cast)
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=MAX_ATTEMPTS - 1)
    do_deliver(delivery.pk, timezone.now())
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.FAILED, MAX_ATTEMPTS)


def test_internal_addresses_are_refused_without_the_loopback_switch(cast, settings):
    settings.FAIRCLAIM_ALLOW_LOOPBACK = False
    with receiving() as (url, received):
        endpoint_for(cast, url)
        new_match(cast)
        delivery = WebhookDelivery.objects.get()
        do_deliver(delivery.pk, timezone.now())
    assert received.requests == []
    delivery.refresh_from_db()
    assert delivery.status == Status.PENDING
    assert delivery.last_error.startswith("address_refused")


def test_a_redirect_is_a_failure_not_followed(cast, receiver, loopback):
    url, received = receiver
    received.statuses = [307]
    endpoint_for(cast, url)
    new_match(cast)
    delivery = WebhookDelivery.objects.get()
    do_deliver(delivery.pk, timezone.now())
    delivery.refresh_from_db()
    assert delivery.status == Status.PENDING
    assert len(received.requests) == 1


def test_case_state_changes_and_payments_are_events(cast, receiver):
    url, _ = receiver
    endpoint_for(cast, url, events=["case.state_changed", "payment.received"])
    now = timezone.now()
    do_transition(cast.case, "settled", actor="test", now=now)
    [changed] = WebhookDelivery.objects.filter(event_type="case.state_changed")
    assert changed.payload["case"] == cast.case.reference
    assert (changed.payload["from"], changed.payload["to"]) == ("escalated", cast.case.state)
    payment = Payment.objects.create(
        case=cast.case, offer=Payment.Offer.PAST_ONLY, amount=Decimal("450.00"), currency="EUR"
    )
    record_fact(
        payment, key="bank:1", kind=PaymentFact.Kind.RECEIPT, amount=Decimal("450.00"),
        currency="EUR", source="bank", now=now, actor="test",
    )  # fmt: skip
    [paid] = WebhookDelivery.objects.filter(event_type="payment.received")
    assert (paid.payload["amount"], paid.payload["case"]) == ("450.00", cast.case.reference)
    assert not WebhookDelivery.objects.filter(event_type="match.found").exists()


def test_no_event_for_a_change_that_was_rolled_back(cast, receiver):
    url, _ = receiver
    endpoint_for(cast, url)

    def match_then_fail():
        with transaction.atomic():
            new_match(cast)
            raise RuntimeError("the matcher failed after saving")

    with pytest.raises(RuntimeError):
        match_then_fail()
    assert not WebhookDelivery.objects.exists()


def test_events_reach_only_the_organisations_own_subscribed_endpoints(cast, receiver):
    url, _ = receiver
    endpoint_for(cast, url, events=["payment.received"])
    WebhookEndpoint.objects.create(
        organisation=cast.charlie.organisation, url=url, events=["match.found"], secret="s"
    )
    assert do_emit(cast.alice.organisation.pk, "match.found", {}, timezone.now()) == 0
    new_match(cast)
    assert not WebhookDelivery.objects.exists()


def test_the_worker_is_told_after_commit_and_the_scheduler_runs_the_retry_step(
    cast, receiver, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    url, _ = receiver
    endpoint_for(cast, url)
    with django_capture_on_commit_callbacks(execute=True):
        new_match(cast)
    assert DBTaskResult.objects.filter(task_path__endswith="deliver_webhook").count() == 1
    assert enqueue_due_deliveries in schedule.STEPS


# The account pages -------------------------------------------------------------------------


def test_registering_an_endpoint_checks_the_address(client, cast, settings):
    sign_in(client, cast.alice)
    settings.FAIRCLAIM_ALLOW_LOOPBACK = False
    page = reverse("api:webhooks")
    refused = client.post(page, {"url": "http://127.0.0.1:9/x", "events": ["match.found"]})
    assert refused.status_code == 400
    assert "cannot receive webhooks" in refused.content.decode()
    refused = client.post(page, {"url": "http://10.1.2.3/x", "events": ["match.found"]})
    assert refused.status_code == 400
    settings.FAIRCLAIM_ALLOW_LOOPBACK = True
    done = client.post(page, {"url": "http://127.0.0.1:9/x", "events": ["match.found"]})
    endpoint = WebhookEndpoint.objects.get()
    assert done.status_code == 302
    assert endpoint.secret.startswith("whsec_")
    page = client.get(reverse("api:webhook", args=[endpoint.pk])).content.decode()
    assert endpoint.secret in page


def test_delivery_log_and_replay(client, cast, receiver):
    url, received = receiver
    endpoint = endpoint_for(cast, url)
    new_match(cast)
    first = WebhookDelivery.objects.get()
    do_deliver(first.pk, timezone.now())
    sign_in(client, cast.alice)
    log = client.get(reverse("api:webhook", args=[endpoint.pk])).content.decode()
    assert first.event_id in log
    assert "Delivered" in log
    response = client.post(reverse("api:replay_delivery", args=[first.pk]))
    assert response.status_code == 302
    replay = WebhookDelivery.objects.exclude(pk=first.pk).get()
    assert (replay.event_id, replay.replay_of, replay.status) == (first.event_id, first, "queued")
    do_deliver(replay.pk, timezone.now())
    assert received.requests[0][1] == received.requests[1][1]  # same body, fresh signature


def test_webhook_pages_check_membership_role_and_csrf(client, cast, receiver):
    url, _ = receiver
    endpoint = endpoint_for(cast, url)
    new_match(cast)
    delivery = WebhookDelivery.objects.get()
    sign_in(client, cast.charlie)
    assert client.get(reverse("api:webhook", args=[endpoint.pk])).status_code == 404
    assert client.post(reverse("api:replay_delivery", args=[delivery.pk])).status_code == 404
    sign_in(client, cast.alice_viewer)
    viewer_page = client.get(reverse("api:webhook", args=[endpoint.pk]))
    assert viewer_page.status_code == 200
    assert endpoint.secret not in viewer_page.content.decode()
    assert client.post(reverse("api:replay_delivery", args=[delivery.pk])).status_code == 403
    assert client.post(reverse("api:disable_webhook", args=[endpoint.pk])).status_code == 403
    sign_in(client, cast.manager)
    assert client.get(reverse("api:webhooks")).status_code == 403
    strict = Client(enforce_csrf_checks=True)
    sign_in(strict, cast.alice)
    assert strict.post(reverse("api:disable_webhook", args=[endpoint.pk])).status_code == 403
    assert WebhookEndpoint.objects.get().active
    sign_in(client, cast.alice)
    assert client.post(reverse("api:disable_webhook", args=[endpoint.pk])).status_code == 302
    assert not WebhookEndpoint.objects.get().active
