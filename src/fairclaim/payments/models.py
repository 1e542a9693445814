"""Payments for cases: the instalments a recipient owes, the money facts booked against them,
the provider events already processed, and imported bank statements with their lines; the
rights holders' agreements, the double-entry journal that splits collected money, and payout runs
with their statements."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from fairclaim.accounts.models import Organisation
from fairclaim.cases.models import Case
from fairclaim.rules.money import MINOR_UNIT_DIGITS

from .payable import Outcome
from .settlement import MoneyFact
from .split import Account, Bearer, Terms

# Defaults of a new agreement (each can be changed per rights holder):
DEFAULT_COMMISSION_PERCENT = Decimal("50.00")  # the market's usual split (Pixsy, Copytrack: 50 %)
DEFAULT_CARD_FEE_PERCENT = Decimal("1.50")  # Stripe, standard EEA cards
DEFAULT_CARD_FEE_FIXED = Decimal("0.25")  # Stripe, per successful EEA card charge
DEFAULT_CHARGEBACK_FEE = Decimal("20.00")  # Stripe's dispute fee in the EEA
DEFAULT_LAW_FIRM_FEE_PERCENT = Decimal("30.00")  # partner firms' usual contingency share
DEFAULT_MINIMUM_PAYOUT = Decimal("50.00")  # below this a bank transfer costs more than it is worth


OUTCOME_CHOICES = [
    (Outcome.PAID.value, _("Paid")),
    (Outcome.BELOW_MINIMUM.value, _("Carried: below the minimum payout")),
    (Outcome.NO_ACCOUNT.value, _("Carried: no valid bank account")),
    (Outcome.NOTHING_DUE.value, _("Nothing due")),
    (Outcome.OTHER_CURRENCY.value, _("Held: not the payout currency")),
]


class ImmutableRecord(Exception):
    """A final payout run, its statements and journal entries are never changed or deleted."""


class Payment(models.Model):
    """Money owed for a case (one row per instalment), paid by card or by bank transfer.

    `status`, `amount_received` and `amount_refunded` are derived from the payment's `facts`
    by `payments.settlement.settle`; never set them by hand (use `payments.ledger`).
    """

    class Offer(models.TextChoices):
        PAST_ONLY = "past_only", _("Past use only")
        PAST_AND_FUTURE = "past_and_future", _("Past use and licence for future use")

    class Method(models.TextChoices):
        UNCHOSEN = "", _("Not chosen yet")
        CARD = "card", _("Card")
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PART_PAID = "part_paid", _("Partly paid (case manager to follow up)")
        SUCCEEDED = "succeeded", _("Succeeded")
        OVERPAID = "overpaid", _("Overpaid (case manager to refund the excess)")
        PART_REFUNDED = "part_refunded", _("Partly refunded")
        REFUNDED = "refunded", _("Refunded")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled (offer changed)")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="payments")
    offer = models.CharField(max_length=20, choices=Offer.choices)
    method = models.CharField(max_length=15, choices=Method.choices, blank=True, default="")
    provider = models.CharField(max_length=30, blank=True, help_text=_("e.g. stripe, bank"))
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
    # The agreement's terms when money was first booked for this payment (payments.journal):
    # every later fact of the payment (a refund, a chargeback) is split by the same terms.
    split_terms = models.JSONField(default=dict, blank=True, editable=False)
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
        RECEIPT = "receipt", _("Receipt")
        REFUND = "refund", _("Refund")
        CHARGEBACK = "chargeback", _("Chargeback (card dispute lost)")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="facts")
    key = models.CharField(max_length=250, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    # True when `amount` is a running total reported by the provider (Stripe's
    # charge.amount_refunded), not a single refund (see payments.settlement).
    cumulative = models.BooleanField(default=False)
    source = models.CharField(max_length=30, help_text=_("stripe, bank, manual"))
    statement_line = models.ForeignKey(
        "StatementLine", null=True, blank=True, on_delete=models.PROTECT, related_name="facts"
    )
    details = models.JSONField(default=dict, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["payment", "recorded_at", "id"]

    def __str__(self):
        return f"{self.kind} {self.amount} {self.currency} ({self.key})"

    def as_money_fact(self) -> MoneyFact:
        return MoneyFact(self.key, self.kind, self.amount, self.currency, self.cumulative)


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
        CSV = "csv", _("CSV")
        CAMT053 = "camt053", _("ISO 20022 camt.053")

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
        MATCHED = "matched", _("Matched")
        PARTIAL = "partial", _("Partial payment (case manager to follow up)")
        OVERPAID = "overpaid", _("Overpayment (case manager to refund the excess)")
        UNMATCHED = "unmatched", _("Unmatched (case manager to assign)")
        IGNORED = "ignored", _("Ignored (debit or not booked)")

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


# ---- Agreements, the journal (double entry) and payout runs -------------------------------------

ACCOUNT_CHOICES = [(account.value, account.value.replace("_", " ")) for account in Account]
BEARER_CHOICES = [
    (Bearer.RIGHTS_HOLDER.value, _("Rights holder (deducted from the share)")),
    (Bearer.PLATFORM.value, _("Platform (paid out of the commission)")),
    (Bearer.SHARED.value, _("Shared (deducted before the commission)")),
]


class Agreement(models.Model):
    """What a rights holder and the platform agreed: the commission on collected money, who bears
    third-party costs, and where and when the rights holder is paid out.

    Changing it applies to payments first booked afterwards: a payment keeps the terms it was
    first split by (`Payment.split_terms`), so a later refund reverses exactly what was taken,
    and the journal is append-only."""

    organisation = models.OneToOneField(
        Organisation,
        on_delete=models.PROTECT,
        related_name="payout_agreement",
        limit_choices_to={"kind": Organisation.Kind.RIGHTS_HOLDER},
    )
    commission_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_COMMISSION_PERCENT,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Platform commission, percent of what is collected"),
    )
    card_fee_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_CARD_FEE_PERCENT,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    card_fee_fixed = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        default=DEFAULT_CARD_FEE_FIXED,
        validators=[MinValueValidator(0)],
        help_text=_("Per card payment"),
    )
    chargeback_fee = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        default=DEFAULT_CHARGEBACK_FEE,
        validators=[MinValueValidator(0)],
        help_text=_("Per lost card dispute"),
    )
    card_costs_bearer = models.CharField(
        max_length=15, choices=BEARER_CHOICES, default=Bearer.RIGHTS_HOLDER.value
    )
    law_firm_fee_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_LAW_FIRM_FEE_PERCENT,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Law firm's fee, percent of what is collected on an escalated case"),
    )
    law_firm_costs_bearer = models.CharField(
        max_length=15, choices=BEARER_CHOICES, default=Bearer.SHARED.value
    )
    currency = models.CharField(max_length=3, default="EUR", help_text=_("Paid out in"))
    minimum_payout = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=DEFAULT_MINIMUM_PAYOUT,
        validators=[MinValueValidator(0)],
        help_text=_("Smaller balances are carried to the next run"),
    )
    account_holder = models.CharField(max_length=70, blank=True)
    iban = models.CharField("IBAN", max_length=34, blank=True)
    bic = models.CharField("BIC", max_length=11, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Agreement with {self.organisation}"

    def clean(self):
        errors = {}
        if self.iban:
            try:
                iban = IBAN(self.iban)
            except SchwiftyException as problem:
                errors["iban"] = f"Not a valid IBAN: {problem}"
            else:
                self.iban = iban.compact
                if not self.bic and iban.bic is not None:
                    self.bic = str(iban.bic)
        if self.bic:
            try:
                self.bic = BIC(self.bic).compact
            except SchwiftyException as problem:
                errors["bic"] = f"Not a valid BIC: {problem}"
        if self.currency not in MINOR_UNIT_DIGITS:
            errors["currency"] = f"Payouts are made in {', '.join(MINOR_UNIT_DIGITS)}"
        if errors:
            raise ValidationError(errors)

    @property
    def terms(self) -> Terms:
        return Terms(
            commission_percent=self.commission_percent,
            card_fee_percent=self.card_fee_percent,
            card_fee_fixed=self.card_fee_fixed,
            chargeback_fee=self.chargeback_fee,
            card_costs_bearer=Bearer(self.card_costs_bearer),
            law_firm_fee_percent=self.law_firm_fee_percent,
            law_firm_costs_bearer=Bearer(self.law_firm_costs_bearer),
        )

    @property
    def account_ok(self) -> bool:
        """A SEPA transfer can be made: a valid IBAN and an account holder's name."""
        if not (self.iban and self.account_holder):
            return False
        try:
            IBAN(self.iban)
        except SchwiftyException:
            return False
        return True


class PayoutRun(models.Model):
    """One payout run of an operator's rights holders (all rights holders when `operator` is
    empty): reviewed as a draft, then made final once, after which nothing in it changes."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (for review)")
        FINAL = "final", _("Final")
        DISCARDED = "discarded", _("Discarded")

    operator = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="payout_runs"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    cutoff = models.DateTimeField(help_text=_("Money booked up to this moment is included"))
    execution_date = models.DateField(help_text=_("Requested execution date of the transfers"))
    created_by = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    finalised_by = models.CharField(max_length=200, blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    sepa_message_id = models.CharField(max_length=35, blank=True)
    sepa_xml = models.TextField(blank=True)
    sepa_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-cutoff", "-id"]

    def __str__(self):
        return f"Payout run {self.pk} to {self.cutoff:%Y-%m-%d} ({self.get_status_display()})"

    def save(self, *args, **kwargs):
        if self.pk and PayoutRun.objects.filter(pk=self.pk, status=self.Status.FINAL).exists():
            raise ImmutableRecord(f"payout run {self.pk} is final and cannot change")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("payments:payout_run", args=[self.pk])

    def delete(self, *args, **kwargs):
        raise ImmutableRecord("payout runs are kept; discard a draft instead")


class PayoutStatement(models.Model):
    """One rights holder's statement in a run: the balance carried in, the shares and costs booked
    since, what was paid out and what is carried on. Its journal entries are those whose
    `statement` is this row (claimed when the run is made final)."""

    run = models.ForeignKey(PayoutRun, on_delete=models.PROTECT, related_name="statements")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="payout_statements"
    )
    currency = models.CharField(max_length=3)
    previous_balance = models.DecimalField(max_digits=14, decimal_places=2)
    collected = models.DecimalField(max_digits=14, decimal_places=2)
    commission = models.DecimalField(max_digits=14, decimal_places=2)
    costs = models.DecimalField(max_digits=14, decimal_places=2)
    period = models.DecimalField(max_digits=14, decimal_places=2, help_text=_("Share credited"))
    closing = models.DecimalField(max_digits=14, decimal_places=2)
    paid = models.DecimalField(max_digits=14, decimal_places=2)
    carried = models.DecimalField(max_digits=14, decimal_places=2)
    outcome = models.CharField(max_length=20, choices=OUTCOME_CHOICES)
    entry_count = models.PositiveIntegerField()
    account_holder = models.CharField(max_length=70, blank=True)
    iban = models.CharField(max_length=34, blank=True)
    bic = models.CharField(max_length=11, blank=True)
    end_to_end_id = models.CharField(max_length=35, blank=True)

    class Meta:
        ordering = ["run", "organisation__name", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "organisation", "currency"], name="payout_statement_unique"
            )
        ]

    def __str__(self):
        return f"Statement {self.pk}: {self.organisation} {self.paid} {self.currency}"

    def save(self, *args, **kwargs):
        if PayoutRun.objects.filter(pk=self.run_id, status=PayoutRun.Status.FINAL).exists():
            raise ImmutableRecord(f"statement of final payout run {self.run_id} cannot change")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("payments:statement", args=[self.pk])


class JournalEntry(models.Model):
    """One balanced entry of the double-entry journal (payments.split names the accounts).
    Append-only: a correction is a new entry. Unique by `key`, so nothing is booked twice."""

    class Kind(models.TextChoices):
        SPLIT = "split", _("Payment split")
        PAYOUT = "payout", _("Payout")

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="journal_entries"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="journal_entries"
    )
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="journal_entries"
    )
    currency = models.CharField(max_length=3)
    description = models.CharField(max_length=300)
    booked_at = models.DateTimeField()
    # The payout statement that settled this entry (NULL until a run is made final).
    statement = models.ForeignKey(
        PayoutStatement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )

    class Meta:
        ordering = ["booked_at", "id"]
        indexes = [
            models.Index(fields=["organisation", "currency", "statement"]),
            models.Index(fields=["booked_at"]),
        ]

    def __str__(self):
        return f"{self.booked_at:%Y-%m-%d} {self.description}"

    def save(self, *args, **kwargs):
        if self.pk and JournalEntry.objects.filter(pk=self.pk).exists():
            raise ImmutableRecord("journal entries are append-only; book a correcting entry")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecord("journal entries are append-only; book a correcting entry")


class Posting(models.Model):
    """One line of a journal entry: debit positive, credit negative."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    account = models.CharField(max_length=20, choices=ACCOUNT_CHOICES)
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["entry", "id"]
        indexes = [models.Index(fields=["account", "entry"])]

    def __str__(self):
        return f"{self.account} {self.amount}"
