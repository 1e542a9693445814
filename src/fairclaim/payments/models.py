"""Payments for cases: the instalments a recipient owes, the money facts booked against them,
the provider events already processed, and imported bank statements with their lines."""

from django.db import models

from fairclaim.cases.models import Case


class Payment(models.Model):
    """Money owed for a case (one row per instalment), paid by card or by bank transfer.

    `status`, `amount_received` and `amount_refunded` are derived from the payment's `facts`
    by `payments.settlement.settle`; never set them by hand (use `payments.ledger`).
    """

    class Offer(models.TextChoices):
        PAST_ONLY = "past_only", "Past use only"
        PAST_AND_FUTURE = "past_and_future", "Past use and licence for future use"

    class Method(models.TextChoices):
        UNCHOSEN = "", "Not chosen yet"
        CARD = "card", "Card"
        BANK_TRANSFER = "bank_transfer", "Bank transfer"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PART_PAID = "part_paid", "Partly paid (case manager to follow up)"
        SUCCEEDED = "succeeded", "Succeeded"
        OVERPAID = "overpaid", "Overpaid (case manager to refund the excess)"
        PART_REFUNDED = "part_refunded", "Partly refunded"
        REFUNDED = "refunded", "Refunded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled (offer changed)"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="payments")
    offer = models.CharField(max_length=20, choices=Offer.choices)
    method = models.CharField(max_length=15, choices=Method.choices, blank=True, default="")
    provider = models.CharField(max_length=30, blank=True, help_text="e.g. stripe, bank")
    # The provider's id for the money (Stripe: the PaymentIntent); unique so one charge can never
    # pay two instalments. NULL until the provider assigns one (unique admits many NULLs).
    provider_reference = models.CharField(max_length=200, null=True, blank=True, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    amount_received = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    amount_refunded = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    instalment_number = models.PositiveSmallIntegerField(default=1)
    instalment_count = models.PositiveSmallIntegerField(default=1)
    due_on = models.DateField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    # The open Stripe Checkout Session, reused until it expires so two clicks never make two.
    checkout_session_id = models.CharField(max_length=200, null=True, blank=True, unique=True)
    checkout_url = models.URLField(max_length=2000, blank=True)
    checkout_expires_at = models.DateTimeField(null=True, blank=True)
    checkout_attempt = models.PositiveSmallIntegerField(default=0)
    # Set when a new offer replaced this instalment: it is no longer owed, and money that still
    # arrives for it is an overpayment for a case manager to refund.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["case", "instalment_number", "id"]
        indexes = [models.Index(fields=["case", "status"])]

    def __str__(self):
        return f"{self.amount} {self.currency} for {self.case} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        """Still expecting money: nothing or not enough received."""
        return self.status in {self.Status.PENDING, self.Status.PART_PAID}

    @property
    def outstanding(self):
        return self.amount - (self.amount_received - self.amount_refunded)


class PaymentFact(models.Model):
    """One money fact about a payment (a receipt or a refund), unique by `key`, so a retried
    webhook or a re-imported statement line can never be booked twice. Append-only."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", "Receipt"
        REFUND = "refund", "Refund"

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="facts")
    key = models.CharField(max_length=250, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    # True when `amount` is a running total reported by the provider (Stripe's
    # charge.amount_refunded), not a single refund (see payments.settlement).
    cumulative = models.BooleanField(default=False)
    source = models.CharField(max_length=30, help_text="stripe, bank, manual")
    statement_line = models.ForeignKey(
        "StatementLine", null=True, blank=True, on_delete=models.PROTECT, related_name="facts"
    )
    details = models.JSONField(default=dict, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["payment", "recorded_at", "id"]

    def __str__(self):
        return f"{self.kind} {self.amount} {self.currency} ({self.key})"


class ProviderEvent(models.Model):
    """A provider event (webhook) processed once: unique by (provider, event_id).

    Events that cannot be tied to a payment yet (a refund delivered before the payment it
    refunds) keep `applied_at` NULL and are applied when their `object_ref` becomes known.
    """

    provider = models.CharField(max_length=30)
    event_id = models.CharField(max_length=200)
    kind = models.CharField(max_length=100)
    object_ref = models.CharField(max_length=200, blank=True, db_index=True)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="provider_events"
    )
    payload = models.JSONField()
    received_at = models.DateTimeField()
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="provider_event_unique_id"
            ),
        ]

    def __str__(self):
        return f"{self.provider} {self.kind} {self.event_id}"


class BankStatement(models.Model):
    """One import of a bank statement file (importing the same file again is recorded too, and
    books nothing twice: lines are unique by `StatementLine.line_key`)."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        CAMT053 = "camt053", "ISO 20022 camt.053"

    filename = models.CharField(max_length=300)
    format = models.CharField(max_length=10, choices=Format.choices)
    sha256 = models.CharField(max_length=64, db_index=True)
    account = models.CharField(max_length=64, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["-imported_at", "-id"]

    def __str__(self):
        return f"{self.filename} ({self.imported_at:%Y-%m-%d %H:%M})"


class StatementLine(models.Model):
    """One booked line of a bank statement and what became of it."""

    class Status(models.TextChoices):
        MATCHED = "matched", "Matched"
        PARTIAL = "partial", "Partial payment (case manager to follow up)"
        OVERPAID = "overpaid", "Overpayment (case manager to refund the excess)"
        UNMATCHED = "unmatched", "Unmatched (case manager to assign)"
        IGNORED = "ignored", "Ignored (debit or not booked)"

    statement = models.ForeignKey(BankStatement, on_delete=models.PROTECT, related_name="lines")
    # The bank's entry reference where it gives one, else a hash of the line (payments.providers.
    # bank_transfer.statements.line_key); unique, so a re-import books nothing twice.
    line_key = models.CharField(max_length=200, unique=True)
    booked_on = models.DateField(null=True, blank=True)
    value_on = models.DateField(null=True, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    credit = models.BooleanField(default=True)
    counterparty = models.CharField(max_length=200, blank=True)
    counterparty_account = models.CharField(max_length=64, blank=True)
    remittance = models.TextField(blank=True)
    entry_reference = models.CharField(max_length=200, blank=True)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="statement_lines"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["statement", "id"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return f"{self.booked_on} {self.amount} {self.currency} {self.remittance[:40]}"
