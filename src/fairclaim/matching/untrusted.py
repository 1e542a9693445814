"""The one way to open image bytes we did not make: header only, pixel count checked first.

Images arrive from strangers in four places: a rights holder's upload (works intake), a page we
crawl (discovery's image facts), a recipient's licence proof (portal uploads) and the matcher's
decoder. Each opens them here, so a decompression bomb is refused the same way everywhere before
any pixel is decoded, and each caller words the refusal for its own reader from a typed error
that names the limit. Must not import Django.
"""

from __future__ import annotations

import io
import re
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from fairclaim.matching.errors import CorruptImage, DecompressionBomb, EmptyImage, NotAnImage

if TYPE_CHECKING:
    from PIL import Image as PILImage

# Pillow names the pixel count in its own refusal: "Image size (200000000 pixels) exceeds ...".
_PILLOW_PIXELS = re.compile(r"\((\d+) pixels\)")
# Pillow's pixel cap is process-global; raising it for one open is done under this lock.
_PILLOW_CAP_LOCK = threading.Lock()


def open_untrusted_image(data: bytes, *, max_pixels: int) -> PILImage.Image:
    """Open `data` lazily (header read, no pixels decoded) and check its declared size.

    Raises (all `ImageDecodeError`s): EmptyImage (no bytes, or a zero-length side), NotAnImage
    (no raster format Pillow knows), CorruptImage (an unreadable header), DecompressionBomb (more
    than `max_pixels` declared; `.pixels` and `.limit` carry the numbers, `.pixels` is None when
    Pillow refused before saying the size). The caller decodes (`load()`) and closes the image.
    """
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise EmptyImage("empty input: zero bytes")
    with warnings.catch_warnings(), _pillow_cap_at_least(max_pixels):
        # Pillow warns past its own cap and refuses at twice it; our limit decides instead.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError as exc:
            claimed = _PILLOW_PIXELS.search(str(exc))
            raise DecompressionBomb(
                f"declared size exceeds the pixel limit: {exc}",
                pixels=int(claimed.group(1)) if claimed else None,
                limit=max_pixels,
            ) from exc
        except UnidentifiedImageError as exc:
            raise NotAnImage(
                f"not a recognised raster image (first bytes {data[:8]!r}, {len(data)} bytes)"
            ) from exc
        except (OSError, ValueError, SyntaxError, EOFError) as exc:
            raise CorruptImage(f"cannot read the image header: {exc}") from exc
    fmt = image.format or "unknown"
    width, height = image.size
    if width <= 0 or height <= 0:
        raise EmptyImage(f"image has a zero-length side ({width}×{height})")
    if width * height > max_pixels:
        raise DecompressionBomb(
            f"{fmt} declares {width}×{height} = {width * height} pixels, over the limit "
            f"of {max_pixels} pixels",
            pixels=width * height,
            size=(width, height),
            limit=max_pixels,
        )
    return image


@contextmanager
def _pillow_cap_at_least(max_pixels: int) -> Iterator[None]:
    """Let Pillow's global cap (refusal at twice `MAX_IMAGE_PIXELS`) rise to our limit while one
    file is opened, so a setting can allow more than Pillow's default; never lowered, so no other
    code opening images meanwhile is refused by our stricter limit."""
    from PIL import Image

    with _PILLOW_CAP_LOCK:
        previous = Image.MAX_IMAGE_PIXELS
        if previous is not None and previous < max_pixels:
            Image.MAX_IMAGE_PIXELS = max_pixels
        try:
            yield
        finally:
            Image.MAX_IMAGE_PIXELS = previous
