from django.db import models

from fairclaim.cases.models import Case


class Payment(models.Model):
    """Money received (or expected) for a case: by card through a provider or by bank transfer."""

    class Offer(models.TextChoices):
        PAST_ONLY = "past_only", "Past use only"
        PAST_AND_FUTURE = "past_and_future", "Past use and licence for future use"

    class Method(models.TextChoices):
        CARD = "card", "Card"
        BANK_TRANSFER = "bank_transfer", "Bank transfer"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        REFUNDED = "refunded", "Refunded"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="payments")
    offer = models.CharField(max_length=20, choices=Offer.choices)
    method = models.CharField(max_length=15, choices=Method.choices)
    provider = models.CharField(max_length=30, blank=True, help_text="e.g. stripe, bank")
    # The provider's id for this payment; unique so a retried webhook can never book it twice.
    # NULL until the provider assigns one (unique admits many NULLs, not many "").
    provider_reference = models.CharField(max_length=200, null=True, blank=True, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    instalment_number = models.PositiveSmallIntegerField(default=1)
    instalment_count = models.PositiveSmallIntegerField(default=1)
    due_on = models.DateField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "instalment_number"]
        indexes = [models.Index(fields=["case", "status"])]

    def __str__(self):
        return f"{self.amount} {self.currency} for {self.case} ({self.get_status_display()})"
