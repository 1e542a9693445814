"""Checking uploaded photos before anything is stored: size, real type, pixel count, full decode.

Framework-free on purpose (plain bytes in, `CheckedImage` or `UploadRefused` out) so the same checks
serve the web upload, zip archives and the demo loader. Every refusal names the file and the limit.
"""

from __future__ import annotations

import hashlib
import io
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from PIL import Image

from fairclaim.matching.decode import truncation_is_an_error
from fairclaim.matching.errors import DecompressionBomb, ImageDecodeError, NotAnImage
from fairclaim.matching.untrusted import open_untrusted_image

# Formats a photographer registers; Pillow identifies them from content, never from the name.
ACCEPTED_FORMATS = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",  # multi-picture JPEG from cameras; the first frame is the photo
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
    "TIFF": "image/tiff",
    "AVIF": "image/avif",
}
EXTENSIONS = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp",
              "TIFF": ".tif", "AVIF": ".avif"}  # fmt: skip

# Leading bytes of files people often upload by mistake, to say what the file really is.
KNOWN_SIGNATURES = [
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a zip archive"),
    (b"<?xml", "an XML or SVG document"),
    (b"<svg", "an SVG drawing"),
    (b"<!DOCTYPE html", "an HTML page"),
    (b"<html", "an HTML page"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
    (b"{\\rtf", "an RTF document"),
    (b"\xd0\xcf\x11\xe0", "an Office document"),
]


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_pixels: int
    max_zip_members: int = 2000
    max_zip_bytes: int = 2 * 1024**3


class UploadRefused(Exception):
    """An uploaded file that will not be registered; the message is shown to the person."""

    def __init__(self, filename: str, reason: str):
        self.filename = filename
        self.reason = reason
        super().__init__(f"{filename}: {reason}")


@dataclass(frozen=True)
class CheckedImage:
    filename: str
    data: bytes
    sha256: str
    image_format: str
    content_type: str
    width: int
    height: int

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.image_format]


def human_size(size: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def describe_content(data: bytes) -> str:
    head = data[:64].lstrip().lower()
    for signature, what in KNOWN_SIGNATURES:
        if head.startswith(signature.lower()):
            return what
    if all(32 <= b < 127 or b in (9, 10, 13) for b in data[:512]):
        return "a text file"
    return "not a format we recognise"


def check_image(filename: str, data: bytes, limits: Limits) -> CheckedImage:
    """Accept `data` as a photo or raise `UploadRefused` saying why. Decodes every pixel once."""
    if not data:
        raise UploadRefused(filename, "the file is empty (0 bytes)")
    if len(data) > limits.max_bytes:
        raise UploadRefused(
            filename,
            f"the file is {human_size(len(data))}; the limit is {human_size(limits.max_bytes)}",
        )
    try:
        image = open_untrusted_image(data, max_pixels=limits.max_pixels)
        image_format = image.format or ""
        width, height = image.size
        if image_format not in ACCEPTED_FORMATS:
            raise UploadRefused(
                filename, f"{image_format or 'this'} images are not accepted; "
                "upload JPEG, PNG, WebP, GIF, TIFF or AVIF"
            )  # fmt: skip
        with warnings.catch_warnings(), truncation_is_an_error():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image.load()
    except UploadRefused:
        raise
    except NotAnImage:
        raise UploadRefused(
            filename, f"this is not an image: its content is {describe_content(data)}"
        ) from None
    except (DecompressionBomb, Image.DecompressionBombError) as exc:
        size, pixels = getattr(exc, "size", None), getattr(exc, "pixels", None)
        if size is not None:
            claimed = f"{size[0]}×{size[1]} pixels ({_megapixels(size[0] * size[1])})"
        else:  # Pillow refused a far-too-large header itself, naming only the count
            claimed = _megapixels(pixels) if pixels else "too many pixels"
        raise UploadRefused(
            filename,
            f"the image claims {claimed}; the limit is {_megapixels(limits.max_pixels)} "
            "(protection against decompression bombs)",
        ) from None
    except (ImageDecodeError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise UploadRefused(
            filename, f"the image is damaged and cannot be decoded ({exc.__cause__ or exc})"
        ) from None
    return CheckedImage(
        filename=filename,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        image_format=image_format,
        content_type=ACCEPTED_FORMATS[image_format],
        width=width,
        height=height,
    )


def _megapixels(pixels: int) -> str:
    """100.9 MP, not "101 MP" against a limit of "100 MP" (which reads as within it)."""
    return f"{pixels / 1e6:.1f} MP"


def is_zip(filename: str, head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04") or filename.lower().endswith(".zip")


def expand_zip(
    filename: str, stream: io.BufferedIOBase, limits: Limits
) -> Iterator[CheckedImage | UploadRefused]:
    """Each image in a zip archive, checked; refusals are yielded, not raised, so one bad member
    never costs the others. Folders, hidden files and macOS resource forks are skipped."""
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        yield UploadRefused(filename, f"the zip archive cannot be read ({exc})")
        return
    with archive:
        members = [
            m for m in archive.infolist()
            if not m.is_dir() and not _ignored_member(m.filename)
        ]  # fmt: skip
        if len(members) > limits.max_zip_members:
            yield UploadRefused(
                filename,
                f"the archive holds {len(members)} files; the limit is {limits.max_zip_members}",
            )
            return
        declared = sum(m.file_size for m in members)
        if declared > limits.max_zip_bytes:
            yield UploadRefused(
                filename,
                f"the archive unpacks to {human_size(declared)}; "
                f"the limit is {human_size(limits.max_zip_bytes)}",
            )
            return
        for member in members:
            data = b""  # the last member's bytes go before the next is read: one at a time
            name = f"{filename}/{member.filename}"
            if member.flag_bits & 0x1:
                yield UploadRefused(name, "the file is encrypted")
                continue
            if member.file_size > limits.max_bytes:
                yield UploadRefused(
                    name,
                    f"the file is {human_size(member.file_size)}; "
                    f"the limit is {human_size(limits.max_bytes)}",
                )
                continue
            try:
                # Read one byte past the limit: the declared size in a zip can lie.
                with archive.open(member) as handle:
                    data = handle.read(limits.max_bytes + 1)
            # ValueError: offsets in a damaged directory can point before the file's start;
            # zlib.error: a damaged deflate stream (both found by tests/security/test_fuzz.py).
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError,
                    zlib.error) as exc:  # fmt: skip
                yield UploadRefused(name, f"the file cannot be extracted ({exc})")
                continue
            try:
                yield check_image(name, data, limits)
            except UploadRefused as refusal:
                yield refusal


def _ignored_member(name: str) -> bool:
    path = PurePosixPath(name)
    return path.parts[0] == "__MACOSX" or path.name.startswith(".")
