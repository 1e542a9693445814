"""Evidence for cases: capture each line's page on opening and again while the case is open.

Captures run in the worker (Chromium through `fairclaim.evidence`); each becomes a `Capture` row
with its signed bundle in private storage and a `CaseEvent` in the case log. Nothing half-written
survives a failed capture: the evidence package writes atomically, and a failure is recorded as
such (it matters too: an unreachable page is not proof of removal).
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction

from fairclaim.evidence.timeline import CaptureSummary, Timeline, build_timeline
from fairclaim.letters.signing import platform_signer
from fairclaim.rules.case_events import LogKind

from .log import append_event
from .models import OPEN_CASE_STATES, Capture, Case, CaseLine

log = logging.getLogger(__name__)

# Re-capture open cases this often: a weekly timeline shows how long a use lasted without
# hammering the recipient's site (first-seen / last-seen from captures: the evidence timeline).
RECAPTURE_INTERVAL = timedelta(days=7)


def do_capture_line(line: CaseLine, now: datetime) -> Capture:
    """Capture one line's page and image; records success or failure, never raises for a site's
    fault (unreachable, refused, timeout)."""
    from fairclaim.evidence.addresses import AddressRefused
    from fairclaim.evidence.capture import CaptureError, capture_page

    sighting = line.match.sighting if line.match else None
    if sighting is None:
        raise ValueError(f"case line {line.pk} has no sighting to capture")
    with tempfile.TemporaryDirectory(prefix="fairclaim-capture-") as folder:
        out = Path(folder) / "bundle.wacz"
        try:
            result = capture_page(
                sighting.page_url,
                sighting.image_url,
                out_path=out,
                signer=platform_signer(),
                tsa_url=settings.FAIRCLAIM_TSA_URL or None,
                allow_loopback=settings.FAIRCLAIM_ALLOW_LOOPBACK,
            )
        except (CaptureError, AddressRefused) as exc:
            return _record_failure(line, now, str(exc))
        digest = hashlib.sha256(out.read_bytes()).hexdigest()
        with transaction.atomic():
            capture = Capture(
                case=line.case,
                line=line,
                status=Capture.Status.CAPTURED,
                manifest_sha256=result.manifest_sha256,
                key_id=result.key_id,
                captured_at=result.captured_at,
                image_present=result.image_present,
                absence_reason=result.absence_reason or "",
                page_status=result.page_status,
                timestamped=result.timestamped,
            )
            with out.open("rb") as handle:
                capture.bundle.save(f"{digest}.wacz", File(handle), save=False)
            capture.save()
            append_event(
                line.case,
                LogKind.EVIDENCE_CAPTURED,
                {
                    "capture": capture.pk,
                    "line": line.pk,
                    "bundle_sha256": digest,
                    "manifest_sha256": result.manifest_sha256,
                    "image_present": result.image_present,
                    "absence_reason": result.absence_reason or "",
                    "key_id": result.key_id,
                    "captured_at": result.captured_at.isoformat(),
                },
                actor="system",
                # Logged when stored, after the capture finished (never before it happened).
                at=max(now, result.captured_at),
            )
    return capture


def _record_failure(line: CaseLine, now: datetime, reason: str) -> Capture:
    with transaction.atomic():
        capture = Capture.objects.create(
            case=line.case, line=line, status=Capture.Status.FAILED, captured_at=now,
            error=reason[:2000],
        )  # fmt: skip
        append_event(
            line.case, LogKind.EVIDENCE_CAPTURE_FAILED, {"line": line.pk, "reason": reason[:500]},
            actor="system", at=now,
        )  # fmt: skip
    return capture


def do_capture_case(case_id: int, now: datetime) -> int:
    """Capture every line of a case that has a sighting; returns how many captures were stored."""
    lines = CaseLine.objects.filter(case_id=case_id, match__isnull=False).select_related(
        "case", "match__sighting"
    )
    return sum(1 for line in lines if do_capture_line(line, now).status == "captured")


def timeline_for(line: CaseLine) -> Timeline:
    """First seen / last seen / removed, from this line's successful captures."""
    return build_timeline(
        CaptureSummary(
            captured_at=c.captured_at,
            image_present=c.image_present,
            reason=c.absence_reason or None,
            bundle=c.bundle.name,
        )
        for c in line.captures.filter(status=Capture.Status.CAPTURED)
    )


def claim_due_captures(now: datetime) -> list[int]:
    """Open cases due for a capture, each claimed by moving its next capture forward (a
    conditional UPDATE), so two schedulers never capture the same case twice."""
    claimed = []
    due = Case.objects.filter(state__in=OPEN_CASE_STATES, next_capture_at__lte=now).values_list(
        "pk", "next_capture_at"
    )
    for pk, next_at in due:
        if Case.objects.filter(pk=pk, next_capture_at=next_at).update(
            next_capture_at=now + RECAPTURE_INTERVAL
        ):
            claimed.append(pk)
    return claimed


def bundle_download(case: Case, capture_pk: int):
    """A successful capture of `case` as a WACZ download (the caller has checked access)."""
    from django.http import FileResponse
    from django.shortcuts import get_object_or_404

    capture = get_object_or_404(Capture, case=case, pk=capture_pk, status=Capture.Status.CAPTURED)
    return FileResponse(
        capture.bundle.open("rb"),
        as_attachment=True,
        filename=f"{case.reference}-capture-{capture.pk}.wacz",
        content_type="application/zip",
    )
