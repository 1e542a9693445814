"""Image decoding for matching: bytes in, an RGB array at a useful size out, or a typed error.

Decoding is where hostile input arrives, so every failure becomes an `ImageDecodeError` subclass
whose message names the problem. JPEGs are decoded in draft mode (DCT scaling), which is several
times faster than a full decode and — measured on the anchors — makes PDQ drift less, as long as
the result keeps at least `min_side` pixels on its short side. EXIF orientation is applied, alpha
is flattened on white (how a web page shows it), CMYK, palette, 16-bit and grayscale become RGB.

Must not import Django.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from fairclaim.matching.errors import (
    AnimatedImage,
    CorruptImage,
    DecompressionBomb,
    EmptyImage,
    TooLarge,
    TruncatedImage,
    UnsupportedImage,
)
from fairclaim.matching.untrusted import open_untrusted_image

# Default pixel cap: a 12,000 × 8,000 photo (96 MP) is the largest real camera output we expect;
# anything larger is far more likely a decompression bomb than a photograph.
DEFAULT_MAX_PIXELS = 100_000_000
# Default byte cap: 60 MB holds any JPEG/PNG/WebP photograph; larger inputs are refused unread.
DEFAULT_MAX_BYTES = 60_000_000
# Short side kept by draft decoding: the anchors measured PDQ drifting far less at ≥ 256 px than
# at 128 px, so we never let DCT scaling go below this.
DEFAULT_MIN_SIDE = 256
# Background for transparent pixels: web pages are white by default.
ALPHA_BACKGROUND = (255, 255, 255)

_SVG_MARKERS = (b"<svg", b"<?xml", b"<!doctype svg")


@dataclass(frozen=True)
class DecodedImage:
    """Pixels ready for hashing and features.

    Attributes:
        rgb: H×W×3 uint8 array, upright (EXIF orientation applied).
        original_size: (width, height) of the full image, upright, before any draft scaling.
        format: the container format Pillow detected ("JPEG", "PNG", "WEBP", ...).
    """

    rgb: np.ndarray
    original_size: tuple[int, int]
    format: str

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the decoded pixels."""
        return int(self.rgb.shape[1]), int(self.rgb.shape[0])

    @property
    def scale(self) -> float:
        """Decoded width divided by original width (≤ 1 after draft decoding)."""
        return self.size[0] / max(1, self.original_size[0])


def decode_image(
    data: bytes,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    min_side: int = DEFAULT_MIN_SIDE,
    max_bytes: int = DEFAULT_MAX_BYTES,
    min_long_side: int = 0,
) -> DecodedImage:
    """Decode image bytes to an upright RGB array, reduced by draft decoding where possible.

    Args:
        data: the encoded file.
        max_pixels: refuse images whose declared width × height exceeds this.
        min_side: JPEG draft decoding keeps at least this many pixels on the short side
            (0 disables draft mode and decodes at full size).
        max_bytes: refuse inputs longer than this.
        min_long_side: draft decoding also keeps at least this many pixels on the long side.

    Returns:
        A `DecodedImage`.

    Raises:
        EmptyImage, NotAnImage, UnsupportedImage, AnimatedImage, TruncatedImage,
        DecompressionBomb, TooLarge, CorruptImage: all subclasses of `ImageDecodeError`.

    Example:
        >>> decoded = decode_image(open("photo.jpg", "rb").read(), max_pixels=50_000_000)
        >>> decoded.rgb.shape
        (320, 512, 3)
    """
    from PIL import Image

    if not data:
        raise EmptyImage("empty input: zero bytes")
    if len(data) > max_bytes:
        raise TooLarge(f"file is {len(data)} bytes, over the limit of {max_bytes} bytes")
    head = data[:512].lstrip().lower()
    if any(head.startswith(marker) for marker in _SVG_MARKERS) or b"<svg" in head:
        raise UnsupportedImage("SVG vector image: only raster images (JPEG, PNG, WebP, ...) match")

    image = open_untrusted_image(data, max_pixels=max_pixels)
    fmt = image.format or "unknown"
    width, height = image.size
    with warnings.catch_warnings():
        # Pillow warns (and past 2× its own cap raises) on huge images; we apply our own limit.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        if getattr(image, "n_frames", 1) > 1:
            raise AnimatedImage(
                f"animated {fmt} with {image.n_frames} frames: extract the frame to compare"
            )
        # Orientation is applied to the array (cheaper than ImageOps.exif_transpose's copy).
        orientation = _exif_orientation(image)
        if fmt == "JPEG" and min_side > 0:
            factor = min(width, height) / min_side
            if min_long_side > 0:
                factor = min(factor, max(width, height) / min_long_side)
            factor = max(1.0, factor)
            # draft() picks the largest DCT scale whose output is still ≥ the requested size.
            image.draft("RGB", (int(width / factor + 0.5), int(height / factor + 0.5)))
        try:
            with truncation_is_an_error():
                image.load()
        except Image.DecompressionBombError as exc:
            raise DecompressionBomb(f"decoded size exceeds the pixel limit: {exc}") from exc
        except OSError as exc:
            if "truncated" in str(exc).lower():
                raise TruncatedImage(
                    f"{fmt} data ends early after {len(data)} bytes: {exc}"
                ) from exc
            raise CorruptImage(f"{fmt} data is corrupt: {exc}") from exc
        except (ValueError, SyntaxError, MemoryError, IndexError) as exc:
            raise CorruptImage(f"{fmt} data is corrupt: {exc}") from exc

        rgb = _to_rgb_array(image, fmt)
        if orientation in (5, 6, 7, 8):
            width, height = height, width
        if orientation in range(2, 9):
            rgb = np.ascontiguousarray(_apply_orientation(rgb, orientation))
    return DecodedImage(rgb=rgb, original_size=(width, height), format=fmt)


@contextmanager
def truncation_is_an_error() -> Iterator[None]:
    """Refuse truncated files while decoding inside this block.

    Pillow's `ImageFile.LOAD_TRUNCATED_IMAGES` is process-global, and importing WeasyPrint (which
    renders our notices) switches it on for the whole process; a cut-off upload or copy must
    still be an error here. Our processes decode in one thread at a time.
    """
    from PIL import ImageFile

    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _exif_orientation(image) -> int:
    try:
        return int(image.getexif().get(0x0112, 1) or 1)
    except Exception:
        return 1


def _apply_orientation(rgb: np.ndarray, orientation: int) -> np.ndarray:
    """Apply an EXIF orientation tag (2–8) to an H×W×C array."""
    if orientation == 2:
        return rgb[:, ::-1]
    if orientation == 3:
        return rgb[::-1, ::-1]
    if orientation == 4:
        return rgb[::-1]
    if orientation == 5:
        return rgb.transpose(1, 0, 2)
    if orientation == 6:
        return np.rot90(rgb, -1)
    if orientation == 7:
        return np.rot90(rgb, 1)[::-1]
    if orientation == 8:
        return np.rot90(rgb, 1)
    return rgb


def _to_rgb_array(image, fmt: str) -> np.ndarray:
    """Any Pillow mode to H×W×3 uint8, flattening alpha on white and scaling 16-bit down."""
    from PIL import Image

    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        values = np.asarray(image, dtype=np.float64)
        top = 65535.0 if mode.startswith("I;16") or values.max(initial=0) > 255 else 255.0
        gray = np.clip(values * (255.0 / top), 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(gray[:, :, None], 3, axis=2))
    if mode == "F":
        values = np.asarray(image, dtype=np.float64)
        top = max(1.0, float(values.max(initial=0)))
        gray = np.clip(values * (255.0 / top), 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(gray[:, :, None], 3, axis=2))
    if mode == "P":
        image = image.convert("RGBA")
        mode = "RGBA"
    if mode in ("LA", "La", "PA"):
        image = image.convert("RGBA")
        mode = "RGBA"
    if mode in ("RGBA", "RGBa"):
        background = Image.new("RGB", image.size, ALPHA_BACKGROUND)
        background.paste(image, mask=image.getchannel("A"))
        image = background
    elif mode != "RGB":
        try:
            image = image.convert("RGB")
        except (ValueError, OSError) as exc:
            raise UnsupportedImage(f"{fmt} pixel mode {mode!r} cannot be converted") from exc
    return np.asarray(image, dtype=np.uint8)
