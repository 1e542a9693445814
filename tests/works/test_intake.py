import io
import zipfile

import pytest

from fairclaim.works.intake import CheckedImage, Limits, UploadRefused, check_image, expand_zip
from tests.images import photo_bytes, png_claiming_size

LIMITS = Limits(max_bytes=5_000_000, max_pixels=50_000_000, max_zip_members=10)


def refusal(name: str, data: bytes, limits: Limits = LIMITS) -> str:
    with pytest.raises(UploadRefused) as caught:
        check_image(name, data, limits)
    return caught.value.reason


def test_accepts_a_jpeg_and_reports_its_real_type_and_size():
    checked = check_image("holiday.png", photo_bytes(1), LIMITS)
    assert (checked.image_format, checked.content_type) == ("JPEG", "image/jpeg")
    assert (checked.width, checked.height) == (320, 240)
    assert checked.extension == ".jpg"  # the name said .png; the content decides


def test_accepts_png_and_webp():
    assert check_image("a.png", photo_bytes(2, fmt="PNG"), LIMITS).image_format == "PNG"
    assert check_image("a.webp", photo_bytes(2, fmt="WEBP"), LIMITS).image_format == "WEBP"


def test_refuses_an_empty_file():
    assert refusal("empty.jpg", b"") == "the file is empty (0 bytes)"


def test_refuses_a_truncated_jpeg_as_damaged():
    data = photo_bytes(3)
    assert "damaged" in refusal("cut.jpg", data[: len(data) // 2])


def test_refuses_a_decompression_bomb_before_decoding():
    reason = refusal("bomb.png", png_claiming_size(30_000, 30_000))
    assert "900.0 MP" in reason
    assert "limit is 50.0 MP" in reason


def test_refuses_a_renamed_pdf_and_says_what_it_is():
    reason = refusal("photo.jpg", b"%PDF-1.7\n1 0 obj <<>> endobj\n")
    assert reason == "this is not an image: its content is a PDF document"


def test_refuses_svg_which_can_carry_scripts():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert "SVG" in refusal("logo.svg", svg)


def test_refuses_a_file_over_the_size_limit():
    reason = refusal("big.jpg", photo_bytes(4), Limits(max_bytes=10_000, max_pixels=10**8))
    assert reason == "the file is 17.2 kB; the limit is 10.0 kB"


def test_unpacks_a_zip_and_reports_each_bad_member_without_losing_the_good_ones():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("shoot/one.jpg", photo_bytes(5))
        z.writestr("shoot/empty.jpg", b"")
        z.writestr("__MACOSX/shoot/._one.jpg", b"resource fork")
        z.writestr("shoot/notes.txt", b"call the client")
        z.writestr("shoot/two.png", photo_bytes(6, fmt="PNG"))
    archive.seek(0)
    results = list(expand_zip("shoot.zip", archive, LIMITS))
    good = [r.filename for r in results if isinstance(r, CheckedImage)]
    bad = {r.filename: r.reason for r in results if isinstance(r, UploadRefused)}
    assert good == ["shoot.zip/shoot/one.jpg", "shoot.zip/shoot/two.png"]
    assert bad == {
        "shoot.zip/shoot/empty.jpg": "the file is empty (0 bytes)",
        "shoot.zip/shoot/notes.txt": "this is not an image: its content is a text file",
    }


def test_refuses_a_zip_with_too_many_members():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        for i in range(11):
            z.writestr(f"{i}.jpg", b"x")
    archive.seek(0)
    [only] = list(expand_zip("many.zip", archive, LIMITS))
    assert only.reason == "the archive holds 11 files; the limit is 10"


def test_refuses_a_zip_bomb_by_its_declared_size():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.jpg", b"\0" * 6_000_000)
    archive.seek(0)
    [only] = list(expand_zip("bomb.zip", archive, LIMITS))
    assert "6.0 MB" in only.reason
    assert "limit is 5.0 MB" in only.reason


def test_refuses_a_corrupt_zip():
    [only] = list(expand_zip("broken.zip", io.BytesIO(b"PK\x03\x04garbage"), LIMITS))
    assert only.reason.startswith("the zip archive cannot be read")


def test_a_truncated_jpeg_stays_refused_after_weasyprint_loosened_pillow():
    import weasyprint  # noqa: F401 - importing it sets ImageFile.LOAD_TRUNCATED_IMAGES = True
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    data = photo_bytes(3)
    assert "damaged" in refusal("cut.jpg", data[: len(data) // 2])
