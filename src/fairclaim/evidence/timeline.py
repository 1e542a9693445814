"""Turn repeated captures of one sighting into a first-seen / last-seen / removed-at timeline.

Pure: takes capture summaries (plain values), returns a Timeline. Removal matters to a claim: the
period of use bounds the damages, and a removed image changes what may still be demanded.

Framework-free: no Django imports.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class CaptureSummary:
    """What one capture found; `bundle` names its evidence file (for citing in the timeline)."""

    captured_at: datetime
    image_present: bool
    reason: str | None = None  # why the image was absent (HTTP 404, not on the page, ...)
    bundle: str = ""


def summary_from_manifest(manifest: dict[str, Any], bundle: str = "") -> CaptureSummary:
    """The summary of a stored capture, from its manifest (or a Verification's `info`)."""
    captured_at = datetime.fromisoformat(str(manifest["captured_at"]).replace("Z", "+00:00"))
    return CaptureSummary(
        captured_at=captured_at,
        image_present=bool(manifest["image_present"]),
        reason=manifest.get("absence_reason"),
        bundle=bundle,
    )


@dataclass(frozen=True)
class Period:
    """A run of captures that saw the image: from `start` to `end` (both captures that saw it)."""

    start: datetime
    end: datetime
    ended_by: CaptureSummary | None = None  # the first capture after `end` that missed it


@dataclass(frozen=True)
class Timeline:
    first_seen: datetime | None
    last_seen: datetime | None
    removed_at: datetime | None  # first capture missing the image after it was last seen
    removal_reason: str | None
    status: str  # "present", "removed" or "never_seen"
    periods: list[Period] = field(default_factory=list)
    captures: int = 0


def build_timeline(summaries: Iterable[CaptureSummary]) -> Timeline:
    """Order captures by time and derive the periods during which the image was seen.

    `removed_at` is the time of the first capture that missed the image after the last capture
    that saw it; it is None while the latest capture still sees it. An image that went away and came
    back yields several periods.
    """
    ordered = sorted(summaries, key=lambda summary: summary.captured_at)
    periods: list[Period] = []
    start: datetime | None = None
    end: datetime | None = None
    for summary in ordered:
        if summary.image_present:
            if start is None:
                start = summary.captured_at
            end = summary.captured_at
        elif start is not None and end is not None:
            periods.append(Period(start, end, ended_by=summary))
            start = end = None
    if start is not None and end is not None:
        periods.append(Period(start, end))
    if not periods:
        return Timeline(None, None, None, None, "never_seen", [], len(ordered))
    last = periods[-1]
    removed = last.ended_by
    return Timeline(
        first_seen=periods[0].start,
        last_seen=last.end,
        removed_at=removed.captured_at if removed else None,
        removal_reason=removed.reason if removed else None,
        status="removed" if removed else "present",
        periods=periods,
        captures=len(ordered),
    )
