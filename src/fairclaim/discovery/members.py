"""A WARC.gz read one gzip member at a time, and the records a scan has no use for told apart
without parsing them.

Writers of WARC.gz (Common Crawl, warcio, wget, browsertrix) put each record in its own gzip
member. Inflating a member in C and looking at its WARC headers with two regular expressions
costs a few microseconds; parsing it with warcio costs ~100 µs of Python. Two thirds of a
Common Crawl file are request and metadata records, which a scan never reads: they are checked
here (complete, block digest right) and skipped, and every other member goes to warcio.

Pure file and byte work: no warcio, no Django.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import zlib
from typing import BinaryIO

GZIP_MAGIC = b"\x1f\x8b\x08"
READ_BYTES = 1 << 20  # file bytes read at a time
FEED_BYTES = 1 << 16  # compressed bytes given to zlib per call: zlib copies what is left over
INFLATE_PIECE = 1 << 20  # decompressed bytes per call, so an oversized member is never held
HEAD_LIMIT = 64 * 1024  # a WARC header block longer than this is not one a skip can trust
USED_TYPES = frozenset({b"response", b"resource"})  # the record types a scan reads
_TYPE_RE = re.compile(rb"\r\nWARC-Type:[ \t]*([^\r\n]*)", re.IGNORECASE)
_LENGTH_RE = re.compile(rb"\r\nContent-Length:[ \t]*(\d+)[ \t]*\r?(?:\n|$)", re.IGNORECASE)
_BLOCK_DIGEST_RE = re.compile(rb"\r\nWARC-Block-Digest:[ \t]*([^\r\n]*)", re.IGNORECASE)


class NotAMember(ValueError):
    """No gzip member starts at this offset."""


class MemberReader:
    """Reads consecutive gzip members of a file from an offset, through one buffer."""

    def __init__(self, fh: BinaryIO, offset: int) -> None:
        self._fh = fh
        self.seek(offset)

    @property
    def offset(self) -> int:
        """File offset of the next member."""
        return self._base + self._pos

    def seek(self, offset: int) -> None:
        self._base, self._buf, self._pos = offset, b"", 0

    def _read_more(self) -> bool:
        """Keeps the unread bytes and appends the next read; False at the end of the file."""
        self._buf, self._base, self._pos = self._buf[self._pos :], self._base + self._pos, 0
        self._fh.seek(self._base + len(self._buf))
        more = self._fh.read(READ_BYTES)
        self._buf += more
        return bool(more)

    def next(self, cap: int) -> bytes | None:
        """The next member's decompressed bytes, or None when they pass `cap` (the member is
        read to its end all the same). Damage raises NotAMember, zlib.error or EOFError (a
        member cut off by the end of the file); ask at_end() first."""
        if self._pos + len(GZIP_MAGIC) > len(self._buf):
            self._read_more()
        if self._buf[self._pos : self._pos + len(GZIP_MAGIC)] != GZIP_MAGIC:
            raise NotAMember(f"no gzip member at offset {self.offset}")
        inflater = zlib.decompressobj(31)
        pieces: list[bytes] = []
        size = 0
        while True:
            if self._pos >= len(self._buf) and not self._read_more():
                raise EOFError(f"gzip member cut off at offset {self.offset}")
            fed = memoryview(self._buf)[self._pos : self._pos + FEED_BYTES]
            data = fed
            while data:
                piece = inflater.decompress(data, INFLATE_PIECE)
                if size <= cap:
                    size += len(piece)
                    pieces.append(piece)
                if inflater.eof:
                    self._pos += len(fed) - len(inflater.unused_data)
                    return b"".join(pieces) if size <= cap else None
                data = inflater.unconsumed_tail
            self._pos += len(fed)

    def at_end(self) -> bool:
        return self._pos >= len(self._buf) and not self._read_more()


def skippable(record: bytes) -> bool:
    """True when `record` is exactly one whole WARC record of a type a scan does not read, with a
    right block digest (or none). A record that is damaged, unusual or read by scans gives False:
    warcio then parses it and reports what is wrong."""
    if not record.startswith(b"WARC/1."):
        return False
    head_end = record.find(b"\r\n\r\n", 0, HEAD_LIMIT)
    if head_end < 0:
        return False
    head = record[: head_end + 2]  # the last header line keeps its CRLF
    kind_match, length = _TYPE_RE.search(head), _LENGTH_RE.search(head)
    if kind_match is None or length is None:
        return False
    kind = kind_match.group(1).strip().lower()
    if kind in USED_TYPES:
        return False
    block_end = head_end + 4 + int(length.group(1))
    if len(record) < block_end or record[block_end:].strip(b"\r\n"):
        return False  # cut short, or more than one record in the member
    digest = _BLOCK_DIGEST_RE.search(head)
    if digest is None or kind == b"revisit":  # as warcio: revisits
        return True  # carry their original's digests
    return digest_matches(digest.group(1).strip(), record[head_end + 4 : block_end])


def digest_matches(value: bytes, data: bytes) -> bool:
    """A WARC digest "algorithm:value" (base32, base16 or base64, as warcio accepts) of `data`;
    False for an unknown algorithm or an unreadable value."""
    algorithm, _, encoded = value.partition(b":")
    try:
        name = algorithm.decode("ascii").lower().replace("-", "")
        expected = hashlib.new(name, data, usedforsecurity=False).digest()
    except (ValueError, UnicodeDecodeError):
        return False
    text = encoded.strip()
    try:
        if len(text) == 2 * len(expected):
            return base64.b16decode(text.upper()) == expected
        if len(text) == len(base64.b32encode(expected)):
            return base64.b32decode(text.upper()) == expected
        return base64.b64decode(text.replace(b"-", b"+").replace(b"_", b"/")) == expected
    except (binascii.Error, ValueError):
        return False
