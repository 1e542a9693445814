"""First seen / last seen / removed at, from repeated capture summaries (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

from fairclaim.evidence.timeline import CaptureSummary, build_timeline, summary_from_manifest


def at(day: int) -> datetime:
    return datetime(2026, 11, day, 12, 0, tzinfo=UTC)


def seen(day: int) -> CaptureSummary:
    return CaptureSummary(at(day), True, bundle=f"day{day}.wacz")


def missed(day: int, reason: str = "the page answered HTTP 404") -> CaptureSummary:
    return CaptureSummary(at(day), False, reason, bundle=f"day{day}.wacz")


def test_no_captures_means_never_seen():
    timeline = build_timeline([])
    assert timeline.status == "never_seen"
    assert timeline.first_seen is None
    assert timeline.captures == 0


def test_captures_that_never_saw_the_image_mean_never_seen():
    assert build_timeline([missed(1), missed(2)]).status == "never_seen"


def test_image_still_present_has_no_removal_time():
    timeline = build_timeline([seen(3), seen(1), seen(2)])
    assert (timeline.first_seen, timeline.last_seen, timeline.removed_at) == (at(1), at(3), None)
    assert timeline.status == "present"


def test_removal_is_the_first_capture_missing_the_image_after_it_was_last_seen():
    timeline = build_timeline([seen(1), seen(4), missed(6), missed(9, "gone")])
    assert timeline.status == "removed"
    assert timeline.last_seen == at(4)
    assert timeline.removed_at == at(6)
    assert timeline.removal_reason == "the page answered HTTP 404"


def test_image_that_came_back_yields_two_periods_and_is_present():
    timeline = build_timeline([seen(1), missed(2), seen(5), seen(7)])
    assert timeline.status == "present"
    assert [(p.start, p.end) for p in timeline.periods] == [(at(1), at(1)), (at(5), at(7))]
    assert timeline.periods[0].ended_by == missed(2)
    assert timeline.first_seen == at(1)
    assert timeline.removed_at is None


def test_captures_before_first_sighting_do_not_count_as_removal():
    timeline = build_timeline([missed(1), seen(2), missed(3)])
    assert timeline.first_seen == at(2)
    assert timeline.removed_at == at(3)


def test_summary_comes_from_a_manifest_or_verification_info():
    manifest = {"captured_at": "2026-11-05T12:00:00.5Z", "image_present": False,
                "absence_reason": "the page answered HTTP 410"}  # fmt: skip
    summary = summary_from_manifest(manifest, "b.wacz")
    assert summary.captured_at == datetime(2026, 11, 5, 12, 0, 0, 500000, tzinfo=UTC)
    assert summary.image_present is False
    assert summary.reason == "the page answered HTTP 410"
    assert summary.bundle == "b.wacz"
