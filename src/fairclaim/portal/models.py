"""The portal keeps no models: a recipient's licence proofs live in cases, beside defences
(`fairclaim.cases.models.LicenceSubmission`). `submission_path` stays importable here because
portal migration 0001 names it."""

from fairclaim.cases.models import submission_path

__all__ = ["submission_path"]
