"""Stripe Checkout as a `PaymentProvider`: sessions and refunds through Stripe's API with
idempotency keys, and the processing of verified webhook events.

Settings (read at call time, so tests can point them at a local server):
STRIPE_API_KEY, STRIPE_WEBHOOK_SECRET, STRIPE_API_BASE (default https://api.stripe.com),
STRIPE_TIMEOUT_SECONDS (20), STRIPE_MAX_NETWORK_RETRIES (2).

Webhooks are delivered at least once and in any order. Each event is stored once in
`ProviderEvent` (unique Stripe event id: a duplicate is answered 200 and changes nothing); the
money it describes is booked as a `PaymentFact` keyed by the PaymentIntent (a completion reported
by both `checkout.session.completed` and `payment_intent.succeeded` counts once). An event that
cannot be tied to a payment yet — a `charge.refunded` without our metadata that arrives before
the completion — is held and applied as soon as the completion names its PaymentIntent. A
`charge.dispute.closed` with status `lost` is booked as a chargeback (keyed by the dispute).
"""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction

from fairclaim.cases.log import append_event
from fairclaim.payments.ledger import record_fact, resettle
from fairclaim.payments.models import Payment, PaymentFact, ProviderEvent
from fairclaim.payments.providers.base import (
    PaymentError,
    PaymentProvider,
    PaymentStart,
    ProviderNotConfigured,
    ProviderRefused,
    ProviderUnavailable,
    RefundNotPossible,
    check_open,
    check_refund,
)
from fairclaim.payments.providers.stripe.http import GuardedStripeClient
from fairclaim.rules.case_events import LogKind
from fairclaim.rules.money import MINOR_UNIT_DIGITS

DEFAULT_API_BASE = "https://api.stripe.com"
DEFAULT_TIMEOUT_SECONDS = (
    20  # Stripe answers in well under a second; a stuck call must not hold a page
)
DEFAULT_MAX_NETWORK_RETRIES = 2  # the library retries with the same Idempotency-Key: safe
# Stripe's own default: a signed delivery older than this is refused (replay protection).
WEBHOOK_TOLERANCE_SECONDS = 300
# An open Checkout Session is reused only if the recipient still has this long to pay on it.
CHECKOUT_REUSE_MARGIN = timedelta(minutes=15)
ACTOR = "stripe"

COMPLETIONS = {
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "payment_intent.succeeded",
}
REFUNDS = {"charge.refunded"}
# A card dispute ends with `charge.dispute.closed`; only a lost one takes the money back (Stripe
# withdraws it when the dispute opens and returns it if we win, so the closing status is the
# fact). It is booked as a chargeback: the split reverses and the dispute fee is charged.
DISPUTES = {"charge.dispute.closed"}
DISPUTE_LOST = "lost"
HANDLED = COMPLETIONS | REFUNDS | DISPUTES


class InvalidWebhook(PaymentError):
    """A webhook whose signature, timestamp or body does not check out (answered 400)."""


def to_minor(amount: Decimal, currency: str) -> int:
    return int(amount.scaleb(MINOR_UNIT_DIGITS[currency.upper()]))


def from_minor(units: int, currency: str) -> Decimal:
    return Decimal(int(units)).scaleb(-MINOR_UNIT_DIGITS[currency.upper()])


class StripeProvider(PaymentProvider):
    name = "stripe"
    method = Payment.Method.CARD

    def __init__(self):
        self.api_key = getattr(settings, "STRIPE_API_KEY", "")
        self.webhook_secret = getattr(settings, "STRIPE_WEBHOOK_SECRET", "")
        self.api_base = getattr(settings, "STRIPE_API_BASE", DEFAULT_API_BASE) or DEFAULT_API_BASE
        self.timeout = getattr(settings, "STRIPE_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS)
        self.retries = getattr(settings, "STRIPE_MAX_NETWORK_RETRIES", DEFAULT_MAX_NETWORK_RETRIES)

    @property
    def configured(self) -> bool:
        return bool(self.api_key)

    def client(self) -> stripe.StripeClient:
        if not self.api_key:
            raise ProviderNotConfigured("STRIPE_API_KEY is not set; card payments are off")
        return stripe.StripeClient(
            self.api_key,
            base_addresses={"api": self.api_base},
            http_client=GuardedStripeClient(
                timeout=self.timeout, allow_loopback=settings.FAIRCLAIM_ALLOW_LOOPBACK
            ),
            max_network_retries=self.retries,
        )

    # -- checkout --------------------------------------------------------------------------

    def start(self, payment, *, success_url, cancel_url, now) -> PaymentStart:
        payment.refresh_from_db()
        check_open(payment)
        if (
            payment.checkout_session_id
            and payment.checkout_expires_at
            and payment.checkout_expires_at > now + CHECKOUT_REUSE_MARGIN
        ):
            return PaymentStart(payment.checkout_url)
        attempt = payment.checkout_attempt + 1
        reference = payment.case.reference
        metadata = {
            "payment_id": str(payment.pk),
            "case_reference": reference,
            "instalment": f"{payment.instalment_number}/{payment.instalment_count}",
        }
        name = f"Case {reference}: {payment.get_offer_display()}"
        if payment.instalment_count > 1:
            name += f" (instalment {payment.instalment_number} of {payment.instalment_count})"
        params = {
            "mode": "payment",
            "payment_method_types": ["card"],
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": payment.currency.lower(),
                        "unit_amount": to_minor(payment.outstanding, payment.currency),
                        "product_data": {"name": name},
                    },
                }
            ],
            "client_reference_id": str(payment.pk),
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata, "description": name},
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        # The key names the payment and the attempt: two clicks (or a network retry) get the
        # same session back; a new attempt is made only after the previous session expired.
        key = f"fairclaim-checkout-{payment.pk}-{attempt}"
        session = self._call(
            lambda c: c.v1.checkout.sessions.create(params=params, options={"idempotency_key": key})
        )
        expires = datetime.fromtimestamp(session["expires_at"], tz=UTC)
        Payment.objects.filter(pk=payment.pk).update(
            checkout_session_id=session["id"],
            checkout_url=session["url"],
            checkout_expires_at=expires,
            checkout_attempt=attempt,
            method=Payment.Method.CARD,
            provider=self.name,
            updated_at=now,
        )
        append_event(
            payment.case,
            LogKind.CARD_CHECKOUT_STARTED,
            {"payment": payment.pk, "session": session["id"], "attempt": attempt},
            actor=ACTOR,
            at=now,
        )
        return PaymentStart(session["url"])

    def cancel(self, payment, *, now) -> None:
        if not payment.checkout_session_id:
            return
        session_id = payment.checkout_session_id
        # Refused when already completed or expired: any money still arrives by webhook.
        with contextlib.suppress(ProviderRefused):
            self._call(lambda c: c.v1.checkout.sessions.expire(session_id))
        Payment.objects.filter(pk=payment.pk).update(checkout_url="", checkout_expires_at=now)

    # -- refunds ---------------------------------------------------------------------------

    def refund(self, payment, amount, *, now) -> Payment:
        check_refund(payment, amount)
        intent = payment.provider_reference or _intent_from_facts(payment)
        if not intent:
            raise RefundNotPossible(f"payment {payment.pk} has no Stripe PaymentIntent to refund")
        # Derived from the refund state: a retried click sends the same key and refunds once.
        key = (
            f"fairclaim-refund-{payment.pk}-{to_minor(payment.amount_refunded, payment.currency)}"
            f"-{to_minor(amount, payment.currency)}"
        )
        params = {
            "payment_intent": intent,
            "amount": to_minor(amount, payment.currency),
            "metadata": {"payment_id": str(payment.pk), "case_reference": payment.case.reference},
        }
        try:
            refund = self._call(
                lambda c: c.v1.refunds.create(params=params, options={"idempotency_key": key})
            )
        except ProviderRefused as exc:
            raise RefundNotPossible(str(exc)) from exc
        with transaction.atomic():
            if refund["status"] == "succeeded":
                record_fact(
                    payment,
                    key=f"stripe-refund:{refund['id']}",
                    kind=PaymentFact.Kind.REFUND,
                    amount=from_minor(refund["amount"], refund["currency"]),
                    currency=refund["currency"].upper(),
                    source=self.name,
                    now=now,
                    actor=ACTOR,
                    details={"refund": refund["id"], "payment_intent": intent},
                )
            # A pending refund is booked when Stripe reports it (charge.refunded).
            return resettle(payment, now=now, actor=ACTOR)

    def _call(self, request):
        try:
            return request(self.client())
        except stripe.AuthenticationError as exc:
            raise ProviderNotConfigured(f"Stripe refused STRIPE_API_KEY: {exc}") from exc
        except stripe.InvalidRequestError as exc:
            raise ProviderRefused(f"Stripe refused the request: {exc.user_message or exc}") from exc
        except stripe.StripeError as exc:
            raise ProviderUnavailable(f"Stripe is unavailable, try again: {exc}") from exc

    # -- webhooks --------------------------------------------------------------------------

    def verify_event(self, payload: bytes, signature: str | None) -> dict:
        """The event in a webhook delivery, as a plain dict, if Stripe signed it (within
        `WEBHOOK_TOLERANCE_SECONDS`) with STRIPE_WEBHOOK_SECRET; else `InvalidWebhook`."""
        if not self.webhook_secret:
            raise ProviderNotConfigured("STRIPE_WEBHOOK_SECRET is not set")
        try:
            stripe.Webhook.construct_event(
                payload, signature or "", self.webhook_secret, WEBHOOK_TOLERANCE_SECONDS
            )
            event = json.loads(payload)
        except stripe.SignatureVerificationError as exc:
            raise InvalidWebhook(f"signature does not verify: {exc}") from exc
        except ValueError as exc:
            raise InvalidWebhook(f"body is not JSON: {exc}") from exc
        except (AttributeError, TypeError, KeyError) as exc:  # JSON, but not an object
            raise InvalidWebhook("body is not a Stripe event (id, type, data.object)") from exc
        if not (
            isinstance(event, dict)
            and isinstance(event.get("id"), str)
            and isinstance(event.get("type"), str)
            and isinstance(event.get("data"), dict)
            and isinstance(event["data"].get("object"), dict)
        ):
            raise InvalidWebhook("body is not a Stripe event (id, type, data.object)")
        _check_money_fields(event["data"]["object"])
        return event


def _check_money_fields(obj: dict) -> None:
    """The amounts and currency we read from an event have Stripe's types: a signed event
    that breaks them is refused with 400, never half-applied or answered with a 500."""
    for name in ("amount", "amount_total", "amount_received", "amount_refunded"):
        value = obj.get(name)
        if value is not None and (type(value) is not int or value < 0):
            raise InvalidWebhook(f"{name} is not a non-negative whole number of minor units")
    currency = obj.get("currency")
    if currency is not None and (
        not isinstance(currency, str) or currency.upper() not in MINOR_UNIT_DIGITS
    ):
        raise InvalidWebhook(f"currency {currency!r} is not one we take payments in")
    for name in ("id", "payment_intent", "payment_status", "client_reference_id", "status"):
        value = obj.get(name)
        if value is not None and not isinstance(value, str):
            raise InvalidWebhook(f"{name} is not a string")
    if obj.get("metadata") is not None and not isinstance(obj["metadata"], dict):
        raise InvalidWebhook("metadata is not an object")


def _intent_from_facts(payment: Payment) -> str:
    fact = payment.facts.filter(key__startswith="stripe:", kind=PaymentFact.Kind.RECEIPT).first()
    return fact.key.removeprefix("stripe:") if fact else ""


def intent_of(kind: str, obj: dict) -> str:
    """The PaymentIntent an event is about: what ties completions and refunds together."""
    if kind == "payment_intent.succeeded":
        return obj.get("id") or ""
    return obj.get("payment_intent") or ""


def payment_for(kind: str, obj: dict, intent: str) -> Payment | None:
    """The payment an event is about: by the PaymentIntent already booked, else by the
    metadata we put on the session and the PaymentIntent (payment id + case reference, both
    must agree)."""
    if intent:
        fact = PaymentFact.objects.filter(key=f"stripe:{intent}").select_related("payment")
        if fact.exists():
            return fact.first().payment
        known = Payment.objects.filter(provider_reference=intent).first()
        if known:
            return known
    metadata = obj.get("metadata") or {}
    payment_id = metadata.get("payment_id") or (
        obj.get("client_reference_id") if kind.startswith("checkout.session") else None
    )
    if not payment_id or not str(payment_id).isdigit():
        return None
    payment = Payment.objects.filter(pk=int(payment_id)).select_related("case").first()
    if payment is None:
        return None
    if metadata.get("case_reference") and metadata["case_reference"] != payment.case.reference:
        return None
    return payment


def process_event(event: dict, *, now: datetime) -> str:
    """Process one verified event exactly once. Returns what happened: "duplicate" (seen
    before), "ignored" (a type we do not act on), "held" (kept until its payment is known),
    or "applied"."""
    kind, obj = event["type"], event["data"]["object"]
    intent = intent_of(kind, obj)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = ProviderEvent.objects.create(
                    provider=StripeProvider.name,
                    event_id=event["id"],
                    kind=kind,
                    object_ref=intent,
                    payload=event,
                    received_at=now,
                )
        except IntegrityError:
            return "duplicate"
        if kind not in HANDLED:
            record.applied_at = now
            record.save(update_fields=["applied_at"])
            return "ignored"
        payment = payment_for(kind, obj, intent)
        if payment is None:
            return "held"
        _apply(record, payment, now)
        return "applied"


def _apply(record: ProviderEvent, payment: Payment, now: datetime) -> None:
    obj = record.payload["data"]["object"]
    record.payment = payment
    record.applied_at = now
    record.save(update_fields=["payment", "applied_at"])
    intent = record.object_ref
    if record.kind in COMPLETIONS:
        if record.kind.startswith("checkout.session") and obj.get("payment_status") != "paid":
            return  # not paid yet (delayed methods); the async_payment_succeeded event follows
        if not intent:
            return
        currency = str(obj.get("currency") or payment.currency).upper()
        units = obj.get("amount_total") if "amount_total" in obj else obj.get("amount_received")
        _claim_intent(payment, intent, now)
        record_fact(
            payment,
            key=f"stripe:{intent}",
            kind=PaymentFact.Kind.RECEIPT,
            amount=from_minor(units or 0, currency),
            currency=currency,
            source=StripeProvider.name,
            now=now,
            actor=ACTOR,
            details={"event": record.event_id, "type": record.kind},
        )
        resettle(payment, now=now, actor=ACTOR)
        # Events that arrived before this one and waited for the PaymentIntent to be known.
        held = ProviderEvent.objects.filter(
            provider=StripeProvider.name, object_ref=intent, applied_at__isnull=True
        ).exclude(pk=record.pk)
        for earlier in held:
            _apply(earlier, payment, now)
    elif record.kind in REFUNDS:
        currency = str(obj.get("currency") or payment.currency).upper()
        units = int(obj.get("amount_refunded") or 0)
        record_fact(
            payment,
            # A running total: the same total reported again is the same fact.
            key=f"stripe-charge:{obj.get('id')}:{units}",
            kind=PaymentFact.Kind.REFUND,
            amount=from_minor(units, currency),
            currency=currency,
            cumulative=True,
            source=StripeProvider.name,
            now=now,
            actor=ACTOR,
            details={"event": record.event_id, "charge": obj.get("id"), "payment_intent": intent},
        )
        resettle(payment, now=now, actor=ACTOR)
    elif record.kind in DISPUTES:
        if obj.get("status") != DISPUTE_LOST:
            return  # won or withdrawn: the money stays where it is
        currency = str(obj.get("currency") or payment.currency).upper()
        record_fact(
            payment,
            key=f"stripe-dispute:{obj.get('id')}",
            kind=PaymentFact.Kind.CHARGEBACK,
            amount=from_minor(int(obj.get("amount") or 0), currency),
            currency=currency,
            source=StripeProvider.name,
            now=now,
            actor=ACTOR,
            details={
                "event": record.event_id,
                "dispute": obj.get("id"),
                "charge": obj.get("charge"),
                "payment_intent": intent,
                "reason": obj.get("reason") or "",
            },
        )
        resettle(payment, now=now, actor=ACTOR)


def _claim_intent(payment: Payment, intent: str, now: datetime) -> None:
    """Remember the PaymentIntent on the payment (first one wins; a second charge for the same
    instalment is still booked, as an overpayment a case manager refunds)."""
    if payment.provider_reference:
        return
    try:
        with transaction.atomic():
            Payment.objects.filter(pk=payment.pk, provider_reference__isnull=True).update(
                provider_reference=intent,
                method=Payment.Method.CARD,
                provider=StripeProvider.name,
                updated_at=now,
            )
    except IntegrityError:
        return  # another payment holds this PaymentIntent; the fact key still prevents doubles
    payment.provider_reference = intent
