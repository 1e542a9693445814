"""Split one large WARC.gz into byte ranges that separate tasks can read on their own.

A WARC.gz written the usual way (Common Crawl, warcio, wget, browsertrix) is one gzip member per
record, so a reader can start at any member that begins a record. A split point is taken only
after checking it: a gzip header at that offset whose member decompresses to "WARC/1." — gzip's
magic bytes also turn up by chance inside compressed data, and a damaged member fails the check.
Each range then holds the records that *start* in it (warc.iter_warc(start=, end=)), so no record
is read twice or lost, whatever lies near a boundary.

A split point prefers the start of an HTML page record: captures write a page before its images,
so the page and its image records (joined into sightings within one reader) stay together. A file
that is not gzip, is one gzip member for the whole file, or is small stays one range.

Pure file reading; no Django, no warcio (the readers use warcio).
"""

from __future__ import annotations

import os
import re
import zlib

from fairclaim.discovery.members import GZIP_MAGIC

RANGE_BYTES = 64 * 1024 * 1024  # bytes per range: tasks of a few seconds keep 2+ workers busy
SEARCH_BYTES = 16 * 1024 * 1024  # how far past a split point to look for a good record start
PROBE_BYTES = 16 * 1024  # compressed bytes inflated to check a candidate member's first record
SCAN_CHUNK = 1 << 20  # bytes read at a time while looking for gzip headers
HEAD_BYTES = 4096  # decompressed bytes looked at: a record's WARC and HTTP headers
_PAGE_RE = re.compile(
    rb"\r\nWARC-Type: response\r\n.*?\r\n\r\nHTTP/[^\r\n]*\r\n(?:[^\r\n]+\r\n)*?"
    rb"Content-Type:\s*(?:text/html|application/xhtml\+xml)",
    re.IGNORECASE | re.DOTALL,
)


def _record_head(fh, offset: int) -> bytes | None:
    """The first decompressed bytes of the gzip member at `offset`, when they start a WARC
    record; None for a false gzip header, a damaged member or anything else."""
    fh.seek(offset)
    data = fh.read(PROBE_BYTES)
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        head = inflater.decompress(data, HEAD_BYTES)
    except zlib.error:
        return None
    return head if head.startswith(b"WARC/1.") else None


def _split_point(fh, after: int, size: int) -> int | None:
    """The first checked record start at or after `after` that begins an HTML page, else the first
    checked record start at all, searching at most SEARCH_BYTES; None when there is none."""
    first_record = None
    position = after
    limit = min(size, after + SEARCH_BYTES)
    while position < limit:
        fh.seek(position)
        chunk = fh.read(min(SCAN_CHUNK, limit - position) + len(GZIP_MAGIC) - 1)
        index = chunk.find(GZIP_MAGIC)
        while index >= 0 and position + index < limit:
            candidate = position + index
            head = _record_head(fh, candidate)
            if head is not None:
                if _PAGE_RE.search(head):
                    return candidate
                if first_record is None:
                    first_record = candidate
            index = chunk.find(GZIP_MAGIC, index + 1)
        position += SCAN_CHUNK
    return first_record


def split_ranges(path: str | os.PathLike, range_bytes: int = RANGE_BYTES) -> list[tuple[int, int]]:
    """[(start, end), ...] covering the whole file in order; every start is a checked record
    start (or 0). One range for files that are not gzip or are under 2 × range_bytes."""
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        if fh.read(len(GZIP_MAGIC)) != GZIP_MAGIC or size < 2 * range_bytes:
            return [(0, size)]
        starts = [0]
        for k in range(1, round(size / range_bytes)):
            target = max(k * size // round(size / range_bytes), starts[-1] + 1)
            point = _split_point(fh, target, size)
            if point is not None and point > starts[-1]:
                starts.append(point)
    return list(zip(starts, [*starts[1:], size], strict=True))
