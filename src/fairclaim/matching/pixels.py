"""The pixel check: warp the found image onto the work and compare them block by block.

Each block's found-image luminance is regressed on the work's R, G, B channels after both lose
their best-fitting plane: blind to any linear colour change (grayscale, sepia, tints, brightness,
contrast, saturation) and to smooth ramps, sensitive to texture and edges — which a different
shot of the same scene, misaligned by parallax, does not reproduce.

Must not import Django.
"""

from __future__ import annotations

import numpy as np

from fairclaim.matching.fingerprint import LocalFeatures, resize_long_side

# Pixel check: long side of the comparison frame (the work's thumbnail is 320 px) and the floor
# used when the copy is smaller than that.
PIXEL_SIDE = 256
PIXEL_MIN_SIDE = 96
# Blocks per long side in the pixel check: 16 gives 8–16 px blocks, small enough that a caption
# or logo spoils only the blocks it covers.
PIXEL_BLOCKS = 16
# Gaussian sigma (comparison pixels) applied to both sides: removes noise, JPEG blocking and
# sharpening halos without removing the structure a different shot would disagree on.
PIXEL_BLUR_SIGMA = 1.2
# A block is "textured" when the work's luminance, less its plane, varies by at least this
# standard deviation; flat sky and smooth ramps say nothing about identity.
BLOCK_MIN_STD = 3.0
# Residual variance (grey levels², after removing the block's plane) below which a found-image
# block counts as flat.
FOUND_BLOCK_MIN_VAR = 1.0


def _detrend(blocks: np.ndarray, block: int) -> np.ndarray:
    """Subtract each block's least-squares plane (blocks: K × n or K × n × C, n = block²)."""
    values = blocks[..., None] if blocks.ndim == 2 else blocks
    count, n, channels = values.shape
    rows, cols = np.mgrid[0:block, 0:block]
    # On a full square grid, 1, (row − mean) and (col − mean) are orthogonal: normalised, they
    # are an orthonormal basis of the planes, and the fit is one projection (two matrix products).
    basis = np.stack([np.ones(n), rows.ravel() - rows.mean(), cols.ravel() - cols.mean()], axis=1)
    basis /= np.linalg.norm(basis, axis=0)
    flat = values.transpose(0, 2, 1).reshape(count * channels, n)
    out = (flat - (flat @ basis) @ basis.T).reshape(count, channels, n).transpose(0, 2, 1)
    return out[..., 0] if blocks.ndim == 2 else out


def pixel_agreement(
    frame: np.ndarray, work: LocalFeatures, homography: np.ndarray, copy_scale: float
) -> tuple[float, int]:
    """Median block correlation between the work and the found image warped onto it.

    Returns (agreement in [0, 1], number of textured blocks compared).
    """
    import cv2

    thumb = work.thumb_rgb()
    width, height = work.frame_size
    copy_long = copy_scale * max(width, height)
    side = int(min(PIXEL_SIDE, max(PIXEL_MIN_SIDE, copy_long), max(thumb.shape[:2])))
    reference = resize_long_side(thumb, side).astype(np.float32)
    ref_h, ref_w = reference.shape[:2]
    # comparison pixel → work-frame pixel → found-image frame pixel
    to_work = np.diag([width / ref_w, height / ref_h, 1.0])
    to_query = homography @ to_work
    # Shrink the found image first when the copy is larger than the comparison frame, so the
    # warp samples an anti-aliased image.
    shrink = min(1.0, side / max(copy_long, 1.0))
    source = frame
    if shrink < 0.9:
        source = cv2.resize(
            frame,
            (max(1, round(frame.shape[1] * shrink)), max(1, round(frame.shape[0] * shrink))),
            interpolation=cv2.INTER_AREA,
        )
        to_query = (
            np.diag([source.shape[1] / frame.shape[1], source.shape[0] / frame.shape[0], 1.0])
            @ to_query
        )
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    warped = cv2.warpPerspective(source, to_query, (ref_w, ref_h), flags=flags).astype(np.float32)
    valid = cv2.warpPerspective(
        np.full(source.shape[:2], 255, np.uint8), to_query, (ref_w, ref_h), flags=flags
    )
    valid = cv2.erode((valid > 250).astype(np.uint8), np.ones((3, 3), np.uint8))
    reference = cv2.GaussianBlur(reference, (0, 0), PIXEL_BLUR_SIGMA)
    warped = cv2.GaussianBlur(warped, (0, 0), PIXEL_BLUR_SIGMA)
    found_luma = warped @ np.float32([0.299, 0.587, 0.114])
    block = max(4, max(ref_h, ref_w) // PIXEL_BLOCKS)
    rows, cols = ref_h // block, ref_w // block
    if rows == 0 or cols == 0:
        return 0.0, 0

    def blocks_of(array: np.ndarray) -> np.ndarray:
        cropped = array[: rows * block, : cols * block]
        shaped = cropped.reshape(rows, block, cols, block, *array.shape[2:])
        return shaped.swapaxes(1, 2).reshape(rows * cols, block * block, *array.shape[2:])

    ref_blocks = blocks_of(reference)  # K × n × 3
    found_blocks = blocks_of(found_luma)  # K × n
    valid_blocks = blocks_of(valid).min(axis=1) > 0
    # Remove each block's best-fitting plane from both sides first: two unrelated smooth ramps
    # (sky, shading, an upsampled patch) correlate by chance; texture and edges do not.
    ref_detrended = _detrend(ref_blocks.astype(np.float64), block)
    found_detrended = _detrend(found_blocks.astype(np.float64), block)
    ref_luma = ref_detrended @ np.array([0.299, 0.587, 0.114])
    textured = valid_blocks & (ref_luma.std(axis=1) >= BLOCK_MIN_STD)
    if not textured.any():
        return 0.0, 0
    n = block * block
    x = ref_detrended[textured]
    y = found_detrended[textured]
    x_t = x.transpose(0, 2, 1)
    gram = x_t @ x
    ridge = 1e-3 * np.trace(gram, axis1=1, axis2=2)[:, None, None] + 1e-6
    gram = gram + ridge * np.eye(3)[None]
    cross = (x_t @ y[..., None])[..., 0]
    coef = np.linalg.solve(gram, cross[..., None])[..., 0]
    explained = np.einsum("ki,ki->k", coef, cross)
    total = np.einsum("kn,kn->k", y, y)
    # A flat found-image block where the work has texture is disagreement, not "no data".
    flat = total < n * FOUND_BLOCK_MIN_VAR
    r2 = np.where(flat, 0.0, explained / np.maximum(total, 1e-6))
    correlation = np.sqrt(np.clip(r2, 0.0, 1.0))
    return float(np.median(correlation)), int(textured.sum())
