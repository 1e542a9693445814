"""The matcher: found image in, verified `MatchReport`s out (candidates → verification → report).

`Matcher` holds a `MatchIndex` and a function that loads a candidate's `LocalFeatures` (from an
index directory, a database row, object storage — the caller decides). Query-side ORB features are
computed only when there is something to verify, or when the crop tier is searched.

Must not import Django.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from fairclaim.matching.decode import DEFAULT_MAX_PIXELS, DecodedImage, decode_image
from fairclaim.matching.errors import MatchingError
from fairclaim.matching.fingerprint import (
    PDQ_QUALITY_THRESHOLD,
    LocalFeatures,
    region_codes,
    whole_image_codes,
)
from fairclaim.matching.index import Candidate, MatchIndex
from fairclaim.matching.proposals import BORDER_FLAT_STD, PROPOSAL_MIN_WIDTH_FRACTION
from fairclaim.matching.report import (
    MatchReport,
    decision_thresholds,
    describe_transform,
    full_size_homography,
)
from fairclaim.matching.verify import QueryImage, Verification, verify

# Short side a found image keeps when draft-decoded: 512 px keeps an embedded copy at 25 % of a
# page's width large enough for local features.
QUERY_DECODE_MIN_SIDE = 512
# Candidates verified per found image, closest first: verification costs ~5–15 ms each.
MAX_CANDIDATES_VERIFIED = 8
# Once a copy verifies, the search goes on while at least this share of the found image is
# textured and not covered by a verified copy: the area of the smallest copy region proposals
# look for (a fifth of the width, squared). Below it nothing the engine could find would fit.
MIN_UNEXPLAINED_SHARE = PROPOSAL_MIN_WIDTH_FRACTION**2
# Cells along the long side of the grid on which coverage and texture are compared.
COVERAGE_GRID = 64

FeatureLoader = Callable[[str], LocalFeatures]


@dataclass(frozen=True)
class QueryResult:
    """Everything the engine concluded about one found image.

    Attributes:
        matches: verified matches, best first — the only ones to act on.
        rejected: candidates that failed verification, with the reason (for review, never action).
        candidates_checked: how many candidates were verified.
        pdq_quality: best PDQ quality over the found image's regions.
        found_size: (width, height) of the found image.
        notes: plain-language remarks (e.g. "not hashable").
        unexplained_share: share of the found image that is textured and not covered by a
            verified copy (1.0 when nothing matched a textured image).
    """

    matches: list[MatchReport]
    rejected: list[MatchReport]
    candidates_checked: int
    pdq_quality: int
    found_size: tuple[int, int]
    notes: list[str] = field(default_factory=list)
    unexplained_share: float = 1.0

    @property
    def hashable(self) -> bool:
        return self.pdq_quality >= PDQ_QUALITY_THRESHOLD

    def to_json(self) -> dict:
        return {
            "matches": [m.to_json() for m in self.matches],
            "candidates_checked": self.candidates_checked,
            "pdq_quality": self.pdq_quality,
            "hashable": self.hashable,
            "found_size": list(self.found_size),
            "notes": self.notes,
            "unexplained_share": round(self.unexplained_share, 4),
        }


class Matcher:
    """Match found images against one index.

    Args:
        index: the candidate index.
        load_features: work id → its `LocalFeatures` (called only for candidates).
        use_crop_tier: also search the crop tier (finds crops and embedded copies whose PDQ code
            is far off); on by default.
        max_pixels: decoding limit for found images.

    Example:
        >>> matcher = Matcher(index, load_features=store.load_features)
        >>> result = matcher.match_bytes(found_bytes)
        >>> [m.work_id for m in result.matches]
    """

    def __init__(
        self,
        index: MatchIndex,
        load_features: FeatureLoader,
        *,
        use_crop_tier: bool = True,
        max_candidates: int = MAX_CANDIDATES_VERIFIED,
        max_pixels: int = DEFAULT_MAX_PIXELS,
    ) -> None:
        self.index = index
        self.load_features = load_features
        self.use_crop_tier = use_crop_tier
        self.max_candidates = max_candidates
        self.max_pixels = max_pixels

    def match_bytes(self, data: bytes, *, whole_only: bool = False) -> QueryResult:
        """Decode and match; raises `ImageDecodeError` subclasses for bad input."""
        decoded = decode_image(data, max_pixels=self.max_pixels, min_side=QUERY_DECODE_MIN_SIDE)
        return self.match_decoded(decoded, whole_only=whole_only)

    def match_decoded(self, decoded: DecodedImage, *, whole_only: bool = False) -> QueryResult:
        """Candidates and verification in three stages, each run while part of the found image
        is still unexplained (`unexplained_share`):

        1. the whole image's PDQ codes (copies that keep the whole picture — most of them);
        2. the PDQ codes of region proposals (a picture inside a page, a collage, a border);
        3. the crop tier, one frame at a time (crops, perspective, small rotations, mirrored
           crops, small pictures inside pages), with the found image's features that fall on
           copies already verified left out.

        Later stages cost more (region hashing, then ORB features in up to three frames), so a
        plain copy that fills the found image is settled in the first. A collage, a mood board or
        a page holding several works goes on until every work in it is found or the stages run
        out: each verified match is reported with its placement. `whole_only` stops after the
        first stage (a sharded index's first round, `shards.ShardedMatcher`).
        """
        query = QueryImage.from_rgb(decoded.rgb, decoded.original_size)
        size = (decoded.rgb.shape[1], decoded.rgb.shape[0])
        scale = decoded.original_size[0] / decoded.rgb.shape[1]
        matches: list[MatchReport] = []
        rejected: list[MatchReport] = []
        checked: list[Candidate] = []
        tried: set[str] = set()
        notes: list[str] = []
        quality = 0
        textured = textured_cells(query.levels[0])
        stages = (whole_image_codes,) if whole_only else (whole_image_codes, region_codes)
        for stage in stages:
            if matches and unexplained_share(matches, textured) < MIN_UNEXPLAINED_SHARE:
                break
            codes = (
                stage(query.levels[0], size) if stage is whole_image_codes else stage(decoded.rgb)
            )
            quality = max(quality, codes.best_quality)
            regions = [tuple(round(v * scale) for v in r) for r in codes.regions]  # → found px
            found = self.index.pdq_candidates(codes.codes, regions, codes.mirrored, codes.primary)
            fresh = sorted(
                (c for c in found.values() if c.work_id not in tried),
                key=lambda c: (c.pdq_distance, c.work_id),
            )[: max(0, self.max_candidates - len(checked))]
            tried.update(found)
            self._verify_candidates(fresh, decoded, query, matches, rejected, notes)
            checked += fresh
        if quality < PDQ_QUALITY_THRESHOLD:
            notes.append(
                f"not hashable: PDQ quality {quality} < {PDQ_QUALITY_THRESHOLD}; "
                "the PDQ tier was skipped"
            )
        if self.use_crop_tier and self.index.crop_tier_enabled and not whole_only:
            keys = [(0, False), (0, True)] + ([(1, False)] if len(query.levels) > 1 else [])
            for level, flipped in keys:
                if matches and unexplained_share(matches, textured) < MIN_UNEXPLAINED_SHARE:
                    break
                points, descriptors = query.features(level, flipped)
                if matches:  # what verified copies explain cannot vote for another work
                    frame = query.view(level, flipped)
                    free = ~covered_points(
                        matches, points, (frame.shape[1], frame.shape[0]), flipped
                    )
                    descriptors = np.ascontiguousarray(descriptors[free])
                # A work that failed in one frame may still verify in another (mirrored, or
                # small inside a page), so only the PDQ tier's candidates are left out.
                exclude = tried | {m.work_id for m in matches}
                extra = self.index.crop_candidates([(level, flipped, descriptors)], exclude)
                self._verify_candidates(extra, decoded, query, matches, rejected, notes)
                checked += extra
        matches.sort(key=lambda m: (-m.score, -m.inliers, m.work_id))
        return QueryResult(
            matches=matches,
            rejected=rejected,
            candidates_checked=len(checked),
            pdq_quality=quality,
            found_size=decoded.original_size,
            notes=notes,
            unexplained_share=unexplained_share(matches, textured),
        )

    def _verify_candidates(self, candidates, decoded, query, matches, rejected, notes) -> None:
        """Verify each candidate; verified reports go to `matches`, the others to `rejected`; a
        candidate whose features cannot be loaded is named in `notes` (never silently dropped)."""
        region_queries: dict[tuple, QueryImage] = {}
        whole = (0, 0, *decoded.original_size)
        for candidate in candidates:
            if any(m.work_id == candidate.work_id for m in matches):
                continue
            try:
                features = self.load_features(candidate.work_id)
            except MatchingError as exc:
                notes.append(f"candidate {candidate.work_id} not verified: {exc}")
                continue
            attempts = [query]
            if candidate.region is not None and tuple(candidate.region) != whole:
                # Found through a region proposal (a picture inside a page or collage): verify
                # against that region first, where the work fills the frame as in registration.
                if candidate.region not in region_queries:
                    region_queries[candidate.region] = _region_query(decoded, candidate.region)
                attempts.insert(0, region_queries[candidate.region])
            for attempt in attempts:
                outcome = verify(attempt, features, candidate.mirrored, candidate.level)
                if outcome.accepted:
                    break
            report = build_report(candidate, outcome, features, attempt, decoded.original_size)
            (matches if report.verified else rejected).append(report)


def _grid(size: tuple[int, int]) -> tuple[int, int]:
    """(columns, rows) of the coverage grid for a frame of `size`: square cells."""
    side = max(size)
    return (
        max(1, round(COVERAGE_GRID * size[0] / side)),
        max(1, round(COVERAGE_GRID * size[1] / side)),
    )


def textured_cells(frame: np.ndarray) -> np.ndarray:
    """Boolean grid (rows × columns) of the cells of a found image that are not flat: what a
    copy could occupy (page background and collage gaps cannot hide a work)."""
    import cv2

    columns, rows = _grid((frame.shape[1], frame.shape[0]))
    gray = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(np.float32)
    mean = cv2.resize(gray, (columns, rows), interpolation=cv2.INTER_AREA)
    square = cv2.resize(gray * gray, (columns, rows), interpolation=cv2.INTER_AREA)
    return np.sqrt(np.maximum(square - mean * mean, 0)) > BORDER_FLAT_STD


def _coverage(matches: list[MatchReport], grid: tuple[int, int]) -> np.ndarray:
    """Boolean grid (rows × columns) of the found image covered by verified copies."""
    import cv2

    columns, rows = grid
    covered = np.zeros((rows, columns), np.uint8)
    for match in matches:
        if match.transform is None:
            continue
        width, height = match.original_size
        corners = np.float64([[0, 0], [width, 0], [width, height], [0, height]])
        outline = cv2.perspectiveTransform(
            corners.reshape(-1, 1, 2), np.asarray(match.transform.homography)
        ).reshape(-1, 2)
        found_w, found_h = match.found_size
        cells = outline * [columns / found_w, rows / found_h]
        if np.all(np.isfinite(cells)):
            cv2.fillConvexPoly(covered, np.round(cells).astype(np.int32), 1)
    return covered.astype(bool)


def unexplained_share(matches: list[MatchReport], textured: np.ndarray) -> float:
    """Share of the found image that is textured and not covered by a verified copy."""
    rows, columns = textured.shape
    covered = _coverage(matches, (columns, rows))
    return float((textured & ~covered).sum()) / textured.size


def covered_points(
    matches: list[MatchReport], points: np.ndarray, frame: tuple[int, int], mirrored: bool
) -> np.ndarray:
    """Which keypoints (x, y in a possibly mirrored frame of the found image) lie on copies
    already verified."""
    if len(points) == 0:
        return np.zeros(0, bool)
    columns, rows = _grid(frame)
    covered = _coverage(matches, (columns, rows))
    x = points[:, 0] if not mirrored else frame[0] - points[:, 0]
    column = np.clip((x * columns / frame[0]).astype(int), 0, columns - 1)
    row = np.clip((points[:, 1] * rows / frame[1]).astype(int), 0, rows - 1)
    return covered[row, column]


def _region_query(decoded: DecodedImage, region: tuple[int, int, int, int]) -> QueryImage:
    """A QueryImage of one region (given in found-image pixels) of a decoded found image."""
    scale = decoded.rgb.shape[1] / decoded.original_size[0]
    x0, y0, x1, y1 = (round(v * scale) for v in region)
    crop = decoded.rgb[y0:y1, x0:x1]
    return QueryImage.from_rgb(crop, (region[2] - region[0], region[3] - region[1]), region[:2])


def build_report(
    candidate: Candidate,
    outcome: Verification,
    features: LocalFeatures,
    query: QueryImage,
    found_size: tuple[int, int],
) -> MatchReport:
    transform = None
    summary = outcome.reason
    if outcome.homography is not None and outcome.geometry_ok:
        full = full_size_homography(
            outcome.homography,
            work_frame=features.frame_size,
            original_size=features.original_size,
            query_frame=outcome.frame_size,
            found_size=query.original_size,
            mirrored=outcome.mirrored,
            offset=query.offset,
        )
        transform = describe_transform(full, features.original_size, found_size, outcome.mirrored)
        described = transform.summary(features.original_size, found_size)
        summary = f"The found image {described}."
        if not outcome.accepted:
            summary = f"Not verified ({outcome.reason}). {summary}"
    return MatchReport(
        work_id=candidate.work_id,
        verified=outcome.accepted,
        score=outcome.pixel_agreement,
        reason=outcome.reason,
        inliers=outcome.inliers,
        putative_matches=outcome.putative_matches,
        pdq_distance=candidate.pdq_distance,
        sketch_votes=candidate.sketch_votes,
        blocks_compared=outcome.blocks_compared,
        inlier_spread=outcome.inlier_spread,
        transform=transform,
        summary=summary,
        thresholds=decision_thresholds(),
        original_size=features.original_size,
        found_size=found_size,
    )
