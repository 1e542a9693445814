"""Fingerprints: PDQ codes for the candidate stage, ORB features and a thumbnail for verification.

A registered work gets a `WorkFingerprint`: one PDQ code of the upright image (the query side
tries the eight dihedral variants, so the index stays at 32 bytes per work), a small sketch of its
strongest local descriptors (the crop tier of the index), and `LocalFeatures` (ORB keypoints and
descriptors plus a colour thumbnail) that verification loads from disk or the database only when
the work is a candidate. A found image gets `QueryCodes`: PDQ codes of the whole image, of region
proposals (`proposals.py`: borders trimmed, pictures inside a page or collage) and of their
dihedral variants.

Everything serialises to bytes with `numpy.savez` and `allow_pickle=False`.

Must not import Django.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np

from fairclaim.matching.decode import DecodedImage
from fairclaim.matching.errors import IndexFormatError

# PDQ's own quality cut-off (Meta's reference implementation and ThreatExchange use 50): below it
# the image is too flat for its hash to carry information.
PDQ_QUALITY_THRESHOLD = 50
# Short side of the image PDQ sees: PDQ resamples to 64×64 anyway; ≥ 256 px keeps drift low.
PDQ_INPUT_SHORT_SIDE = 256
# Long side of the frame in which a work's local features live (small works are enlarged to it):
# enough detail for crops of 40 % of the area, small enough for ~4 ms ORB. A found image is
# looked at in a frame of the same size, because ORB matches fall off quickly with scale.
WORK_FEATURE_SIDE = 512
# ORB keypoints stored per work: 1,000 × 32 bytes stays ~50 kB on disk with its keypoints.
WORK_FEATURES = 1000
# Detail frame of a large found image: an embedded copy at 25 % of a 1,366-px page still spans
# 320 px, half the works' feature scale (within ORB's pyramid).
QUERY_DETAIL_SIDE = 1280
# Found images at least this large (long side, decoded) get the detail frame.
QUERY_DETAIL_MIN_SIDE = 960
# ORB keypoints taken from a found image at the works' scale (level 0): 1.5× a work's budget,
# as captions and neighbours take some.
QUERY_FEATURES = 1500
# ...and from the detail frame (level 1), which is mostly page text and other pictures.
QUERY_DETAIL_FEATURES = 3000
# FAST thresholds tried in turn until a third of the budget is found: OpenCV's default 20 finds
# too few corners on blurred, foggy or low-contrast images.
ORB_FAST_THRESHOLDS = (10, 5, 2)
# ORB detects this many times the budget, then `_spread` keeps the best per grid cell.
ORB_OVERSAMPLE = 3
# CLAHE clip limit before ORB: OpenCV's usual 2–4; higher amplifies JPEG noise into corners.
ORB_CLAHE_CLIP = 3.0
ORB_GRID = 8
# Long side of the colour thumbnail kept for pixel verification and the report picture.
THUMB_SIDE = 320
# JPEG quality of that thumbnail: artefacts at 90 are far below the verifier's tolerance.
THUMB_JPEG_QUALITY = 90
# Descriptors per work in the crop tier: the strongest, spread over a 4×4 grid so a crop keeping
# 40 % of the area still holds about a third of them.
SKETCH_SIZE = 32
SKETCH_GRID = 4
# pdqhash.compute_dihedral order: original, rot90, rot180, rot270, flipX, flipY, flip+, flip−.
MIRRORED_VARIANTS = frozenset({4, 5, 6, 7})
PROPOSAL_VARIANTS = (0, 4)


@dataclass(frozen=True)
class LocalFeatures:
    """ORB features of one image in a fixed frame, plus a thumbnail of it.

    Attributes:
        keypoints: N×4 float32 (x, y, size, angle) in the frame's pixels.
        descriptors: N×32 uint8 ORB descriptors.
        frame_size: (width, height) of the frame the keypoints live in.
        original_size: (width, height) of the full original, for reporting crop boxes.
        thumb_jpeg: the frame as a small colour JPEG (long side `THUMB_SIDE`).
    """

    keypoints: np.ndarray
    descriptors: np.ndarray
    frame_size: tuple[int, int]
    original_size: tuple[int, int]
    thumb_jpeg: bytes

    def thumb_rgb(self) -> np.ndarray:
        """Decode the thumbnail (H×W×3 uint8)."""
        from PIL import Image

        with Image.open(io.BytesIO(self.thumb_jpeg)) as image:
            return np.asarray(image.convert("RGB"), dtype=np.uint8)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            keypoints=self.keypoints.astype(np.float32),
            descriptors=self.descriptors.astype(np.uint8),
            frame_size=np.asarray(self.frame_size, dtype=np.int64),
            original_size=np.asarray(self.original_size, dtype=np.int64),
            thumb_jpeg=np.frombuffer(self.thumb_jpeg, dtype=np.uint8),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> LocalFeatures:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            return cls(
                keypoints=arrays["keypoints"],
                descriptors=arrays["descriptors"],
                frame_size=_pair(arrays["frame_size"]),
                original_size=_pair(arrays["original_size"]),
                thumb_jpeg=arrays["thumb_jpeg"].tobytes(),
            )


@dataclass(frozen=True)
class WorkFingerprint:
    """Everything registration computes for one work.

    Attributes:
        pdq: the 32-byte PDQ code of the upright image (empty when not hashable).
        quality: PDQ quality 0–100; below `PDQ_QUALITY_THRESHOLD` the code is not indexed.
        sketch: up to `SKETCH_SIZE`×32 uint8 descriptors for the crop tier.
        features: what verification needs; may be stored apart from the index.
    """

    pdq: bytes
    quality: int
    sketch: np.ndarray
    features: LocalFeatures

    @property
    def hashable(self) -> bool:
        return self.quality >= PDQ_QUALITY_THRESHOLD and len(self.pdq) == 32

    def to_bytes(self) -> bytes:
        """Serialise (numpy npz, no pickle) for a database column or a file."""
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            pdq=np.frombuffer(self.pdq, dtype=np.uint8),
            quality=np.asarray(self.quality, dtype=np.int64),
            sketch=self.sketch.astype(np.uint8),
            features=np.frombuffer(self.features.to_bytes(), dtype=np.uint8),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> WorkFingerprint:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            return cls(
                pdq=arrays["pdq"].tobytes(),
                quality=int(arrays["quality"]),
                sketch=arrays["sketch"].reshape(-1, 32),
                features=LocalFeatures.from_bytes(arrays["features"].tobytes()),
            )


@dataclass(frozen=True)
class QueryCodes:
    """PDQ codes of a found image: region proposals × dihedral variants, hashable ones only.

    Attributes:
        codes: M×32 uint8.
        regions: for each code, the (x0, y0, x1, y1) box in the found image it was taken from.
        mirrored: for each code, whether it is of a mirrored variant.
        primary: for each code, whether it is the whole image upright or mirrored — the codes an
            inverted-file index searches exhaustively.
        best_quality: the highest PDQ quality seen (to say "not hashable" when it is too low).
    """

    codes: np.ndarray
    regions: list[tuple[int, int, int, int]]
    mirrored: list[bool]
    best_quality: int
    primary: list[bool] = field(default_factory=list)


def pdq_code(rgb: np.ndarray) -> tuple[bytes, int]:
    """PDQ code (32 bytes, big-endian bit order as in ThreatExchange hex) and quality."""
    import pdqhash

    bits, quality = pdqhash.compute(_pdq_input(rgb))
    return np.packbits(bits.astype(np.uint8)).tobytes(), int(quality)


def pdq_dihedral_codes(rgb: np.ndarray) -> tuple[np.ndarray, int]:
    """The eight dihedral PDQ codes (8×32 uint8) of an image, and its quality."""
    import pdqhash

    variants, quality = pdqhash.compute_dihedral(_pdq_input(rgb))
    return np.packbits(np.asarray(variants, dtype=np.uint8), axis=1), int(quality)


def _pdq_input(rgb: np.ndarray) -> np.ndarray:
    """Pixels for PDQ, area-averaged to a short side of at most 2× `PDQ_INPUT_SHORT_SIDE`.

    PDQ box-filters down to 64×64 itself, so more pixels only cost time. The averaging is done
    on luminance (a third of the work of averaging RGB; PDQ reduces to luminance first anyway),
    handed to PDQ as three equal channels.
    """
    import cv2

    height, width = rgb.shape[:2]
    short = min(height, width)
    if short <= 2 * PDQ_INPUT_SHORT_SIDE:
        return np.ascontiguousarray(rgb)
    factor = PDQ_INPUT_SHORT_SIDE / short
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    gray = cv2.resize(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), size, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(np.repeat(gray[:, :, None], 3, axis=2))


def resize_long_side(rgb: np.ndarray, side: int, *, allow_upscale: bool = False) -> np.ndarray:
    """Resize so the long side is `side` (never enlarging unless asked)."""
    import cv2

    height, width = rgb.shape[:2]
    factor = side / max(height, width)
    if factor >= 1 and not allow_upscale:
        return rgb
    if abs(factor - 1) < 1e-3:
        return rgb
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    return cv2.resize(rgb, size, interpolation=interpolation)


def orb_features(gray: np.ndarray, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """ORB keypoints (N×4 float32: x, y, size, angle) and descriptors (N×32 uint8).

    Local contrast is equalised first (CLAHE): ORB's descriptor compares pixel pairs, so a
    locally monotonic tone change barely alters it, but FAST's fixed threshold finds corners in
    dark or faded regions once their range is stretched — also when a bright caption elsewhere
    already spans the full range. Keypoints are then spread over a grid so that
    captions, page text or neighbouring photos cannot take the whole budget.
    """
    import cv2

    low, high = np.percentile(gray[::4, ::4], (1, 99)) if gray.size else (0, 255)
    if high - low > 1:
        gray = cv2.convertScaleAbs(
            gray, alpha=255.0 / (high - low), beta=-low * 255.0 / (high - low)
        )
    for threshold in ORB_FAST_THRESHOLDS:  # smooth images (fog, storms) need a lower one
        orb = cv2.ORB_create(
            nfeatures=n_features * ORB_OVERSAMPLE, fastThreshold=threshold, edgeThreshold=15
        )
        keypoints = orb.detect(gray, None)
        if len(keypoints) >= n_features // 3:
            break
    if not keypoints:
        return np.zeros((0, 4), np.float32), np.zeros((0, 32), np.uint8)
    keypoints = _spread(keypoints, gray.shape, n_features)
    keypoints, descriptors = orb.compute(gray, keypoints)
    if descriptors is None or not keypoints:
        return np.zeros((0, 4), np.float32), np.zeros((0, 32), np.uint8)
    points = np.column_stack(
        [
            cv2.KeyPoint_convert(keypoints),
            _attribute(keypoints, "size"),
            _attribute(keypoints, "angle"),
        ]
    )
    order = np.argsort(-_attribute(keypoints, "response"), kind="stable")
    return np.ascontiguousarray(points[order]), np.ascontiguousarray(descriptors[order])


def _attribute(keypoints, name: str) -> np.ndarray:
    """One attribute of many `cv2.KeyPoint`s as float32 (a plain loop over thousands of them in
    a tuple per keypoint costs milliseconds)."""
    return np.fromiter((getattr(k, name) for k in keypoints), np.float32, len(keypoints))


def _spread(keypoints: list, shape: tuple[int, ...], budget: int) -> list:
    """At most `budget` keypoints, strongest first, each grid cell capped at twice its share."""
    height, width = shape[:2]
    cap = max(4, 2 * budget // (ORB_GRID * ORB_GRID))
    import cv2

    points = cv2.KeyPoint_convert(keypoints).astype(np.float64)
    response = _attribute(keypoints, "response")
    cells = np.minimum(points[:, 0] * ORB_GRID // width, ORB_GRID - 1) * ORB_GRID + np.minimum(
        points[:, 1] * ORB_GRID // height, ORB_GRID - 1
    )
    order = np.lexsort((-response, cells))  # by cell, strongest first within a cell
    sorted_cells = cells[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_cells)) + 1]
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    kept = order[rank < cap]
    kept = kept[np.argsort(-response[kept], kind="stable")][:budget]
    return [keypoints[i] for i in kept]


def gray_of(rgb: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)


def feature_frame(rgb: np.ndarray) -> np.ndarray:
    """An image in the frame where works are hashed and their local features live (long side
    `WORK_FEATURE_SIDE`, small images enlarged to it)."""
    return resize_long_side(rgb, WORK_FEATURE_SIDE, allow_upscale=True)


def fingerprint_work(decoded: DecodedImage) -> WorkFingerprint:
    """Compute a work's fingerprint from its decoded pixels.

    Args:
        decoded: the original, from `decode_image` (draft-decoded is fine and faster; pass
            `min_long_side=WORK_FEATURE_SIDE` so the feature frame is not enlarged).

    Returns:
        A `WorkFingerprint`; check `.hashable` — an unhashable work can still be verified
        against, but the PDQ tier cannot find it.

    Example:
        >>> fp = fingerprint_work(decode_image(data))
        >>> blob = fp.to_bytes()   # store it; WorkFingerprint.from_bytes(blob) reads it back
    """
    frame = feature_frame(decoded.rgb)
    # Hashed in the feature frame, exactly as a found image is (`whole_image_codes`): same
    # pixels in, same code out, and no second resize.
    code, quality = pdq_code(frame)
    keypoints, descriptors = orb_features(gray_of(frame), WORK_FEATURES)
    features = LocalFeatures(
        keypoints=keypoints,
        descriptors=descriptors,
        frame_size=(int(frame.shape[1]), int(frame.shape[0])),
        original_size=decoded.original_size,
        thumb_jpeg=_jpeg(resize_long_side(frame, THUMB_SIDE)),
    )
    return WorkFingerprint(
        pdq=code if quality >= PDQ_QUALITY_THRESHOLD else b"",
        quality=quality,
        sketch=_sketch(keypoints, descriptors, features.frame_size),
        features=features,
    )


def fingerprint_work_bytes(data: bytes, *, max_pixels: int) -> WorkFingerprint:
    """`decode_image` + `fingerprint_work`; raises `ImageDecodeError` subclasses."""
    from fairclaim.matching.decode import decode_image

    return fingerprint_work(
        decode_image(data, max_pixels=max_pixels, min_long_side=WORK_FEATURE_SIDE)
    )


def _sketch(keypoints: np.ndarray, descriptors: np.ndarray, frame: tuple[int, int]) -> np.ndarray:
    """Strongest descriptors, round-robin over a grid so every part of the image is represented."""
    if len(keypoints) == 0:
        return np.zeros((0, 32), np.uint8)
    width, height = frame
    cells = (np.minimum(keypoints[:, 0] * SKETCH_GRID // max(1, width), SKETCH_GRID - 1)) * (
        SKETCH_GRID
    ) + np.minimum(keypoints[:, 1] * SKETCH_GRID // max(1, height), SKETCH_GRID - 1)
    per_cell: dict[int, list[int]] = {}
    for row, cell in enumerate(cells.astype(int)):  # keypoints are sorted strongest first
        per_cell.setdefault(int(cell), []).append(row)
    chosen: list[int] = []
    depth = 0
    while len(chosen) < SKETCH_SIZE and any(depth < len(v) for v in per_cell.values()):
        for rows in per_cell.values():
            if depth < len(rows) and len(chosen) < SKETCH_SIZE:
                chosen.append(rows[depth])
        depth += 1
    return np.ascontiguousarray(descriptors[sorted(chosen)])


def _jpeg(rgb: np.ndarray) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=THUMB_JPEG_QUALITY)
    return buffer.getvalue()


def whole_image_codes(frame: np.ndarray, size: tuple[int, int]) -> QueryCodes:
    """PDQ codes of all eight dihedral variants of a found image.

    Args:
        frame: the image in the works' feature frame (long side `WORK_FEATURE_SIDE`), where it
            is hashed exactly as works are.
        size: (width, height) of the pixels the regions are given in (the decoded image).
    """
    box = (0, 0, *size)
    variants, quality = pdq_dihedral_codes(frame)
    if quality < PDQ_QUALITY_THRESHOLD:
        return QueryCodes(np.zeros((0, 32), np.uint8), [], [], quality, [])
    return QueryCodes(
        codes=variants,
        regions=[box] * 8,
        mirrored=[v in MIRRORED_VARIANTS for v in range(8)],
        best_quality=quality,
        primary=[v in PROPOSAL_VARIANTS for v in range(8)],
    )


def region_codes(rgb: np.ndarray) -> QueryCodes:
    """PDQ codes of the region proposals of a found image (a picture inside a page, a collage, a
    border): upright and mirrored only — embedded copies are rarely rotated, and every code
    costs an index probe. Proposals are found and cut at full detail: a box a few pixels too
    wide takes in page background, which moves a region's code by ten bits and more."""
    from fairclaim.matching.proposals import region_proposals

    codes: list[np.ndarray] = []
    regions: list[tuple[int, int, int, int]] = []
    mirrored: list[bool] = []
    best = 0
    for box in region_proposals(rgb):
        x0, y0, x1, y1 = box
        variants, quality = pdq_dihedral_codes(rgb[y0:y1, x0:x1])
        best = max(best, quality)
        if quality >= PDQ_QUALITY_THRESHOLD:
            codes.append(variants[list(PROPOSAL_VARIANTS)])
            regions.extend([box] * len(PROPOSAL_VARIANTS))
            mirrored.extend(v in MIRRORED_VARIANTS for v in PROPOSAL_VARIANTS)
    return QueryCodes(
        codes=np.concatenate(codes) if codes else np.zeros((0, 32), np.uint8),
        regions=regions,
        mirrored=mirrored,
        best_quality=best,
        primary=[False] * len(regions),
    )


def _pair(array: np.ndarray) -> tuple[int, int]:
    values = [int(v) for v in np.asarray(array).ravel()]
    if len(values) != 2:
        raise IndexFormatError("stored size is not a (width, height) pair")
    return values[0], values[1]
