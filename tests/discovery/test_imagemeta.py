"""Embedded creator/copyright (EXIF, IPTC, XMP) and the pixel cap, read from image bytes."""

from __future__ import annotations

import io
from pathlib import Path

import pyexiv2
import pytest
from django.conf import settings
from PIL import Image

from fairclaim.discovery.errors import BadImage, TooManyPixels
from fairclaim.discovery.imagemeta import read_image_facts

from .site_server import huge_png

PHOTOS = Path(settings.FAIRCLAIM_DEMO_PHOTOS)


def real_photo() -> bytes:
    path = next(iter(sorted(PHOTOS.glob("*.jpg"))), None)
    if path is None:
        pytest.skip("shared photos not available")
    return path.read_bytes()


def test_reads_exif_artist_and_copyright_from_a_real_photo():
    image = Image.open(io.BytesIO(real_photo()))
    exif = image.getexif()
    exif[0x013B] = "Charles Barbin"
    exif[0x8298] = "Copyright 2008 Charles Barbin"  # EXIF ASCII: no ©
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=85)
    facts = read_image_facts(out.getvalue(), max_pixels=60_000_000)
    assert facts.creator == "Charles Barbin"
    assert facts.copyright == "Copyright 2008 Charles Barbin"
    assert (facts.width, facts.height) == image.size


def plain_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (50, 40), "blue").save(out, "JPEG")
    return out.getvalue()


def test_reads_iptc_byline_credit_and_copyright():
    with pyexiv2.ImageData(plain_jpeg()) as data:
        data.modify_iptc(
            {
                "Iptc.Application2.Byline": ["Iris Byline"],
                "Iptc.Application2.Credit": "Agentur X",
                "Iptc.Application2.Copyright": "© 2024 Iris Byline",
            }
        )
        tagged = data.get_bytes()
    facts = read_image_facts(tagged, max_pixels=10**6)
    assert (facts.creator, facts.credit, facts.copyright) == (
        "Iris Byline",
        "Agentur X",
        "© 2024 Iris Byline",
    )


def test_reads_xmp_creator_when_no_exif_or_iptc():
    with pyexiv2.ImageData(plain_jpeg()) as data:
        data.modify_xmp({"Xmp.dc.creator": ["Xavier Xmp"]})
        tagged = data.get_bytes()
    assert read_image_facts(tagged, max_pixels=10**6).creator == "Xavier Xmp"


def test_declared_size_over_the_pixel_cap_is_refused_before_decoding():
    with pytest.raises(TooManyPixels, match="max_pixels"):
        read_image_facts(huge_png(), max_pixels=60_000_000)


def test_garbage_is_a_bad_image():
    with pytest.raises(BadImage):
        read_image_facts(b"\xff\xd8\xff garbage", max_pixels=10**6)
