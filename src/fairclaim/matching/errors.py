"""Typed errors of the matching package.

Every problem with an input image is an `ImageDecodeError` subclass whose message names the problem,
so a batch can record it against the one file and carry on. No Django, no I/O here.
"""

from __future__ import annotations


class MatchingError(Exception):
    """Base class of every error the matching package raises on purpose."""


class ImageDecodeError(MatchingError):
    """The bytes could not be turned into pixels we are willing to compare."""

    code = "undecodable"


class EmptyImage(ImageDecodeError):
    """Zero bytes, or an image with a zero-length side."""

    code = "empty"


class NotAnImage(ImageDecodeError):
    """The bytes are not a raster image format we can read."""

    code = "not_an_image"


class UnsupportedImage(ImageDecodeError):
    """A real image we deliberately do not handle (vector, animated, exotic mode)."""

    code = "unsupported"


class AnimatedImage(UnsupportedImage):
    """More than one frame: which frame was 'the use' is a human decision, not ours."""

    code = "animated"


class TruncatedImage(ImageDecodeError):
    """The file ends before the image data does."""

    code = "truncated"


class DecompressionBomb(ImageDecodeError):
    """The declared pixel count exceeds the limit: decoding it could exhaust memory.

    `pixels` is the declared count and `size` the declared (width, height) (each None when the
    decoder refused before naming it), `limit` the limit applied, so each caller can word the
    refusal for its reader."""

    code = "decompression_bomb"

    def __init__(
        self,
        message: str,
        *,
        pixels: int | None = None,
        size: tuple[int, int] | None = None,
        limit: int | None = None,
    ) -> None:
        super().__init__(message)
        self.pixels = pixels
        self.size = size
        self.limit = limit


class TooLarge(ImageDecodeError):
    """The encoded file exceeds the byte limit."""

    code = "too_large"


class CorruptImage(ImageDecodeError):
    """The decoder failed inside the image data."""

    code = "corrupt"


class IndexFormatError(MatchingError):
    """An index directory is missing a file, or its files disagree with each other."""

    code = "bad_index"
