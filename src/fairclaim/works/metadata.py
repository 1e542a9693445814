"""Rights metadata embedded in a photo: creator, copyright, dates, title (EXIF, IPTC, XMP).

`read_embedded` reads the raw tags with exiv2 (through pyexiv2), the library photo tools use;
`rights_fields` turns raw tags into the fields a Work holds, preferring XMP, then IPTC, then EXIF
(the IPTC Photo Metadata Standard's order: XMP is the maintained one, EXIF the oldest).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pyexiv2

pyexiv2.set_log_level(4)  # exiv2 otherwise prints warnings about odd files to stderr

# Tag names in order of preference for each field.
CREATOR_TAGS = ["Xmp.dc.creator", "Iptc.Application2.Byline", "Exif.Image.Artist"]
COPYRIGHT_TAGS = ["Xmp.dc.rights", "Iptc.Application2.Copyright", "Exif.Image.Copyright"]
TITLE_TAGS = ["Xmp.dc.title", "Iptc.Application2.ObjectName", "Xmp.photoshop.Headline",
              "Iptc.Application2.Headline"]  # fmt: skip
DESCRIPTION_TAGS = [
    "Xmp.dc.description",
    "Iptc.Application2.Caption",
    "Exif.Image.ImageDescription",
]
DATE_TAGS = [
    "Xmp.photoshop.DateCreated",
    "Iptc.Application2.DateCreated",
    "Exif.Photo.DateTimeOriginal",
    "Xmp.xmp.CreateDate",
    "Exif.Image.DateTime",
]
MAX_TAG_VALUE = 2000  # a rights field longer than this is junk, not a name
# The Work columns' lengths: a longer embedded value is shortened to fit (the full value stays in
# embedded_metadata), rather than failing the upload on PostgreSQL, which enforces them.
FIELD_LENGTHS = {"title": 300, "creator": 200, "copyright_notice": 300}
ELLIPSIS = "…"


@dataclass(frozen=True)
class RightsFields:
    title: str = ""
    creator: str = ""
    copyright_notice: str = ""
    description: str = ""
    created_on: dt.date | None = None
    shortened: tuple[str, ...] = ()  # the fields that were cut to their column's length


def read_embedded(data: bytes) -> dict[str, str]:
    """All EXIF, IPTC and XMP tags as strings; an unreadable block yields no tags, not an error."""
    tags: dict[str, str] = {}
    try:
        with pyexiv2.ImageData(data) as image:
            for reader in (image.read_exif, image.read_iptc, image.read_xmp):
                try:
                    block = reader()
                except (RuntimeError, ValueError, UnicodeDecodeError):
                    continue
                for key, value in block.items():
                    text = _as_text(value)
                    if text and not key.startswith("Exif.Thumbnail") and "MakerNote" not in key:
                        tags[key] = text[:MAX_TAG_VALUE]
    except (RuntimeError, ValueError):
        return {}
    return tags


def rights_fields(tags: dict[str, str]) -> RightsFields:
    values = {
        "title": _first(tags, TITLE_TAGS),
        "creator": _first(tags, CREATOR_TAGS),
        "copyright_notice": _first(tags, COPYRIGHT_TAGS),
    }
    shortened = tuple(name for name, value in values.items() if len(value) > FIELD_LENGTHS[name])
    for name in shortened:
        values[name] = values[name][: FIELD_LENGTHS[name] - 1].rstrip() + ELLIPSIS
    return RightsFields(
        **values,
        description=_first(tags, DESCRIPTION_TAGS),
        created_on=_first_date(tags),
        shortened=shortened,
    )


def _as_text(value) -> str:
    if isinstance(value, dict):  # XMP language alternatives: {'lang="x-default"': 'text'}
        value = value.get('lang="x-default"') or next(iter(value.values()), "")
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value if v)
    # NUL bytes are never text, and PostgreSQL refuses them in text and JSON columns.
    return str(value).replace("\x00", "").strip()


def _first(tags: dict[str, str], names: list[str]) -> str:
    for name in names:
        if tags.get(name):
            return tags[name]
    return ""


DATE_PATTERN = re.compile(r"(\d{4})[-:](\d{2})[-:](\d{2})")


def _first_date(tags: dict[str, str]) -> dt.date | None:
    for name in DATE_TAGS:
        found = DATE_PATTERN.search(tags.get(name, ""))
        if found:
            try:
                return dt.date(*(int(part) for part in found.groups()))
            except ValueError:
                continue  # "0000:00:00" and friends
    return None
