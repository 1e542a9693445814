import datetime as dt

from fairclaim.works.metadata import read_embedded, rights_fields
from tests.images import photo_bytes, with_rights_metadata


def test_reads_creator_copyright_and_date_from_exif_and_iptc():
    data = with_rights_metadata(
        photo_bytes(1), creator="Ada Lens", copyright_notice="© 2024 Ada Lens",
        taken="2024:05:06 10:11:12",
    )  # fmt: skip
    fields = rights_fields(read_embedded(data))
    assert fields.creator == "Ada Lens"
    assert fields.copyright_notice == "© 2024 Ada Lens"
    assert fields.created_on == dt.date(2024, 5, 6)


def test_prefers_xmp_over_iptc_over_exif():
    tags = {
        "Exif.Image.Artist": "exif",
        "Iptc.Application2.Byline": "iptc",
        "Xmp.dc.creator": "xmp",
        "Exif.Image.Copyright": "exif ©",
    }
    fields = rights_fields(tags)
    assert (fields.creator, fields.copyright_notice) == ("xmp", "exif ©")


def test_ignores_impossible_dates():
    tags = {
        "Exif.Photo.DateTimeOriginal": "0000:00:00 00:00:00",
        "Exif.Image.DateTime": "2020:02:29",
    }
    assert rights_fields(tags).created_on == dt.date(2020, 2, 29)


def test_a_photo_without_metadata_or_a_broken_file_yields_no_tags():
    assert read_embedded(photo_bytes(2, fmt="PNG")) == {}
    assert read_embedded(b"not an image at all") == {}
