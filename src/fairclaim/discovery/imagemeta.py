"""Image facts read from fetched bytes: size, format, and embedded creator/copyright.

Reads EXIF (Artist, Copyright), IPTC (By-line, Credit, Copyright Notice) and XMP (dc:creator,
dc:rights, photoshop:Credit) with Pillow, after checking the declared pixel count so a
decompression bomb is refused before any pixels are decoded. Pure: bytes in, values out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PIL import Image, IptcImagePlugin

from fairclaim.discovery.errors import BadImage, TooManyPixels
from fairclaim.matching.errors import DecompressionBomb, ImageDecodeError
from fairclaim.matching.untrusted import open_untrusted_image

EXIF_ARTIST = 0x013B
EXIF_COPYRIGHT = 0x8298
IPTC_BYLINE = (2, 80)
IPTC_CREDIT = (2, 110)
IPTC_COPYRIGHT = (2, 116)
MAX_FIELD_CHARS = 500  # embedded strings longer than this are junk or an attack, not a credit line


@dataclass(frozen=True)
class ImageFacts:
    format: str
    width: int
    height: int
    creator: str = ""
    copyright: str = ""
    credit: str = ""


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """The image, header only, through the one guarded opener (matching.untrusted)."""
    try:
        return open_untrusted_image(data, max_pixels=max_pixels)
    except DecompressionBomb as exc:
        if exc.size is None:
            raise TooManyPixels(f"image exceeds max_pixels={max_pixels}: {exc}") from exc
        width, height = exc.size
        raise TooManyPixels(f"image {width}x{height} exceeds max_pixels={max_pixels}") from exc
    except ImageDecodeError as exc:
        raise BadImage(f"not a readable image: {exc}") from exc


def check_pixels(data: bytes, *, max_pixels: int) -> tuple[int, int]:
    """(width, height) from the header; TooManyPixels/BadImage when over the cap or unreadable."""
    if data.lstrip()[:5].lower() in {b"<svg ", b"<?xml"}:
        return (0, 0)  # vector images have no pixel count to check
    return _open(data, max_pixels).size


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, list | tuple):
        value = "; ".join(_text(v) for v in value if _text(v))
    if isinstance(value, dict):
        for key in ("li", "Alt", "Seq", "Bag", "text"):
            if key in value:
                return _text(value[key])
        return ""
    return str(value or "").replace("\x00", "").strip()[:MAX_FIELD_CHARS]


def _xmp_field(xmp: dict[str, Any], *names: str) -> str:
    """Depth-first search of Pillow's getxmp() tree for the first of `names` with text."""
    stack: list[Any] = [xmp]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for name in names:
                if name in node:
                    text = _text(node[name])
                    if text:
                        return text
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return ""


def read_image_facts(data: bytes, *, max_pixels: int) -> ImageFacts:
    """Format, size and embedded creator/copyright/credit; BadImage/TooManyPixels on failure."""
    if data.lstrip()[:5].lower() in {b"<svg ", b"<?xml"}:
        return ImageFacts(format="SVG", width=0, height=0)
    image = _open(data, max_pixels)
    creator = copyright_ = credit = ""
    try:
        exif = image.getexif()
        creator = _text(exif.get(EXIF_ARTIST))
        copyright_ = _text(exif.get(EXIF_COPYRIGHT))
    except Exception:  # noqa: S110 - broken EXIF must not lose the sighting
        pass
    try:
        iptc = IptcImagePlugin.getiptcinfo(image) or {}
        creator = creator or _text(iptc.get(IPTC_BYLINE))
        copyright_ = copyright_ or _text(iptc.get(IPTC_COPYRIGHT))
        credit = _text(iptc.get(IPTC_CREDIT))
    except Exception:  # noqa: S110 - same reason: metadata is a bonus
        pass
    if hasattr(image, "getxmp"):
        try:
            xmp = image.getxmp()
        except Exception:
            xmp = {}
        if xmp:
            creator = creator or _xmp_field(xmp, "creator", "Artist")
            copyright_ = copyright_ or _xmp_field(xmp, "rights", "Copyright")
            credit = credit or _xmp_field(xmp, "Credit")
    return ImageFacts(
        format=image.format or "",
        width=image.width,
        height=image.height,
        creator=creator,
        copyright=copyright_,
        credit=credit,
    )
