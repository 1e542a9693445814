from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fairclaim.accounts.models import Organisation
from fairclaim.letters import notice_names
from fairclaim.monitoring.models import Match
from fairclaim.rules import fees
from fairclaim.rules.case_states import CaseState, is_terminal
from fairclaim.rules.references import case_reference
from fairclaim.works.models import Work

# What people read for each state of the pure flow (rules.case_states); a missing label fails
# at import, so a new state cannot reach the database without one.
STATE_LABELS = {
    CaseState.DRAFT: _("Draft"),
    CaseState.REVIEW: _("In review"),
    CaseState.NOTICE_SENT: _("Notice sent"),
    CaseState.LICENCE_REVIEW: _("Licence proof under review"),
    CaseState.DEFENCE_REVIEW: _("Defence under review"),
    CaseState.PAYMENT_PENDING: _("Payment pending"),
    CaseState.OVERDUE: _("Overdue"),
    CaseState.ESCALATED: _("Escalated to law firm"),
    CaseState.RESOLVED_PAID: _("Resolved: paid"),
    CaseState.RESOLVED_LICENSED: _("Resolved: licence proven"),
    CaseState.DEFENCE_UPHELD: _("Closed: defence upheld"),
    CaseState.WITHDRAWN: _("Withdrawn"),
}
STATE_CHOICES = [(state.value, STATE_LABELS[state]) for state in CaseState]
OPEN_CASE_STATES = [state.value for state in CaseState if not is_terminal(state)]


class Case(models.Model):
    """One case per recipient (site operator), with a line per work used."""

    class RecipientType(models.TextChoices):
        UNKNOWN = "unknown", _("Unknown")
        CONSUMER = "consumer", _("Consumer / private person")
        MICRO = "micro", _("Micro business")
        BUSINESS = "business", _("Business")

    # NULL until the first save assigns it from the primary key (unique admits many NULLs).
    reference = models.CharField(max_length=20, unique=True, null=True, editable=False)  # noqa: DJ001
    rights_holder = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases")
    law_firm = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalated_cases",
        limit_choices_to={"kind": Organisation.Kind.LAW_FIRM},
    )
    state = models.CharField(max_length=20, choices=STATE_CHOICES, default="draft")
    jurisdiction = models.CharField(max_length=2, help_text=_("ISO country code, e.g. US, DE, GB"))
    language = models.CharField(max_length=5, default="en")
    currency = models.CharField(max_length=3, default="EUR")
    recipient_name = models.CharField(max_length=200, blank=True)
    recipient_domain = models.CharField(max_length=253)
    recipient_email = models.EmailField(blank=True)
    recipient_country = models.CharField(max_length=2, blank=True)
    recipient_address = models.TextField(
        blank=True, help_text=_("Postal address, as in the imprint")
    )
    recipient_type = models.CharField(
        max_length=10, choices=RecipientType.choices, default=RecipientType.UNKNOWN
    )
    access_code_hash = models.CharField(max_length=128, blank=True, editable=False)
    # The current one-time portal link's nonce; cleared when used (portal.access).
    portal_link_nonce = models.CharField(max_length=40, blank=True, editable=False)
    deadline = models.DateField(null=True, blank=True)
    # When the scheduler next captures the evidence (set when the case opens; moved on each claim).
    next_capture_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Who asked to send the demand while its evidence was still being captured: the capture
    # task sends it when the send gate lets it (empty: nobody is waiting).
    send_requested_by = models.CharField(max_length=150, blank=True)
    # A discounted settlement agreed with the recipient: the past-use total they owe instead
    # of the statement's (cases.operations.do_agree_settlement; logged with before and after).
    settlement_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["rights_holder", "state"]),
            models.Index(fields=["law_firm", "state"]),
            models.Index(fields=["recipient_domain"]),
        ]

    def __str__(self):
        return self.reference or f"Case (unsaved {self.recipient_domain})"

    def save(self, *args, **kwargs):
        with transaction.atomic():
            super().save(*args, **kwargs)
            if not self.reference:
                # Derived from the primary key: unique without a counter table or a race.
                year = (self.created_at or timezone.now()).year
                self.reference = case_reference(year, self.pk)
                Case.objects.filter(pk=self.pk).update(reference=self.reference)

    def get_absolute_url(self):
        return reverse("cases:detail", args=[self.reference])


class CurrentLineManager(models.Manager):
    """Lines still claimed: a dropped line stays on record (and in the log) but leaves
    `case.lines`, so notices, the portal, offers and case files stop claiming it."""

    def get_queryset(self):
        return super().get_queryset().filter(dropped_at__isnull=True)


class CaseLine(models.Model):
    """One work used by the recipient: the unit the fee statement itemises."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="lines")
    work = models.ForeignKey(Work, on_delete=models.PROTECT, related_name="case_lines")
    match = models.ForeignKey(
        Match, null=True, blank=True, on_delete=models.SET_NULL, related_name="case_lines"
    )
    description = models.CharField(max_length=300, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    basis = models.TextField(blank=True)
    dropped_at = models.DateTimeField(null=True, blank=True)
    drop_reason = models.TextField(blank=True)
    # The decision that earlier evidence stands although this capture shows the image absent
    # (send gate: such a line needs a decision before anything is sent for it).
    evidence_decision_capture = models.ForeignKey(
        "Capture", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence_decision = models.TextField(blank=True)

    with_dropped = models.Manager()
    objects = CurrentLineManager()

    class Meta:
        default_manager_name = "objects"
        base_manager_name = "with_dropped"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "work"], name="case_line_unique_work"),
        ]

    def __str__(self):
        return f"{self.case} · {self.work}"


class CaseEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(_("The case log is append-only; events cannot be changed."))

    def delete(self):
        raise ValidationError(_("The case log is append-only; events cannot be deleted."))


class CaseEvent(models.Model):
    """An entry in a case's append-only log; each entry hashes the one before it.

    Append with `cases.log.append_event`; verify with `cases.log.verify_case_log`.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    actor = models.CharField(max_length=200)
    at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        ordering = ["case", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="case_event_unique_seq"),
        ]

    def __str__(self):
        return f"{self.case_id}#{self.seq} {self.kind}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("The case log is append-only; events cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("The case log is append-only; events cannot be deleted."))


def notice_pdf_path(notice: "Notice", filename: str) -> str:
    return f"notices/{notice.case.rights_holder_id}/{notice.idempotency_key}.pdf"


class Notice(models.Model):
    """A demand, reminder or DMCA takedown sent for a case, through the outbox."""

    class Kind(models.TextChoices):
        DEMAND = "demand", notice_names.DEMAND
        REMINDER = "reminder", notice_names.REMINDER
        DMCA_TAKEDOWN = "dmca", notice_names.DMCA_TAKEDOWN
        RELEASE = "release", notice_names.RELEASE
        LICENCE_CERTIFICATE = "certificate", notice_names.LICENCE_CERTIFICATE

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        HELD = "held", _("Held by the send gate")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    idempotency_key = models.CharField(max_length=64, unique=True)
    language = models.CharField(max_length=5, default="en")
    recipient_email = models.EmailField()
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    pdf = models.FileField(upload_to=notice_pdf_path, max_length=300, blank=True)
    deadline = models.DateField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    message_id = models.CharField(max_length=300, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    sending_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The PDF's SHA-256 and the platform's Ed25519 signature over it (anyone can check it against
    # /.well-known/fairclaim-signing-key, or upload the PDF at /verify/).
    pdf_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    pdf_signature = models.CharField(max_length=200, blank=True)
    key_id = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.case}"


def defence_evidence_path(defence: "Defence", filename: str) -> str:
    return f"defences/{defence.case.rights_holder_id}/{defence.case_id}/{filename}"


class Defence(models.Model):
    """A defence raised by a recipient; decided with written reasons."""

    class Kind(models.TextChoices):
        LICENCE_ELSEWHERE = "licence_elsewhere", _("Licence held elsewhere")
        CREATIVE_COMMONS = "creative_commons", _("Creative Commons terms")
        FAIR_USE = "fair_use", _("Fair use / quotation / fair dealing")
        DE_MINIMIS = "de_minimis", _("De minimis")
        EMBEDDED = "embedded", _("Embedded, not copied")
        NOT_OUR_SITE = "not_our_site", _("Not our site")
        ALREADY_REMOVED = "already_removed", _("Already removed")
        HARDSHIP = "hardship", _("Hardship")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld")
        REJECTED = "rejected", _("Rejected")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="defences")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    statement = models.TextField()
    evidence = models.FileField(upload_to=defence_evidence_path, max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decision_reasons = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_status_display()})"


def submission_path(submission: "LicenceSubmission", filename: str) -> str:
    return f"portal/{submission.case.rights_holder_id}/{submission.case_id}/{filename}"


class LicenceSubmission(models.Model):
    """A recipient's "I have a licence": the proof and its details, decided with reasons.

    A sibling of Defence: both pause the clock and are decided by the case manager
    (`cases.responses`). The table keeps the name it had in the portal app.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Under review")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="licence_submissions")
    licensee = models.CharField(max_length=200)
    source = models.CharField(max_length=200, help_text=_("Where the licence came from"))
    reference = models.CharField(max_length=200, blank=True)
    licensed_on = models.DateField(null=True, blank=True)
    details = models.TextField(blank=True)
    proof = models.FileField(upload_to=submission_path, max_length=300)
    proof_content_type = models.CharField(max_length=50)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decision_reasons = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        db_table = "portal_licencesubmission"

    def __str__(self):
        return f"Licence from {self.source} for {self.case}"


class Message(models.Model):
    """A message in a case's thread between the recipient and the case manager."""

    class Author(models.TextChoices):
        RECIPIENT = "recipient", _("Recipient")
        CASE_MANAGER = "case_manager", _("Case manager")
        RIGHTS_HOLDER = "rights_holder", _("Rights holder")
        LAW_FIRM = "law_firm", _("Law firm")
        SYSTEM = "system", _("fairclaim")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="messages")
    author_kind = models.CharField(max_length=15, choices=Author.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_author_kind_display()} on {self.case}"


class RateCard(models.Model):
    """A rights holder's prices: its own list prices or a published schedule, in the facts
    format of `rules.facts.Pricing` (validated there; each entry names its basis)."""

    owner = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="rate_card")
    pricing = models.JSONField(help_text=_("rules.facts.Pricing as JSON"))
    creator_type = models.CharField(
        max_length=12,
        choices=[("professional", "Professional photographer"), ("hobby", "Hobby photographer")],
        default="professional",
        help_text=_("BGH I ZR 187/17: no published-table prices or surcharges for hobby work"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Prices of {self.owner}"


class Claim(models.Model):
    """A rights holder's intent to claim one match, with the facts the linter judged."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CHECKED = "checked", _("Checked")
        APPROVED = "approved", _("Approved")
        IN_CASE = "in_case", _("In a case")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DISMISSED = "dismissed", _("Dismissed")
        LICENSED = "licensed", _("Licensed")

    match = models.OneToOneField(Match, on_delete=models.PROTECT, related_name="claim")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The triage answers the rights holder gave (site type, usage, recipient ...).
    inputs = models.JSONField(default=dict)
    decision = models.CharField(max_length=5, blank=True, help_text=_("send, hold or block"))
    result = models.JSONField(default=dict, blank=True, help_text=_("the linter's full output"))
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="claims"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # Why a claim was withdrawn, dismissed or marked licensed, by whom and when (a claim outside
    # a case has no case log; once in a case, its line's log entries say it).
    closed_reason = models.TextField(blank=True)
    closed_by = models.CharField(max_length=150, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return f"Claim on {self.match}"

    def get_absolute_url(self):
        return reverse("cases:claim", args=[self.pk])

    def check_result(self) -> dict:
        """The claim check as `rules check` prints it. The statement is stored once, in the
        claim's `FeeStatement` of the version `result` names; a result stored before that
        still carries its own copy."""
        if not self.result or "statement" in self.result:
            return self.result
        kept = self.statements.filter(version=self.result.get("statement_version")).first()
        return {**self.result, "statement": kept.statement if kept else None}


class FeeStatement(models.Model):
    """Every calculation of a claim's statement, kept (fairness rule 3: amounts are explained,
    and a changed amount can be traced to changed inputs)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="statements")
    version = models.PositiveIntegerField()
    inputs_digest = models.CharField(max_length=64)
    facts = models.JSONField()
    statement = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["claim", "version"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "version"], name="statement_unique_version"),
        ]

    def __str__(self):
        return f"Statement v{self.version} of {self.claim}"

    def value(self) -> fees.FeeStatement:
        """The stored statement as the typed value `rules.fees` made it."""
        return fees.FeeStatement.from_json(self.statement)


def capture_path(capture: "Capture", filename: str) -> str:
    return f"evidence/{capture.case.rights_holder_id}/{capture.case_id}/{filename}"


class Capture(models.Model):
    """One evidence capture of a case line's page: a signed WACZ bundle, or why it failed."""

    class Status(models.TextChoices):
        CAPTURED = "captured", _("Captured")
        FAILED = "failed", _("Failed")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="captures")
    line = models.ForeignKey(CaseLine, on_delete=models.PROTECT, related_name="captures")
    status = models.CharField(max_length=10, choices=Status.choices)
    bundle = models.FileField(upload_to=capture_path, max_length=300, blank=True)
    manifest_sha256 = models.CharField(max_length=64, blank=True)
    key_id = models.CharField(max_length=120, blank=True)
    captured_at = models.DateTimeField()
    image_present = models.BooleanField(default=False)
    absence_reason = models.CharField(max_length=300, blank=True)
    page_status = models.PositiveSmallIntegerField(null=True, blank=True)
    timestamped = models.BooleanField(default=False)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["case", "captured_at"]
        indexes = [models.Index(fields=["case", "-captured_at"])]

    def __str__(self):
        return f"Capture of {self.line} at {self.captured_at:%Y-%m-%d %H:%M}"


class NotificationPreference(models.Model):
    """How a signed-in person wants to hear about their cases: at once, or in one daily digest."""

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediately")
        DAILY = "daily", _("Once a day (digest)")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default="immediate")

    def __str__(self):
        return f"{self.user}: {self.frequency}"


class Notification(models.Model):
    """One message to one party about one thing that happened on a case: an outbox row, sent
    exactly like a notice (claimed with a conditional UPDATE, retried with backoff under one
    Message-ID), and, for a signed-in party, an entry in their in-app list."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notifications")
    # recipient | rights_holder | case_manager | law_firm
    audience = models.CharField(max_length=20)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    event_seq = models.PositiveIntegerField()  # the case-log entry this is about
    kind = models.CharField(max_length=40)  # that entry's kind
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=5, default="en")
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    link = models.CharField(max_length=500, blank=True)
    digest = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    idempotency_key = models.CharField(max_length=100, unique=True)
    message_id = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    queued_at = models.DateTimeField()
    sending_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "queued_at"]),
            models.Index(fields=["user", "read_at"]),
        ]

    def __str__(self):
        return f"{self.kind} for {self.audience} on {self.case}"
