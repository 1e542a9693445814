"""Untrusted image bytes are opened in one place, and a bomb is refused there before decoding."""

import ast
import io
from pathlib import Path

import pytest
from PIL import Image
from tests.images import png_claiming_size

import fairclaim
from fairclaim.matching.errors import DecompressionBomb, EmptyImage, NotAnImage
from fairclaim.matching.untrusted import open_untrusted_image

SRC = Path(fairclaim.__file__).parent
# Image.open elsewhere reads only bytes we made or already checked, each for a reason.
TRUSTED_OPENERS = {
    "matching/untrusted.py": "the guarded opener itself",
    "matching/edits.py": "test and bench fixtures made from our own photos",
    "matching/fingerprint.py": "the thumbnail we encoded ourselves",
    "works/thumbnails.py": "a work's file, checked by works.intake when it was uploaded",
    "ops/demo_web.py": "the demo's own photo folder",
}


def _png(width=4, height=3) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "PNG")
    return out.getvalue()


def test_a_real_image_opens_with_its_header_read():
    image = open_untrusted_image(_png(), max_pixels=100)
    assert (image.format, image.size) == ("PNG", (4, 3))
    image.load()


def test_a_bomb_is_refused_by_its_declared_size_and_the_error_names_size_and_limit():
    with pytest.raises(DecompressionBomb) as refused:
        open_untrusted_image(png_claiming_size(12_000, 10_000), max_pixels=100_000_000)
    assert refused.value.size == (12_000, 10_000)
    assert refused.value.pixels == 120_000_000
    assert refused.value.limit == 100_000_000
    assert "100000000" in str(refused.value)


def test_a_header_far_past_every_cap_is_refused_before_pillow_reads_on():
    with pytest.raises(DecompressionBomb) as refused:
        open_untrusted_image(png_claiming_size(40_000, 40_000), max_pixels=100_000_000)
    assert refused.value.pixels == 1_600_000_000
    assert refused.value.limit == 100_000_000


def test_the_limit_is_the_callers_not_pillows():
    with pytest.raises(DecompressionBomb):
        open_untrusted_image(_png(20, 20), max_pixels=399)
    assert open_untrusted_image(_png(20, 20), max_pixels=400).size == (20, 20)


def test_a_setting_above_pillows_own_cap_is_honoured_and_the_cap_is_left_as_it_was():
    before = Image.MAX_IMAGE_PIXELS
    image = open_untrusted_image(png_claiming_size(20_000, 10_000), max_pixels=250_000_000)
    assert image.size == (20_000, 10_000)
    assert before == Image.MAX_IMAGE_PIXELS


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", EmptyImage),
        (b"%PDF-1.7 not an image", NotAnImage),
        (b"\x89PNG\r\n\x1a\n", NotAnImage),
    ],
)
def test_what_is_not_a_readable_image_gets_a_typed_error(data, error):
    with pytest.raises(error):
        open_untrusted_image(data, max_pixels=100)


def test_no_other_module_opens_image_bytes_itself():
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            func = getattr(node, "func", None)
            if (
                isinstance(node, ast.Call)
                and isinstance(func, ast.Attribute)
                and func.attr == "open"
                and getattr(func.value, "id", "") == "Image"
            ):
                found.append(path.relative_to(SRC).as_posix())
    assert set(found) <= set(TRUSTED_OPENERS), sorted(set(found) - set(TRUSTED_OPENERS))
    assert "matching/untrusted.py" in found
