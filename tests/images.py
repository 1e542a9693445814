"""Test images made on the fly: real encoders, known content, optional embedded rights metadata."""

import io
import struct
import zlib

import numpy as np
import pyexiv2
from PIL import Image


def photo_bytes(seed: int = 0, size=(320, 240), fmt="JPEG") -> bytes:
    """Photo-like: smooth gradients plus seeded noise, so every seed is a different photo."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0 : size[1], 0 : size[0]]
    base = np.stack(
        [(x * (1 + seed % 3)) % 256, (y * 2) % 256, ((x + y) * (seed % 5 + 1)) % 256], axis=-1
    )
    noise = rng.integers(0, 40, size=(size[1], size[0], 3))
    pixels = np.clip(base + noise, 0, 255).astype("uint8")
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, fmt)
    return out.getvalue()


def with_rights_metadata(data: bytes, *, creator: str, copyright_notice: str, taken: str) -> bytes:
    """`taken` is EXIF style: "2024:05:06 10:11:12"."""
    with pyexiv2.ImageData(data) as image:
        image.modify_exif(
            {
                "Exif.Image.Artist": creator,
                "Exif.Image.Copyright": copyright_notice,
                "Exif.Photo.DateTimeOriginal": taken,
            }
        )
        image.modify_iptc({"Iptc.Application2.Byline": [creator]})
        return image.get_bytes()


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny valid PNG whose header claims `width`×`height`: the classic decompression bomb."""
    raw = io.BytesIO()
    Image.new("L", (1, 1)).save(raw, "PNG")
    data = raw.getvalue()
    ihdr_start = 8 + 8  # signature, then length + type of the IHDR chunk
    fields = struct.pack(">II", width, height) + data[ihdr_start + 8 : ihdr_start + 13]
    crc = struct.pack(">I", zlib.crc32(b"IHDR" + fields) & 0xFFFFFFFF)
    return data[:ihdr_start] + fields + crc + data[ihdr_start + 13 + 4 :]
