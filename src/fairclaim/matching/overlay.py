"""The overlay view of a match: the registered work warped onto the found image and blended, so
anyone can see that the two line up pixel for pixel (the side-by-side picture is in report.py).

Must not import Django.
"""

from __future__ import annotations

import io

import numpy as np

from fairclaim.matching.report import MatchReport

OVERLAY_ALPHA = 0.5  # half original, half found: misalignment shows as ghosting at once
OUTLINE_BGR = (0, 0, 230)  # red outline of where the work lands


def render_overlay_png(
    report: MatchReport, original_rgb: np.ndarray, found_rgb: np.ndarray
) -> bytes:
    """The found image (at the size given) with the original, warped by the report's transform,
    blended over it and outlined.

    Args:
        report: a verified `MatchReport` with a transform (original px → found px, full size).
        original_rgb: the original at any size (its thumbnail is fine).
        found_rgb: the found image at any size.

    Returns:
        PNG bytes.
    """
    import cv2
    from PIL import Image

    if report.transform is None:
        raise ValueError("an overlay needs the fitted transform of a verified match")
    ow, oh = report.original_size
    fw, fh = report.found_size
    th, tw = original_rgb.shape[:2]
    qh, qw = found_rgb.shape[:2]
    from_thumb = np.diag([ow / tw, oh / th, 1.0])  # thumbnail px → original px
    to_query = np.diag([qw / fw, qh / fh, 1.0])  # found px → given found-image px
    warp = to_query @ np.asarray(report.transform.homography, dtype=np.float64) @ from_thumb
    warped = cv2.warpPerspective(original_rgb, warp, (qw, qh), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((th, tw), 255, np.uint8), warp, (qw, qh)) > 0
    blended = found_rgb.copy()
    blended[mask] = (OVERLAY_ALPHA * warped[mask] + (1 - OVERLAY_ALPHA) * found_rgb[mask]).astype(
        np.uint8
    )
    corners = np.array([[0, 0], [tw, 0], [tw, th], [0, th]], np.float64).reshape(-1, 1, 2)
    outline = cv2.perspectiveTransform(corners, warp).astype(np.int32)
    bgr = np.ascontiguousarray(blended[:, :, ::-1])
    cv2.polylines(bgr, [outline], isClosed=True, color=OUTLINE_BGR, thickness=2)
    out = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(bgr[:, :, ::-1])).save(out, "PNG", optimize=True)
    return out.getvalue()
