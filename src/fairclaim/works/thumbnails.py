"""Thumbnails for the registry pages: small, upright (EXIF orientation applied), JPEG."""

from __future__ import annotations

import io

from PIL import Image, ImageOps

THUMBNAIL_SIDE = 480  # sharp on a 2x screen at the list's 240 px card width


def make_thumbnail(data: bytes, side: int = THUMBNAIL_SIDE) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (side, side))  # JPEG: decode at reduced scale, much faster
        image = ImageOps.exif_transpose(image)
        if image.mode not in ("RGB", "L"):
            background = Image.new("RGB", image.size, "white")
            rgba = image.convert("RGBA")
            background.paste(rgba, mask=rgba.getchannel("A"))
            image = background
        image.thumbnail((side, side), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
        return out.getvalue()
