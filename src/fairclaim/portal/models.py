from django.db import models
from django.utils.translation import gettext_lazy as _

from fairclaim.cases.models import Case


def submission_path(submission: "LicenceSubmission", filename: str) -> str:
    return f"portal/{submission.case.rights_holder_id}/{submission.case_id}/{filename}"


class LicenceSubmission(models.Model):
    """A recipient's "I have a licence": the proof and its details, decided with reasons."""

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

    def __str__(self):
        return f"Licence from {self.source} for {self.case}"
