"""Decoding: every format we claim to handle, and hostile files that must raise typed errors."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from fairclaim.matching.decode import decode_image
from fairclaim.matching.errors import (
    AnimatedImage,
    DecompressionBomb,
    EmptyImage,
    ImageDecodeError,
    NotAnImage,
    TooLarge,
    TruncatedImage,
    UnsupportedImage,
)


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def gradient(width: int = 320, height: int = 200) -> Image.Image:
    x = np.linspace(0, 255, width, dtype=np.float32)[None, :, None]
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None, None]
    rgb = np.concatenate([x + 0 * y, y + 0 * x, (x + y) / 2], axis=2)
    return Image.fromarray(rgb.astype(np.uint8))


def test_zero_bytes_is_an_empty_image():
    with pytest.raises(EmptyImage, match="zero bytes"):
        decode_image(b"")


def test_truncated_jpeg_names_the_truncation(photos):
    data = photos.bytes(photos.indexed[0])
    with pytest.raises(TruncatedImage, match="ends early"):
        decode_image(data[: len(data) // 2], min_side=0)


def test_declared_giant_png_is_refused_before_decoding():
    data = bytearray(encode(Image.new("RGB", (8, 8)), "PNG"))
    # Rewrite IHDR to declare 30,000 × 30,000 pixels (and fix its CRC): a classic bomb header.
    ihdr = struct.pack(">II", 30_000, 30_000) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr) & 0xFFFFFFFF)
    with pytest.raises(DecompressionBomb, match="900000000 pixels"):
        decode_image(bytes(data), max_pixels=50_000_000)


def test_real_image_over_the_pixel_limit_names_the_limit():
    with pytest.raises(DecompressionBomb, match="limit of 1000 pixels"):
        decode_image(encode(gradient(), "PNG"), max_pixels=1000)


def test_oversized_file_is_refused_unread():
    with pytest.raises(TooLarge, match="limit of 10 bytes"):
        decode_image(encode(gradient(), "PNG"), max_bytes=10)


def test_svg_is_unsupported_not_a_crash():
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
    with pytest.raises(UnsupportedImage, match="SVG"):
        decode_image(svg)


def test_animated_gif_is_refused_with_its_frame_count():
    frames = [Image.new("RGB", (32, 32), colour) for colour in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    with pytest.raises(AnimatedImage, match="3 frames"):
        decode_image(buffer.getvalue())


def test_random_bytes_are_not_an_image():
    with pytest.raises(NotAnImage):
        decode_image(np.random.default_rng(1).bytes(4000))


def test_every_decode_error_is_an_image_decode_error():
    for error in (EmptyImage, NotAnImage, TruncatedImage, DecompressionBomb, AnimatedImage):
        assert issubclass(error, ImageDecodeError)


@pytest.mark.parametrize(
    ("fmt", "mode", "options"),
    [
        ("PNG", "RGBA", {}),
        ("PNG", "P", {}),
        ("PNG", "I;16", {}),
        ("PNG", "LA", {}),
        ("GIF", "P", {}),
        ("WEBP", "RGB", {"quality": 80}),
        ("AVIF", "RGB", {"quality": 60}),
        ("JPEG", "CMYK", {}),
        ("JPEG", "L", {}),
        ("TIFF", "RGB", {}),
    ],
)
def test_decodes_each_supported_format_to_rgb(fmt, mode, options):
    image = gradient()
    if mode == "I;16":
        values = np.asarray(image.convert("L"), dtype=np.uint16) * 257
        image = Image.fromarray(values)
    else:
        image = image.convert(mode)
    decoded = decode_image(encode(image, fmt, **options))
    assert decoded.rgb.dtype == np.uint8
    assert decoded.rgb.shape == (200, 320, 3)
    assert decoded.format == fmt
    # the gradient survives: left is darker than right in the first channel
    assert decoded.rgb[:, :20, 0].mean() + 40 < decoded.rgb[:, -20:, 0].mean() or mode in {
        "P",
    }


def test_transparent_pixels_become_white():
    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    decoded = decode_image(encode(image, "PNG"))
    assert decoded.rgb.min() == 255


def test_exif_orientation_is_applied():
    image = gradient(320, 200)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    decoded = decode_image(encode(image, "JPEG", exif=exif.tobytes()), min_side=0)
    assert decoded.rgb.shape[:2] == (320, 200)
    assert decoded.original_size == (200, 320)


def test_jpeg_draft_mode_decodes_smaller_but_keeps_min_side(photos):
    data = photos.bytes(photos.indexed[0])  # 1024 × 640
    decoded = decode_image(data, min_side=256)
    assert decoded.original_size == (1024, 640)
    assert min(decoded.size) >= 256
    assert decoded.size[0] < 1024
