"""API keys, idempotency records and webhook endpoints with their delivery queue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fairclaim.accounts.models import Organisation


class ApiKey(models.Model):
    """A secret an organisation's systems use to call the API.

    The key acts as the member who created it, bounded by its scopes: the same access functions
    as the web views decide what it reaches, so it can never see more than its creator. Only the
    SHA-256 of the token is stored; `prefix` (the token's visible start) identifies it in lists.
    Kept per organisation (not per user) so team management can later list, hand over and revoke
    an organisation's keys when a member leaves; a key whose creator left stops working.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    token_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API key"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """The first response to a create made with an `Idempotency-Key`, replayed on a retry.

    `request_sha256` covers method, path and body: the same key with another request is refused.
    A row with no `status` is a request still running (a concurrent retry gets 409).
    """

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_sha256 = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    # JSON as text, not a JSONField: PostgreSQL's jsonb refuses "\u0000", which an echoed bad
    # input can hold; escaped in text it is six plain characters.
    body = models.TextField(blank=True)
    location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="idempotency_unique_per_key"),
        ]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self):
        return f"{self.api_key_id}:{self.key}"


class WebhookEndpoint(models.Model):
    """A URL of an organisation's system that receives signed events."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    url = models.URLField(max_length=2048)
    events = models.JSONField(default=list, help_text=_("Event types sent to this endpoint"))
    # Shown to the organisation once and on request; needed in clear to sign (HMAC).
    secret = models.CharField(max_length=80, editable=False)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint: the durable queue the worker sends from, and its log.

    Created in the same transaction as the change it reports (the outbox pattern), so an event is
    never announced for a change that was rolled back, nor lost for one that was committed.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be retried")
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Gave up")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.CharField(max_length=40)
    event_type = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    replay_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.event_type} → {self.endpoint_id} ({self.status})"
