"""Verification: is this work really inside this found image? Geometry first, then pixels.

1. ORB descriptors of the work are matched to the found image's (Lowe ratio test).
2. A homography is fitted with RANSAC (MAGSAC++), and an affine map when the homography is
   degenerate. Degenerate fits are rejected: a mirrored or self-intersecting outline, extreme
   aspect or perspective distortion, inliers bunched in a small patch, too little visible.
3. Inlier counts alone are not proof — two shots of the same scene (a stereo pair) give hundreds of
   consistent inliers. So the found image is warped onto the work and compared block by block
   (`pixels.pixel_agreement`); the median block correlation is the pixel agreement.

A copy is accepted only when every named threshold below holds; the result says which one failed.
Mirrored copies are handled by verifying against the mirrored found image when the direct attempt
fails.

Must not import Django.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from fairclaim.matching.fingerprint import (
    QUERY_DETAIL_FEATURES,
    QUERY_DETAIL_MIN_SIDE,
    QUERY_DETAIL_SIDE,
    QUERY_FEATURES,
    LocalFeatures,
    feature_frame,
    gray_of,
    orb_features,
    resize_long_side,
)
from fairclaim.matching.pixels import pixel_agreement

# Lowe's ratio test for binary descriptors: keep a match whose best distance is below this
# fraction of the second best (0.8 is Lowe's value; binary descriptors are noisier, not looser).
RATIO_TEST = 0.8
# Descriptor pairs further apart than this (of 256 bits) are never correspondences.
MAX_DESCRIPTOR_DISTANCE = 80
# Fewer putative matches than this cannot support a homography worth checking.
MIN_PUTATIVE_MATCHES = 10
# RANSAC inlier tolerance, in pixels of the found image's feature frame (long side 1,024).
RANSAC_REPROJECTION_PX = 5.0
RANSAC_MAX_ITERS = 2000
# Models fitted in turn: a homography (perspective skew), and — when its fit is degenerate — an
# affine map, which cannot bend towards infinity and catches the many copies that are only
# scaled, rotated, stretched or cropped.
GEOMETRY_MODELS = ("homography", "affine")
RANSAC_CONFIDENCE = 0.999
RANSAC_SEED = 20261128
# A homography needs 4 points; 8 consistent ones (twice that) make a chance fit unlikely — but
# not impossible on repeated textures, and a different shot of the same scene passes easily:
# the pixel check, not this count, is the proof.
MIN_INLIERS = 8
# Inliers must span at least this fraction of the visible part of the work (not one small patch).
MIN_INLIER_SPREAD = 0.02
# At least this fraction of the work must be visible in the found image (the crop families of
# matching/edits.py keep ≥ 40 %; the margin allows for the outline being fitted from noisy points).
MIN_VISIBLE_FRACTION = 0.2
# Aspect-ratio change accepted (stretched copies), as the ratio of the two singular values: a
# copy squeezed to half its width is already visibly distorted; chance fits on unrelated
# pictures are very often stretched far beyond that.
MAX_ANISOTROPY = 2.0
# Perspective: the longest edge of the fitted outline may be at most this many times its
# opposite edge (a skewed photo of a poster, not a degenerate fit towards infinity).
MAX_EDGE_RATIO = 2.0
# The visible copy must cover at least this many pixels squared of the found image as published
# (not of the enlarged frame we look at): a 48 × 48-px copy still shows what it is, a smaller one
# is a thumbnail too small for anyone to check the match by eye — or a chance fit.
MIN_COPY_SIDE_PX = 48
# Blocks needed for a verdict.
MIN_BLOCKS = 8
# Accept when the median block correlation reaches this. The anchors measured true copies at
# median 0.99 (min 0.75) and a stereo pair at 0.35. Our benchmark (two splits, 1,950 true pairs)
# saw true copies at ≥ 0.71 (1st percentile 0.92) and chance fits on unrelated photos at ≤ 0.57:
# 0.65 sits in the middle of that gap.
MIN_PIXEL_AGREEMENT = 0.65


@dataclass
class QueryImage:
    """A found image prepared for verification, at one or two scales; ORB features on first use.

    Level 0 is the found image at the works' feature scale (long side `WORK_FEATURE_SIDE`):
    a copy that fills the found image then appears at the same scale as the work's features,
    which matters — ORB matches fall off quickly with scale. Level 1 (only for large found
    images) is a detail frame (long side `QUERY_DETAIL_SIDE`) in which an embedded copy at a
    quarter of a page's width is still big enough.

    Attributes:
        levels: the frames, RGB.
        original_size: (width, height) of the found image as published.
    """

    levels: list[np.ndarray]
    original_size: tuple[int, int]
    offset: tuple[int, int] = (0, 0)
    _features: dict[tuple[int, bool], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    _matchers: dict[tuple[int, bool], object] = field(default_factory=dict)

    @classmethod
    def from_rgb(
        cls, rgb: np.ndarray, original_size: tuple[int, int], offset: tuple[int, int] = (0, 0)
    ) -> QueryImage:
        """`original_size`: what `rgb` shows, in found-image pixels; `offset`: where it sits."""
        base = feature_frame(rgb)
        levels = [np.ascontiguousarray(base)]
        if max(rgb.shape[:2]) >= QUERY_DETAIL_MIN_SIDE:
            levels.append(np.ascontiguousarray(resize_long_side(rgb, QUERY_DETAIL_SIDE)))
        return cls(levels=levels, original_size=original_size, offset=offset)

    def view(self, level: int, mirrored: bool) -> np.ndarray:
        frame = self.levels[level]
        return np.ascontiguousarray(frame[:, ::-1]) if mirrored else frame

    def features(self, level: int = 0, mirrored: bool = False) -> tuple[np.ndarray, np.ndarray]:
        key = (level, mirrored)
        if key not in self._features:
            budget = QUERY_FEATURES if level == 0 else QUERY_DETAIL_FEATURES
            self._features[key] = orb_features(gray_of(self.view(level, mirrored)), budget)
        return self._features[key]

    def nearest_two(
        self, descriptors: np.ndarray, level: int, mirrored: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """For each given descriptor, its two nearest found-image descriptors (distances, rows)."""
        import faiss

        key = (level, mirrored)
        if key not in self._matchers:
            index = faiss.IndexBinaryFlat(256)
            index.add(self.features(level, mirrored)[1])
            self._matchers[key] = index
        return self._matchers[key].search(np.ascontiguousarray(descriptors), 2)


@dataclass(frozen=True)
class Verification:
    """Outcome of verifying one work against one found image.

    `homography` maps work-frame pixels to found-image feature-frame pixels (of the mirrored
    found image when `mirrored`). `reason` names the first failed threshold, or "verified".
    """

    accepted: bool
    reason: str
    putative_matches: int = 0
    inliers: int = 0
    pixel_agreement: float = 0.0
    blocks_compared: int = 0
    inlier_spread: float = 0.0
    visible_fraction: float = 0.0
    mirrored: bool = False
    homography: np.ndarray | None = None
    geometry_ok: bool = False
    level: int = 0
    frame_size: tuple[int, int] = (0, 0)


def verify(
    query: QueryImage,
    work: LocalFeatures,
    mirrored: bool | None = None,
    level: int | None = None,
) -> Verification:
    """Verify `work` against `query`, stopping at the first accepted attempt.

    `mirrored` and `level` are the candidate stage's hints (which view of the found image its
    evidence came from). When both are given (crop-tier votes name the exact view), only that
    view is tried; otherwise the hinted mirroring at each level, then the other mirroring at
    level 0. The best failed attempt is returned when none succeeds.
    """
    first = bool(mirrored)
    levels = list(range(len(query.levels)))
    if mirrored is not None and level is not None and level in levels:
        attempts = [(level, first)]
    else:
        attempts = [(lv, first) for lv in levels] + [(0, not first)]
    best: Verification | None = None
    for attempt_level, attempt_mirrored in attempts:
        outcome = _verify_view(query, work, level=attempt_level, mirrored=attempt_mirrored)
        if outcome.accepted:
            return outcome
        if best is None or (outcome.inliers, outcome.pixel_agreement) > (
            best.inliers,
            best.pixel_agreement,
        ):
            best = outcome
    assert best is not None
    return best


def _verify_view(
    query: QueryImage, work: LocalFeatures, *, level: int, mirrored: bool
) -> Verification:

    q_points, q_desc = query.features(level, mirrored)
    frame = query.view(level, mirrored)
    where = {"mirrored": mirrored, "level": level, "frame_size": (frame.shape[1], frame.shape[0])}
    if len(work.descriptors) < MIN_PUTATIVE_MATCHES or len(q_desc) < MIN_PUTATIVE_MATCHES:
        return Verification(False, "too few features", **where)
    # FAISS's brute-force Hamming k-NN is ~4× faster than OpenCV's BFMatcher here.
    distances, rows = query.nearest_two(work.descriptors, level, mirrored)
    good = np.flatnonzero(
        (rows[:, 1] >= 0)
        & (distances[:, 0] <= MAX_DESCRIPTOR_DISTANCE)
        & (distances[:, 0] < RATIO_TEST * distances[:, 1])
    )
    if len(good) < MIN_PUTATIVE_MATCHES:
        return Verification(False, "too few descriptor matches", len(good), **where)
    src = np.ascontiguousarray(work.keypoints[good, :2], dtype=np.float32)
    dst = np.ascontiguousarray(q_points[rows[good, 0], :2], dtype=np.float32)
    best: Verification | None = None
    for model in GEOMETRY_MODELS:
        found_per_frame = query.original_size[0] / frame.shape[1]
        outcome = _check_model(model, src, dst, frame, work, len(good), where, found_per_frame)
        if outcome.accepted:
            return outcome
        if best is None or (outcome.geometry_ok, outcome.inliers) > (
            best.geometry_ok,
            best.inliers,
        ):
            best = outcome
        if outcome.geometry_ok:
            break  # the geometry was sound and the pixels disagreed: a second fit cannot help
    assert best is not None
    return best


def _fit(model: str, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
    import cv2

    # RANSAC samples from OpenCV's global generator: reseed so the same pair always gives the
    # same verdict and the same report, whatever ran before it.
    cv2.setRNGSeed(RANSAC_SEED)
    if model == "homography":
        matrix, mask = cv2.findHomography(
            src,
            dst,
            cv2.USAC_MAGSAC,
            RANSAC_REPROJECTION_PX,
            maxIters=RANSAC_MAX_ITERS,
            confidence=RANSAC_CONFIDENCE,
        )
    else:
        affine, mask = cv2.estimateAffine2D(
            src,
            dst,
            method=cv2.RANSAC,
            ransacReprojThreshold=RANSAC_REPROJECTION_PX,
            maxIters=RANSAC_MAX_ITERS,
            confidence=RANSAC_CONFIDENCE,
        )
        matrix = None if affine is None else np.vstack([affine, [0.0, 0.0, 1.0]])
    return matrix, (np.zeros(len(src), bool) if mask is None else mask.ravel().astype(bool))


def _check_model(
    model: str,
    src: np.ndarray,
    dst: np.ndarray,
    frame: np.ndarray,
    work: LocalFeatures,
    putative: int,
    where: dict,
    found_per_frame: float,
) -> Verification:
    homography, inlier_mask = _fit(model, src, dst)
    if homography is None:
        return Verification(False, f"no consistent geometry ({model})", putative, **where)
    inliers = int(inlier_mask.sum())
    base = {"putative_matches": putative, "inliers": inliers, **where}
    if inliers < MIN_INLIERS:
        return Verification(False, f"inliers {inliers} < {MIN_INLIERS}", **base)
    problem, visible, spread = _geometry_problem(
        homography, work, frame.shape, src[inlier_mask], found_per_frame
    )
    base |= {"visible_fraction": visible, "inlier_spread": spread, "homography": homography}
    if problem:
        return Verification(False, f"{problem} ({model})", **base)
    base["geometry_ok"] = True
    scale = math.sqrt(max(abs(np.linalg.det(_jacobian(homography, _centre(work)))), 1e-12))
    agreement, blocks = pixel_agreement(frame, work, homography, scale)
    base |= {"pixel_agreement": agreement, "blocks_compared": blocks}
    if blocks < MIN_BLOCKS:
        return Verification(False, f"textured blocks {blocks} < {MIN_BLOCKS}", **base)
    if agreement < MIN_PIXEL_AGREEMENT:
        return Verification(
            False, f"pixel agreement {agreement:.2f} < {MIN_PIXEL_AGREEMENT}", **base
        )
    return Verification(True, "verified", **base)


def _geometry_problem(
    homography: np.ndarray,
    work: LocalFeatures,
    frame_shape: tuple[int, ...],
    inlier_points: np.ndarray,
    found_per_frame: float = 1.0,
) -> tuple[str, float, float]:
    """Name what is degenerate about a fitted homography ("" when nothing), visible, spread."""
    import cv2

    width, height = work.frame_size
    corners = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    outline = cv2.perspectiveTransform(corners.reshape(-1, 1, 2), homography).reshape(-1, 2)
    if not np.all(np.isfinite(outline)):
        return "outline maps to infinity", 0.0, 0.0
    # Signed area (shoelace); positive = same orientation as the work (y down, clockwise corners).
    x, y = outline[:, 0], outline[:, 1]
    cross = [
        (x[(i + 1) % 4] - x[i]) * (y[(i + 2) % 4] - y[(i + 1) % 4])
        - (y[(i + 1) % 4] - y[i]) * (x[(i + 2) % 4] - x[(i + 1) % 4])
        for i in range(4)
    ]
    if not all(c > 0 for c in cross):
        return "outline is mirrored, self-intersecting or not convex", 0.0, 0.0
    edges = [float(np.hypot(*(outline[(i + 1) % 4] - outline[i]))) for i in range(4)]
    for a, b in ((edges[0], edges[2]), (edges[1], edges[3])):
        if max(a, b) > MAX_EDGE_RATIO * max(min(a, b), 1e-6):
            return "perspective too extreme", 0.0, 0.0
    centre = np.float64([width / 2, height / 2])
    jacobian = _jacobian(homography, centre)
    singular = np.linalg.svd(jacobian, compute_uv=False)
    if singular[1] <= 0 or singular[0] / singular[1] > MAX_ANISOTROPY:
        return "aspect-ratio change too extreme", 0.0, 0.0
    frame_h, frame_w = frame_shape[:2]
    frame_box = np.float32([[0, 0], [frame_w, 0], [frame_w, frame_h], [0, frame_h]])
    overlap, _ = cv2.intersectConvexConvex(outline.astype(np.float32), frame_box)
    outline_area = abs(_polygon_area(outline))
    visible = float(overlap / outline_area) if outline_area > 0 else 0.0
    copy_side = math.sqrt(max(overlap, 0.0)) * found_per_frame
    if copy_side < MIN_COPY_SIDE_PX:
        return f"copy smaller than {MIN_COPY_SIDE_PX}² px in the found image", visible, 0.0
    if visible < MIN_VISIBLE_FRACTION:
        return f"visible part {visible:.2f} < {MIN_VISIBLE_FRACTION}", visible, 0.0
    hull = cv2.convexHull(inlier_points.astype(np.float32))
    spread = float(cv2.contourArea(hull) / (width * height * visible))
    if spread < MIN_INLIER_SPREAD:
        return f"inliers bunched (spread {spread:.3f} < {MIN_INLIER_SPREAD})", visible, spread
    return "", visible, spread


def _jacobian(homography: np.ndarray, point: np.ndarray) -> np.ndarray:
    """Local linear part of a homography at `point` (2×2)."""
    h = homography / homography[2, 2]
    x, y = point
    w = h[2, 0] * x + h[2, 1] * y + 1.0
    u = h[0, 0] * x + h[0, 1] * y + h[0, 2]
    v = h[1, 0] * x + h[1, 1] * y + h[1, 2]
    return np.array(
        [
            [(h[0, 0] * w - u * h[2, 0]) / w**2, (h[0, 1] * w - u * h[2, 1]) / w**2],
            [(h[1, 0] * w - v * h[2, 0]) / w**2, (h[1, 1] * w - v * h[2, 1]) / w**2],
        ]
    )


def _centre(work: LocalFeatures) -> np.ndarray:
    return np.float64([work.frame_size[0] / 2, work.frame_size[1] / 2])


def _polygon_area(points: np.ndarray) -> float:
    x, y = points[:, 0], points[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
