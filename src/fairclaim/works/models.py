from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fairclaim.accounts.models import Organisation


def work_file_path(work: "Work", filename: str) -> str:
    # Content-addressed and owner-scoped: no user-chosen name ever reaches the file system.
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"works/{work.owner_id}/{work.sha256[:2]}/{work.sha256}{suffix}"


def thumbnail_path(work: "Work", filename: str) -> str:
    return f"works/{work.owner_id}/{work.sha256[:2]}/{work.sha256}.thumb.jpg"


NAME_LENGTH = 80  # a tag or collection name; longer is a description, not a label


class Tag(models.Model):
    """A label a rights holder puts on works (a shoot, a client, a subject)."""

    owner = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="work_tags")
    name = models.CharField(max_length=NAME_LENGTH)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="tag_unique")]

    def __str__(self):
        return self.name


class Collection(models.Model):
    """A named set of works (a book, a portfolio, an agency's contributor)."""

    owner = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="work_collections"
    )
    name = models.CharField(max_length=NAME_LENGTH)
    description = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="collection_unique")]

    def __str__(self):
        return self.name


class Work(models.Model):
    """A registered photograph, stored by content hash, with its rights metadata."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be processed")
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Processing failed")

    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="works")
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=work_file_path, max_length=300)
    thumbnail = models.FileField(upload_to=thumbnail_path, max_length=300, blank=True)
    original_filename = models.CharField(max_length=255, blank=True)
    image_format = models.CharField(max_length=10)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    byte_size = models.PositiveBigIntegerField()

    title = models.CharField(max_length=300, blank=True)
    creator = models.CharField(max_length=200, blank=True)
    copyright_notice = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    created_on = models.DateField(null=True, blank=True, help_text=_("When the photo was taken"))
    first_published_on = models.DateField(null=True, blank=True)
    # The licence the work itself is published under, if any (CC0, a CC licence, GPL ...): a
    # public-domain or CC0 work is never claimed; a CC work only asks for its conditions.
    licence = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Only if you publish this photo under an open licence, e.g. CC BY 4.0 or CC0"),
    )
    licence_url = models.URLField(
        max_length=500, blank=True, help_text=_("e.g. https://creativecommons.org/licenses/by/4.0/")
    )
    embedded_metadata = models.JSONField(default=dict, blank=True)

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    processing_error = models.TextField(blank=True)
    fingerprinted_at = models.DateTimeField(null=True, blank=True)
    # matching.WorkFingerprint.to_bytes(): PDQ code, crop-tier sketch, verification features.
    fingerprint = models.BinaryField(null=True, blank=True, editable=False)
    fingerprint_note = models.CharField(max_length=300, blank=True)
    # When reverse image search providers are next asked about this work (if any are enabled).
    next_provider_search_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # An archived work is no longer matched or searched for (no new cases); its sightings,
    # matches and cases stay. Restoring it makes it matchable again.
    archived_at = models.DateTimeField(null=True, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="works")
    collections = models.ManyToManyField(Collection, blank=True, related_name="works")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "sha256"], name="work_unique_per_owner"),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["sha256"]),
            models.Index(fields=["status"]),
            models.Index(fields=["owner", "archived_at"]),
        ]

    def __str__(self):
        return self.title or self.original_filename or f"Work {self.pk}"

    def get_absolute_url(self):
        return reverse("works:detail", args=[self.pk])

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    @property
    def megapixels(self) -> float:
        return round(self.width * self.height / 1_000_000, 1)


class Registration(models.Model):
    """A copyright registration of a work (what 17 USC 412 asks about)."""

    class Office(models.TextChoices):
        US_COPYRIGHT_OFFICE = "us_co", _("U.S. Copyright Office")
        OTHER = "other", _("Other registry")

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="registrations")
    office = models.CharField(max_length=10, choices=Office.choices)
    number = models.CharField(max_length=60, help_text=_("e.g. VA 2-123-456"))
    effective_date = models.DateField()
    group_registration = models.BooleanField(default=False)
    notes = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["effective_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["work", "office", "number"], name="registration_unique_per_work"
            ),
        ]

    def __str__(self):
        return f"{self.get_office_display()} {self.number} ({self.effective_date})"


class Licence(models.Model):
    """A known licence: a sale, an agency or stock licence, a CC grant, or a recipient's proof.

    A match covered by a licence is never claimed (product rule 2, docs/architecture.md).
    """

    class Usage(models.TextChoices):
        ANY = "any", _("Any use")
        EDITORIAL = "editorial", _("Editorial")
        COMMERCIAL = "commercial", _("Commercial")

    class Source(models.TextChoices):
        OWN_SALE = "own_sale", _("Own sale")
        AGENCY = "agency", _("Agency")
        STOCK = "stock", _("Stock site")
        CREATIVE_COMMONS = "cc", _("Creative Commons")
        RECIPIENT_PROOF = "recipient_proof", _("Proven by a recipient")

    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="licences")
    work = models.ForeignKey(
        Work,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="licences",
        help_text=_("Empty means the licence covers every work of the owner"),
    )
    licensee_name = models.CharField(max_length=200)
    licensee_email = models.EmailField(blank=True)
    domains = models.JSONField(default=list, blank=True, help_text=_("Domains the licence covers"))
    media = models.CharField(max_length=100, blank=True, help_text=_("e.g. web, print, social"))
    territory = models.CharField(max_length=100, blank=True, default="worldwide")
    usage = models.CharField(max_length=12, choices=Usage.choices, default=Usage.ANY)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.OWN_SALE)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    reference = models.CharField(max_length=100, blank=True, help_text=_("Invoice or order number"))
    # The case in which a recipient proved this licence: that licensee is never claimed again for
    # the work (product rule 2, docs/architecture.md). A case reference, not a key: works sits below
    # cases and must not import it.
    proven_in_case = models.CharField(
        max_length=40, blank=True, help_text=_("Reference of the case in which it was proven")
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "work"])]

    def __str__(self):
        return f"{self.licensee_name} ({self.get_source_display()})"


def licence_proof_path(proof: "LicenceProof", filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"licences/{proof.licence.owner_id}/{proof.sha256}{suffix}"


class LicenceProof(models.Model):
    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="proofs")
    file = models.FileField(upload_to=licence_proof_path, max_length=300)
    sha256 = models.CharField(max_length=64)
    original_filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.original_filename or self.sha256
