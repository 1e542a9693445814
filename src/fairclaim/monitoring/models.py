import hashlib

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fairclaim.accounts.models import Organisation
from fairclaim.works.models import Work


def sighting_key(page_url: str, image_url: str) -> str:
    """One row per (page, image) pair per organisation; URLs are too long to index directly."""
    return hashlib.sha256(f"{page_url}\n{image_url}".encode()).hexdigest()


class Sighting(models.Model):
    """An image found on a web page, with the page context later steps need."""

    class Source(models.TextChoices):
        CRAWL = "crawl", _("Site crawl")
        WARC = "warc", _("Web archive")
        PROVIDER = "provider", _("Reverse image search")
        MANUAL = "manual", _("Submitted by hand")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="sightings",
        help_text=_("The rights holder this sighting was discovered for"),
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    key = models.CharField(max_length=64, editable=False)
    page_url = models.URLField(max_length=2048)
    image_url = models.URLField(max_length=2048)
    page_domain = models.CharField(max_length=253, db_index=True)
    image_sha256 = models.CharField(max_length=64, blank=True)
    display_width = models.PositiveIntegerField(null=True, blank=True)
    display_height = models.PositiveIntegerField(null=True, blank=True)
    hotlinked = models.BooleanField(default=False)
    context = models.JSONField(default=dict, blank=True)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    gone_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-last_seen", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="sighting_unique_per_org"),
        ]
        # The sightings lists page through one rights holder's sightings newest first.
        indexes = [
            models.Index(fields=["organisation", "-last_seen", "-id"]),
            models.Index(fields=["organisation", "-first_seen", "-id"]),
        ]

    def __str__(self):
        return f"{self.image_url} on {self.page_url}"

    def save(self, *args, **kwargs):
        self.key = sighting_key(self.page_url, self.image_url)
        super().save(*args, **kwargs)


def report_image_path(match: "Match", filename: str) -> str:
    return f"matches/{match.work.owner_id}/{match.work_id}-{match.sighting_id}.png"


def overlay_image_path(match: "Match", filename: str) -> str:
    return f"matches/{match.work.owner_id}/{match.work_id}-{match.sighting_id}.overlay.png"


class Match(models.Model):
    """A verified match between a registered work and a sighting, with the engine's report."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        SEEN = "seen", _("Seen")
        CLAIMED = "claimed", _("Claimed")
        LICENSED = "licensed", _("Licensed")
        IGNORED = "ignored", _("Ignored")
        NOT_MINE = "not_mine", _("Not mine")
        WHITELISTED = "whitelisted", _("Domain whitelisted")

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="matches")
    sighting = models.ForeignKey(Sighting, on_delete=models.CASCADE, related_name="matches")
    # The work's owner, copied here so the review inbox filters and counts one indexed table
    # (100,000 matches: a join per row made each page cost half a second). Set on save.
    organisation = models.ForeignKey(
        Organisation, null=True, editable=False, on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField()
    inliers = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    report_image = models.FileField(upload_to=report_image_path, max_length=300, blank=True)
    overlay_image = models.FileField(upload_to=overlay_image_path, max_length=300, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "matches"
        constraints = [
            models.UniqueConstraint(fields=["work", "sighting"], name="match_unique_pair"),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["organisation", "status", "-created_at"]),
        ]

    def __str__(self):
        return f"{self.work} ↔ {self.sighting.image_url}"

    def save(self, *args, **kwargs):
        if self.organisation_id is None:
            self.organisation_id = Work.objects.values_list("owner_id", flat=True).get(
                pk=self.work_id
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("monitoring:match", args=[self.pk])


class ScanStatus(models.TextChoices):
    IDLE = "idle", "Not scanned yet"
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Scanning"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class WatchList(models.Model):
    """Sites a rights holder wants re-scanned on a schedule."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="watch_lists"
    )
    name = models.CharField(max_length=200)
    start_urls = models.JSONField(default=list, help_text=_("Pages or whole sites to crawl"))
    max_pages = models.PositiveIntegerField(default=500)
    interval_hours = models.PositiveIntegerField(default=24 * 7)
    enabled = models.BooleanField(default=True)
    next_scan_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_scan_at = models.DateTimeField(null=True, blank=True)
    last_scan_summary = models.JSONField(default=dict, blank=True)
    # The latest scan as the rights holder follows it: waiting, running, then done or failed
    # with its reason (a scan refused for a private address must not look like "no images").
    scan_status = models.CharField(max_length=10, choices=ScanStatus.choices, default="idle")
    scan_queued_at = models.DateTimeField(null=True, blank=True)
    scan_started_at = models.DateTimeField(null=True, blank=True)
    scan_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("monitoring:watch_list", args=[self.pk])

    @property
    def scanning(self) -> bool:
        return self.scan_status in {ScanStatus.QUEUED, ScanStatus.RUNNING}


class WhitelistedDomain(models.Model):
    """A site a rights holder never wants claims against (its own, a partner's, a client's)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="whitelisted_domains"
    )
    domain = models.CharField(max_length=253)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "domain"], name="whitelist_unique"),
        ]

    def __str__(self):
        return self.domain


class PageCheck(models.Model):
    """One page a rights holder asked to check, and how the check went: what they see while it
    runs and the result or the reason it failed ("this address is private and was not fetched")."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Checking the page")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="page_checks"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    page_url = models.URLField(max_length=2048)
    image_url = models.URLField(max_length=2048, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    images_found = models.PositiveIntegerField(default=0)
    images_new = models.PositiveIntegerField(default=0)
    failure_kind = models.CharField(max_length=40, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Check of {self.page_url} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("monitoring:page_check", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}
