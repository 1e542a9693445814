"""Match reports: the figures behind a verified match, the transform in words, and the picture.

A `MatchReport` is what a rights holder reviews and what a recipient is shown: the scores and the
thresholds they were held against, where the work sits inside the found image, and how it was
changed (crop, scale, rotation, mirroring). `render_report_png` draws the two images side by side
with the matched region outlined on both.

Must not import Django.
"""

from __future__ import annotations

import io
import math
from dataclasses import asdict, dataclass

import numpy as np

from fairclaim.matching import verify as verify_module


@dataclass(frozen=True)
class Transform:
    """How the work appears in the found image, in full-size pixels of each.

    Attributes:
        homography: 3×3 row-major, original pixel → found-image pixel.
        crop_box: (x0, y0, x1, y1) of the part of the original that is visible.
        visible_fraction: that part's share of the original's area.
        placement_box: (x0, y0, x1, y1) the copy occupies in the found image.
        placement_width_fraction: the copy's width as a share of the found image's width.
        scale: found-image pixels per original pixel (geometric mean of both axes).
        rotation_degrees: clockwise rotation, in (-180, 180].
        mirrored: the copy is flipped left-right.
        aspect_change: ratio of horizontal to vertical scale (1 = unchanged).
    """

    homography: list[list[float]]
    crop_box: tuple[int, int, int, int]
    visible_fraction: float
    placement_box: tuple[int, int, int, int]
    placement_width_fraction: float
    scale: float
    rotation_degrees: float
    mirrored: bool
    aspect_change: float

    def summary(self, original_size: tuple[int, int], found_size: tuple[int, int]) -> str:
        parts = []
        x0, y0, x1, y1 = self.crop_box
        if self.visible_fraction < 0.97:
            parts.append(
                f"shows {self.visible_fraction:.0%} of the original "
                f"(x {x0}–{x1}, y {y0}–{y1} of {original_size[0]}×{original_size[1]})"
            )
        else:
            parts.append("shows the whole original")
        parts.append(f"scaled to {self.scale:.0%}")
        if abs(self.aspect_change - 1) > 0.05:
            parts.append(f"stretched {self.aspect_change:.2f}× horizontally")
        rotation = self.rotation_degrees
        if abs(rotation) >= 1.0:
            direction = "clockwise" if rotation > 0 else "anticlockwise"
            parts.append(f"rotated {abs(rotation):.0f}° {direction}")
        if self.mirrored:
            parts.append("mirrored left-right")
        px0, py0, px1, py1 = self.placement_box
        parts.append(
            f"placed at x {px0}–{px1}, y {py0}–{py1} of the found "
            f"{found_size[0]}×{found_size[1]} image "
            f"({self.placement_width_fraction:.0%} of its width)"
        )
        return "; ".join(parts)


@dataclass(frozen=True)
class MatchReport:
    """One verified (or, in `rejected`, refused) match of a registered work in a found image.

    Attributes:
        work_id: the registered id.
        verified: whether the engine would act on it.
        score: pixel agreement 0–1 (median block correlation after alignment).
        reason: "verified" or the first threshold that failed.
        inliers, putative_matches: RANSAC consensus and the matches it was drawn from.
        pdq_distance: the closest PDQ distance (None when found by the crop tier).
        sketch_votes: crop-tier votes (0 when that tier was not used).
        blocks_compared, inlier_spread: support of the pixel check and of the geometry.
        transform: where and how the work appears (None when geometry failed).
        summary: the transform in words.
        thresholds: the named thresholds the figures were held against.
        original_size, found_size: (width, height) of each image.
    """

    work_id: str
    verified: bool
    score: float
    reason: str
    inliers: int
    putative_matches: int
    pdq_distance: int | None
    sketch_votes: int
    blocks_compared: int
    inlier_spread: float
    transform: Transform | None
    summary: str
    thresholds: dict[str, float]
    original_size: tuple[int, int]
    found_size: tuple[int, int]

    def to_json(self) -> dict:
        """Plain JSON-ready dict (the CLI prints it; the Django layer stores it on a Match)."""
        fields = asdict(self)
        data = {"id": fields.pop("work_id"), "score": round(self.score, 4), **fields}
        data["score"] = round(self.score, 4)
        data["inlier_spread"] = round(self.inlier_spread, 4)
        if self.transform is not None:
            t = data["transform"]
            for key in ("visible_fraction", "placement_width_fraction", "scale", "aspect_change"):
                t[key] = round(t[key], 4)
            t["rotation_degrees"] = round(t["rotation_degrees"], 2)
            t["homography"] = [[round(v, 6) for v in row] for row in t["homography"]]
        return data


def decision_thresholds() -> dict[str, float]:
    """The thresholds a verified match has met, by name (reported with every match)."""
    return {
        "min_inliers": verify_module.MIN_INLIERS,
        "min_pixel_agreement": verify_module.MIN_PIXEL_AGREEMENT,
        "min_blocks": verify_module.MIN_BLOCKS,
        "min_inlier_spread": verify_module.MIN_INLIER_SPREAD,
        "min_visible_fraction": verify_module.MIN_VISIBLE_FRACTION,
        "max_anisotropy": verify_module.MAX_ANISOTROPY,
        "max_edge_ratio": verify_module.MAX_EDGE_RATIO,
    }


def full_size_homography(
    homography: np.ndarray,
    *,
    work_frame: tuple[int, int],
    original_size: tuple[int, int],
    query_frame: tuple[int, int],
    found_size: tuple[int, int],
    mirrored: bool,
    offset: tuple[int, int] = (0, 0),
) -> np.ndarray:
    """Turn a work-frame → (mirrored) query-frame homography into original px → found px.

    `found_size` is the size (found-image pixels) of what the query frame shows, and `offset`
    where that sits in the found image (a region proposal; (0, 0) for the whole image).
    """
    to_frame = np.diag([work_frame[0] / original_size[0], work_frame[1] / original_size[1], 1.0])
    unmirror = (
        np.array([[-1.0, 0, query_frame[0]], [0, 1, 0], [0, 0, 1]]) if mirrored else np.eye(3)
    )
    to_found = np.diag([found_size[0] / query_frame[0], found_size[1] / query_frame[1], 1.0])
    shift = np.array([[1.0, 0, offset[0]], [0, 1, offset[1]], [0, 0, 1]])
    full = shift @ to_found @ unmirror @ homography @ to_frame
    return full / full[2, 2]


def describe_transform(
    homography: np.ndarray,
    original_size: tuple[int, int],
    found_size: tuple[int, int],
    mirrored: bool,
) -> Transform:
    """Crop box, placement, scale, rotation and mirroring of an original px → found px map."""
    import cv2

    ow, oh = original_size
    fw, fh = found_size
    original_box = np.float32([[0, 0], [ow, 0], [ow, oh], [0, oh]])
    found_box = np.float32([[0, 0], [fw, 0], [fw, fh], [0, fh]])
    outline = cv2.perspectiveTransform(original_box.reshape(-1, 1, 2), homography).reshape(-1, 2)
    back = cv2.perspectiveTransform(found_box.reshape(-1, 1, 2), np.linalg.inv(homography)).reshape(
        -1, 2
    )
    visible_area, visible_poly = _intersect(original_box, back)
    _placed_area, placed_poly = _intersect(found_box, outline)
    crop_box = _bbox(visible_poly, original_size) if visible_poly is not None else (0, 0, ow, oh)
    placement = _bbox(placed_poly, found_size) if placed_poly is not None else (0, 0, fw, fh)
    centre = np.float64([(crop_box[0] + crop_box[2]) / 2, (crop_box[1] + crop_box[3]) / 2])
    jacobian = verify_module._jacobian(homography, centre)
    if mirrored:
        jacobian = jacobian @ np.diag([-1.0, 1.0])  # undo the flip, leaving rotation and scale
    rotation = math.degrees(math.atan2(jacobian[1, 0], jacobian[0, 0]))
    scale_x = float(np.hypot(jacobian[0, 0], jacobian[1, 0]))
    scale_y = float(np.hypot(jacobian[0, 1], jacobian[1, 1]))
    return Transform(
        homography=[[float(v) for v in row] for row in homography],
        crop_box=crop_box,
        visible_fraction=float(visible_area / (ow * oh)),
        placement_box=placement,
        placement_width_fraction=float((placement[2] - placement[0]) / fw),
        scale=math.sqrt(max(scale_x * scale_y, 0.0)),
        rotation_degrees=rotation,
        mirrored=mirrored,
        aspect_change=scale_x / scale_y if scale_y > 0 else 0.0,
    )


def _intersect(a: np.ndarray, b: np.ndarray) -> tuple[float, np.ndarray | None]:
    import cv2

    if abs(verify_module._polygon_area(b)) < 1e-9:
        return 0.0, None
    if verify_module._polygon_area(b) < 0:
        b = b[::-1]
    area, poly = cv2.intersectConvexConvex(
        np.ascontiguousarray(a, np.float32), np.ascontiguousarray(b, np.float32)
    )
    if poly is None or area <= 0:
        return 0.0, None
    return float(area), poly.reshape(-1, 2)


def _bbox(poly: np.ndarray, size: tuple[int, int]) -> tuple[int, int, int, int]:
    x0, y0 = np.floor(poly.min(axis=0))
    x1, y1 = np.ceil(poly.max(axis=0))
    return (
        int(max(0, x0)),
        int(max(0, y0)),
        int(min(size[0], x1)),
        int(min(size[1], y1)),
    )


# Height of each image in the report picture, and the caption band below them.
REPORT_IMAGE_HEIGHT = 360
REPORT_CAPTION_HEIGHT = 64
REPORT_OUTLINE = (230, 30, 30)
REPORT_FONT_SIZE = 13
# A font with the dashes and × the summary uses (Debian's fonts-dejavu-core); Pillow's built-in
# font is the fallback.
REPORT_FONT_PATHS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "DejaVuSans.ttf")


def _report_font():
    from PIL import ImageFont

    for path in REPORT_FONT_PATHS:
        try:
            return ImageFont.truetype(path, REPORT_FONT_SIZE)
        except OSError:
            continue
    return ImageFont.load_default(size=REPORT_FONT_SIZE)


def render_report_png(
    report: MatchReport, original_rgb: np.ndarray, found_rgb: np.ndarray
) -> bytes:
    """Side-by-side PNG: the original with the visible part outlined, the found image with the
    copy outlined, and the figures underneath.

    Args:
        report: a `MatchReport` with a transform.
        original_rgb: the original at any size (its thumbnail is fine).
        found_rgb: the found image at any size.

    Returns:
        PNG bytes.
    """
    from PIL import Image, ImageDraw

    def fitted(rgb: np.ndarray, full_size: tuple[int, int]) -> tuple[Image.Image, float]:
        image = Image.fromarray(np.ascontiguousarray(rgb))
        factor = REPORT_IMAGE_HEIGHT / image.height
        image = image.resize((max(1, round(image.width * factor)), REPORT_IMAGE_HEIGHT))
        return image, image.width / full_size[0]

    left, left_scale = fitted(original_rgb, report.original_size)
    right, right_scale = fitted(found_rgb, report.found_size)
    gap = 16
    canvas = Image.new(
        "RGB",
        (left.width + gap + right.width, REPORT_IMAGE_HEIGHT + REPORT_CAPTION_HEIGHT),
        (255, 255, 255),
    )
    if report.transform is not None:
        import cv2

        # Drawn on each panel before pasting, so an outline never spills outside its picture.
        x0, y0, x1, y1 = report.transform.crop_box
        ImageDraw.Draw(left).rectangle(
            [x0 * left_scale, y0 * left_scale, x1 * left_scale - 1, y1 * left_scale - 1],
            outline=REPORT_OUTLINE,
            width=3,
        )
        ow, oh = report.original_size
        corners = np.float32([[0, 0], [ow, 0], [ow, oh], [0, oh]]).reshape(-1, 1, 2)
        homography = np.array(report.transform.homography)
        outline = cv2.perspectiveTransform(corners, homography).reshape(-1, 2)
        points = [(float(x * right_scale), float(y * right_scale)) for x, y in outline]
        ImageDraw.Draw(right).line([*points, points[0]], fill=REPORT_OUTLINE, width=3)
    canvas.paste(left, (0, 0))
    canvas.paste(right, (left.width + gap, 0))
    draw = ImageDraw.Draw(canvas)
    caption = (
        f"{report.work_id}: {'VERIFIED' if report.verified else 'not verified'} — "
        f"pixel agreement {report.score:.2f}, {report.inliers} inliers\n{report.summary}"
    )
    draw.multiline_text(
        (8, REPORT_IMAGE_HEIGHT + 6),
        _wrap(caption, canvas.width),
        fill=(0, 0, 0),
        font=_report_font(),
    )
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    return buffer.getvalue()


def _wrap(text: str, width_px: int) -> str:
    per_line = max(40, width_px // 7)
    lines = []
    for paragraph in text.split("\n"):
        while len(paragraph) > per_line:
            cut = paragraph.rfind(" ", 0, per_line)
            cut = per_line if cut <= 0 else cut
            lines.append(paragraph[:cut])
            paragraph = paragraph[cut:].lstrip()
        lines.append(paragraph)
    return "\n".join(lines[:4])


def write_report_pngs(prefix: str, data: bytes, result, load_features) -> list[str]:
    """One side-by-side PNG per verified match of `result` (a `QueryResult` of the found image
    `data`) at `prefix`-m<rank>.png; their paths. `load_features(id)` gives a work's thumbnail."""
    from pathlib import Path

    from fairclaim.matching.decode import decode_image

    found = decode_image(data, min_side=512).rgb
    paths = []
    for rank, match in enumerate(result.matches):
        original = load_features(match.work_id).thumb_rgb()
        target = Path(f"{prefix}-m{rank}.png")
        target.write_bytes(render_report_png(match, original, found))
        paths.append(str(target))
    return paths
