"""Outgoing webhooks: events are queued as rows, sent by the worker, retried with backoff.

Delivery is at least once (a worker may die after the receiver answered): receivers de-duplicate
on the event `id`. Every request goes through discovery's guarded `fetch` (address policy after DNS
resolution, time and size caps), so an endpoint can never point the platform at an internal
address; loopback only with FAIRCLAIM_ALLOW_LOOPBACK=1 (tests, demo).
"""

from __future__ import annotations

import json
import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from fairclaim.discovery.errors import DiscoveryError
from fairclaim.discovery.fetch import FetchLimits, fetch

from .models import WebhookDelivery, WebhookEndpoint
from .signing import SIGNATURE_HEADER, sign

log = logging.getLogger(__name__)

EVENTS = {
    "match.found": gettext_noop("A new verified match of one of your works"),
    "case.state_changed": gettext_noop("A case moved to another state (sent, paid, escalated, …)"),
    "payment.received": gettext_noop("Money was received on a case"),
    "payout.made": gettext_noop(
        "A payout to the rights holder was made (its payout run became final)"
    ),
}
# Events announced in the docs but not emitted yet (none at present; the pages still show any).
PLANNED_EVENTS: dict[str, str] = {}

FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY_DELAY = timedelta(hours=6)
MAX_ATTEMPTS = 15  # 30 s doubling, capped at 6 h: about a day and a half before we give up
# The receiver's answer is not read beyond a status; a redirect is a failure (not followed),
# so a public endpoint cannot bounce the signed request to another host.
WEBHOOK_LIMITS = FetchLimits(
    total_timeout=15.0, connect_timeout=5.0, max_bytes=256 * 1024, max_redirects=0
)
USER_AGENT = "fairclaim-webhooks/1"


def stale_claim() -> timedelta:
    """A delivery claimed this long ago had its worker die mid-delivery; another may retake it.
    The task lease (task_leases.py), so the retry queued after a worker died sends it."""
    return timedelta(seconds=settings.FAIRCLAIM_TASK_LEASE_SECONDS)


def retry_delay(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failed attempt: 30 s, 1 min, 2 min, … capped at 6 h."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), MAX_RETRY_DELAY)


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def event_body(delivery: WebhookDelivery) -> bytes:
    document = {
        "id": delivery.event_id,
        "type": delivery.event_type,
        "created": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def do_emit(organisation_id: int, event_type: str, data: dict, now: datetime) -> int:
    """Queue `event_type` for every active endpoint of the organisation subscribed to it.

    Call inside the transaction that makes the change: rows and change commit (or vanish)
    together; the worker is told only after the commit. Returns the number of deliveries queued.
    """
    endpoints = WebhookEndpoint.objects.filter(organisation_id=organisation_id, active=True)
    event_id = "evt_" + secrets.token_hex(12)
    payload = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    queued = [
        WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_id=event_id,
            event_type=event_type,
            payload=payload,
            status=WebhookDelivery.Status.QUEUED,
            next_attempt_at=now,
            claimed_at=now,
            created_at=now,
        )
        for endpoint in endpoints
        if event_type in endpoint.events
    ]
    for delivery in queued:
        _enqueue_after_commit(delivery.pk)
    return len(queued)


def do_replay(delivery: WebhookDelivery, now: datetime) -> WebhookDelivery:
    """Send the same event (same id and body) again as a new delivery, whatever the first did."""
    replay = WebhookDelivery.objects.create(
        endpoint=delivery.endpoint,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        payload=delivery.payload,
        status=WebhookDelivery.Status.QUEUED,
        next_attempt_at=now,
        claimed_at=now,
        created_at=delivery.created_at,  # the event's own time: the body stays identical
        replay_of=delivery,
    )
    _enqueue_after_commit(replay.pk)
    return replay


def do_deliver(delivery_id: int, now: datetime) -> bool:
    """Send one queued delivery; record the outcome. Returns whether this call sent it.

    Claimed with a conditional UPDATE (queued, or sending by a worker that died → sending), so a
    duplicate task does nothing.
    """
    Status = WebhookDelivery.Status
    claimed = WebhookDelivery.objects.filter(
        Q(status=Status.QUEUED) | Q(status=Status.SENDING, claimed_at__lt=now - stale_claim()),
        pk=delivery_id,
    ).update(status=Status.SENDING, claimed_at=now)
    if not claimed:
        return False
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    body = event_body(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: sign(endpoint.secret, int(now.timestamp()), body),
        "Fairclaim-Event": delivery.event_type,
        "Fairclaim-Delivery": str(delivery.pk),
        "Fairclaim-Event-Id": delivery.event_id,
    }
    status_code, error = None, ""
    if not endpoint.active:
        error = "the endpoint was switched off"
    else:
        try:
            result = fetch(
                endpoint.url, limits=WEBHOOK_LIMITS, method="POST", body=body, headers=headers,
                allow_loopback=settings.FAIRCLAIM_ALLOW_LOOPBACK, raise_for_status=False,
            )  # fmt: skip
            status_code = result.status
            if not 200 <= status_code < 300:
                error = f"the endpoint answered HTTP {status_code}"
        except DiscoveryError as exc:
            error = f"{exc.kind}: {exc}"
    _record_attempt(delivery, now, status_code, error)
    return True


def _record_attempt(delivery: WebhookDelivery, now: datetime, status_code, error: str) -> None:
    attempts = delivery.attempts + 1
    fields = {"attempts": attempts, "last_status_code": status_code, "last_error": error[:500]}
    if not error:
        fields.update(status=WebhookDelivery.Status.DELIVERED, delivered_at=now)
    elif attempts >= MAX_ATTEMPTS or not delivery.endpoint.active:
        fields.update(status=WebhookDelivery.Status.FAILED)
    else:
        fields.update(
            status=WebhookDelivery.Status.PENDING, next_attempt_at=now + retry_delay(attempts)
        )
    WebhookDelivery.objects.filter(pk=delivery.pk, status=WebhookDelivery.Status.SENDING).update(
        **fields
    )
    if error:
        log.info("webhook delivery %s failed (attempt %s): %s", delivery.pk, attempts, error)


def enqueue_due_deliveries(now: datetime) -> int:
    """Scheduler step: retries whose time came, and deliveries a lost task or dead worker left,
    are queued for the worker (each claimed with a conditional UPDATE). Returns how many."""
    Status = WebhookDelivery.Status
    due = WebhookDelivery.objects.filter(
        Q(status=Status.PENDING, next_attempt_at__lte=now)
        | Q(status__in=[Status.QUEUED, Status.SENDING], claimed_at__lt=now - stale_claim())
    ).values_list("pk", "status", "claimed_at")[:1000]
    queued = 0
    with transaction.atomic():
        for pk, status, claimed_at in due:
            if WebhookDelivery.objects.filter(pk=pk, status=status, claimed_at=claimed_at).update(
                status=Status.QUEUED, claimed_at=now
            ):
                _enqueue_after_commit(pk)
                queued += 1
    return queued


def _enqueue_after_commit(delivery_id: int) -> None:
    from .tasks import deliver_webhook

    transaction.on_commit(lambda: deliver_webhook.enqueue(delivery_id))


def deliver_now(delivery_id: int) -> bool:
    return do_deliver(delivery_id, timezone.now())
