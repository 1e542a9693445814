"""Region proposals: boxes in a found image that may hold a photo (page screenshots, collages,
memes, bordered copies), so the PDQ tier can hash the picture rather than the whole page.

Cheap by design (a few ms at 256 px): verification, not this, decides.

Must not import Django.
"""

from __future__ import annotations

import numpy as np

# Region proposals: a trimmed border row/column is "flat" when its standard deviation is below this.
BORDER_FLAT_STD = 6.0
# Region proposals smaller than this fraction of the found image's width are not worth a hash
# (the smallest embedded copy of matching/edits.py is 25 % of the width).
PROPOSAL_MIN_WIDTH_FRACTION = 0.2
# Working size for finding embedded pictures, the colour distance (sum over R, G, B) within which
# a pixel counts as background, and the opening that erases text strokes but keeps pictures.
PROPOSAL_WORK_SIDE = 256
PROPOSAL_BACKGROUND_TOLERANCE = 30
PROPOSAL_OPENING_PX = 7
# Cap on proposals per found image: each costs two PDQ codes, i.e. two index probes.
MAX_PROPOSALS = 6


def region_proposals(rgb: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes that may hold a photo inside a larger image: border-trimmed, textured blocks.

    Cheap by design (a few ms at PDQ resolution): verification, not this, decides.
    """
    import cv2

    height, width = rgb.shape[:2]
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    proposals: list[tuple[int, int, int, int]] = []
    trimmed = _trim_flat_border(gray)
    if trimmed != (0, 0, width, height):
        proposals.append(trimmed)
    # Embedded pictures: pixels that differ from the background colour (the median of the outer
    # ring: page, collage gaps, meme band, border), opened with a kernel wider than text strokes
    # so that lines of text vanish and pictures remain.
    scale = PROPOSAL_WORK_SIDE / max(height, width)
    small = cv2.resize(
        rgb, (max(8, round(width * scale)), max(8, round(height * scale))), cv2.INTER_AREA
    ).astype(np.int16)
    ring = np.concatenate([small[0], small[-1], small[:, 0], small[:, -1]])
    background = np.median(ring, axis=0)
    differs = (np.abs(small - background).sum(axis=2) > PROPOSAL_BACKGROUND_TOLERANCE).astype(
        np.uint8
    )
    kernel = np.ones((PROPOSAL_OPENING_PX, PROPOSAL_OPENING_PX), np.uint8)
    mask = cv2.morphologyEx(differs, cv2.MORPH_OPEN, kernel)
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
    found = []
    small_gray = cv2.cvtColor(small.astype(np.uint8), cv2.COLOR_RGB2GRAY)
    for label in range(1, count):
        x, y, w, h, area = stats[label]
        if w < PROPOSAL_MIN_WIDTH_FRACTION * small.shape[1] or h < 0.1 * small.shape[0]:
            continue
        if small_gray[y : y + h, x : x + w].std() < BORDER_FLAT_STD:  # a flat bar, not a picture
            continue
        box = (
            int(x / scale),
            int(y / scale),
            min(width, int((x + w) / scale + 0.5)),
            min(height, int((y + h) / scale + 0.5)),
        )
        if box[2] - box[0] < 16 or box[3] - box[1] < 16:
            continue
        found.append((int(area), box))
    for _, box in sorted(found, reverse=True):
        if box not in proposals and box != (0, 0, width, height):
            proposals.append(box)
    return proposals[:MAX_PROPOSALS]


def _trim_flat_border(gray: np.ndarray) -> tuple[int, int, int, int]:
    height, width = gray.shape
    row_std = gray.std(axis=1)
    col_std = gray.std(axis=0)
    rows = np.flatnonzero(row_std > BORDER_FLAT_STD)
    cols = np.flatnonzero(col_std > BORDER_FLAT_STD)
    if len(rows) == 0 or len(cols) == 0:
        return (0, 0, width, height)
    return (int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)
