"""Stream web archives (WARC / WARC.gz, Common Crawl layout) into sightings.

Records are read one at a time with warcio; no file is loaded into memory (a WARC.gz is read one
gzip member at a time, and the request and metadata records of a crawl archive are checked and
skipped without warcio: members.py). A broken record
(corrupted gzip member, bad header, digest mismatch, truncation) is counted under "warc_record"
and skipped by resynchronising at the next record start. HTML pages become sightings; image
records give the sha256 and embedded facts of images, joined to the pages that show them within
a bounded window (pages usually precede their images in a capture).
"""

from __future__ import annotations

import hashlib
import io
import zlib
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from warcio.exceptions import ArchiveLoadFailed

from fairclaim.discovery.context import (
    ImageOnPage,
    PageContext,
    decode_html,
    extract_page,
    may_show_images,
)
from fairclaim.discovery.errors import BrokenRecord, DiscoveryError
from fairclaim.discovery.fetch import DEFAULT_LIMITS, FetchLimits, sniff_type
from fairclaim.discovery.imagemeta import read_image_facts
from fairclaim.discovery.members import GZIP_MAGIC, MemberReader, NotAMember, skippable
from fairclaim.discovery.records import (
    ImageFetch,
    ScanCounts,
    SightingRecord,
    sighting_for_image,
    utc_iso,
)

WARC_MAGIC = b"WARC/1."
RESYNC_CHUNK = 1 << 20  # bytes read at a time while looking for the next record after damage
JOIN_WINDOW = 5000  # sightings held while waiting for their image record; bounds memory
IMAGE_CACHE = 20000  # image facts remembered for pages that come after their images
HEAD_ROOM = 1 << 20  # bytes allowed for a record's headers above limits.max_bytes of body
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


@dataclass(frozen=True)
class WarcPayload:
    """One usable record: an HTML page or an image, with its capture time."""

    kind: str  # page | image
    url: str
    captured: str  # UTC ISO-8601 from WARC-Date
    content_type: str
    body: bytes


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(3) == GZIP_MAGIC


def _next_start(fh: BinaryIO, after: int, gzipped: bool) -> int | None:
    """Offset of the next plausible record start after `after`, or None at end of file."""
    magic = GZIP_MAGIC if gzipped else WARC_MAGIC
    position = after + 1
    fh.seek(position)
    tail = b""
    while True:
        chunk = fh.read(RESYNC_CHUNK)
        if not chunk:
            return None
        data = tail + chunk
        base = position - len(tail)
        start = 0
        while True:
            index = data.find(magic, start)
            if index < 0:
                break
            if gzipped or (index > 0 and data[index - 1 : index] == b"\n"):
                return base + index
            start = index + 1
        tail = data[-(len(magic) - 1) :]
        position += len(chunk)


# what reading a damaged record raises: ours, warcio's, and what warcio lets through
_RECORD_ERRORS = (BrokenRecord, ArchiveLoadFailed, zlib.error, EOFError, ValueError, OSError,
                  KeyError, IndexError, TypeError, AttributeError)  # fmt: skip


def _captured(date: str | None) -> str:
    if not date:
        return ""
    try:
        return utc_iso(datetime.fromisoformat(date.replace("Z", "+00:00")))
    except ValueError:
        return ""


def iter_warc(
    path: str | Path,
    *,
    counts: ScanCounts | None = None,
    limits: FetchLimits = DEFAULT_LIMITS,
    start: int = 0,
    end: int | None = None,
) -> Iterator[WarcPayload]:
    """Yield the HTML pages and images of a WARC file, skipping and counting broken records.

    With `start`/`end` (see ranges.split_ranges) only the records that start in [start, end) are
    read; `start` must be the start of a record.
    """
    counts = counts if counts is not None else ScanCounts()
    path = Path(path)
    size = path.stat().st_size
    end = size if end is None else min(end, size)
    if _is_gzip(path):
        yield from _iter_members(path, counts, limits, start, end)
    elif start == 0 and size and not _starts_a_warc(path):
        # warcio reads lines of any text as an old ARC record, quietly: a file that does not
        # begin with a WARC record is counted as damage, so a scan of it is not "clean".
        counts.error(BrokenRecord.kind)
    else:
        yield from _iter_stream(path, counts, limits, start, end, gzipped=False)


def _starts_a_warc(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(5) == b"WARC/"


def _iter_members(
    path: Path, counts: ScanCounts, limits: FetchLimits, start: int, end: int
) -> Iterator[WarcPayload]:
    """A WARC.gz member by member (see members.py): request, metadata and other unread records
    are checked and skipped without warcio; the rest are parsed by warcio from the inflated
    member. A member too large to hold is streamed by _iter_stream instead."""
    cap = limits.max_bytes + HEAD_ROOM
    with open(path, "rb") as fh:
        reader = MemberReader(fh, start)
        damaged = False  # one error per damaged region, however many false starts inside it
        while reader.offset < end and not reader.at_end():
            offset = reader.offset
            try:
                record = reader.next(cap)
            except (NotAMember, zlib.error, EOFError):
                if not damaged:
                    counts.error(BrokenRecord.kind)
                damaged = True
                following = _next_start(fh, offset, True)
                if following is None or following >= end:
                    return
                reader.seek(following)
                continue
            if record is None:
                yield from _iter_stream(path, counts, limits, offset, reader.offset, gzipped=True)
            elif not skippable(record):
                try:
                    yield from _member_payloads(record, offset, limits, counts)
                except _RECORD_ERRORS:
                    if not damaged:
                        counts.error(BrokenRecord.kind)
                    damaged = True
                    continue
            damaged = False


def _member_payloads(
    record: bytes, offset: int, limits: FetchLimits, counts: ScanCounts
) -> Iterator[WarcPayload]:
    from warcio.archiveiterator import ArchiveIterator

    iterator = ArchiveIterator(io.BytesIO(record), check_digests="raise")
    for item in iterator:
        payload = _checked_payload(iterator, item, limits, counts, f"in the member at {offset}")
        if payload is not None:
            yield payload


def _checked_payload(iterator, record, limits: FetchLimits, counts: ScanCounts, where: str):
    """The record's payload (or None), once the whole record is read: digests are checked at
    its end, and a record shorter than its Content-Length is a truncated file."""
    payload = _payload(record, limits, counts)
    iterator.read_to_end()
    if getattr(record.raw_stream, "limit", 0) > 0:
        raise BrokenRecord(f"record {where} is truncated")
    return payload


def _iter_stream(
    path: Path, counts: ScanCounts, limits: FetchLimits, start: int, end: int, *, gzipped: bool
) -> Iterator[WarcPayload]:
    """Records starting in [start, end) streamed by warcio from the file: an uncompressed WARC,
    or a gzip member too large to hold in memory."""
    from warcio.archiveiterator import ArchiveIterator

    size = path.stat().st_size
    with open(path, "rb") as fh:
        offset = start
        damaged = False
        while True:
            fh.seek(offset)
            iterator = ArchiveIterator(fh, check_digests="raise")
            record_start = offset
            try:
                for record in iterator:
                    record_start = iterator.offset
                    if record_start >= end:
                        return  # the next range's first record
                    where = f"at offset {record_start}"
                    payload = _checked_payload(iterator, record, limits, counts, where)
                    damaged = False
                    if payload is not None:
                        yield payload
                if iterator.offset < size:
                    # warcio stops quietly inside a cut-off gzip member: bytes left unread mean
                    # the last record was lost
                    record_start = iterator.offset
                    raise BrokenRecord(f"{size - iterator.offset} unread bytes at the end")
                return
            except _RECORD_ERRORS:
                if not damaged:
                    counts.error(BrokenRecord.kind)
                damaged = True
                following = _next_start(fh, max(record_start, iterator.offset), gzipped)
                if following is None or following >= end:
                    return
                offset = following


def _payload(record, limits: FetchLimits, counts: ScanCounts) -> WarcPayload | None:
    if record.rec_type not in {"response", "resource"}:
        return None
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    if not url.startswith(("http://", "https://")):
        return None
    if record.rec_type == "response":
        if record.http_headers is None:
            return None
        status = record.http_headers.get_statuscode() or ""
        if not status.startswith("2"):
            return None
        declared = record.http_headers.get_header("Content-Type") or ""
    else:
        declared = record.rec_headers.get_header("Content-Type") or ""
    declared = declared.split(";", 1)[0].strip().lower()
    if declared and not (declared in HTML_TYPES or declared.startswith("image/")):
        return None  # scripts, styles, JSON: skip without reading the payload
    body = record.content_stream().read(limits.max_bytes + 1)
    if len(body) > limits.max_bytes:
        counts.error("too_large")
        return None
    sniffed = sniff_type(body, declared)
    kind = "page" if sniffed in HTML_TYPES else "image" if sniffed.startswith("image/") else ""
    if not kind:
        return None
    captured = _captured(record.rec_headers.get_header("WARC-Date"))
    return WarcPayload(kind=kind, url=url, captured=captured, content_type=declared, body=body)


class _Joiner:
    """Joins image records to the page sightings that show them, within bounded memory."""

    def __init__(self, window: int = JOIN_WINDOW, cache: int = IMAGE_CACHE) -> None:
        self.window = window
        self.cache = cache
        self.facts: OrderedDict[str, ImageFetch] = OrderedDict()
        self.pending: OrderedDict[str, list[tuple[PageContext, ImageOnPage, str]]] = OrderedDict()
        self.pending_count = 0

    def page(self, page: PageContext, seen: str) -> Iterator[SightingRecord]:
        if page.links:
            page = replace(page, links=())  # links are not needed to build sightings
        for image in page.images:
            known = self.facts.get(image.url)
            if known is not None:
                yield sighting_for_image(page, image, first_seen=seen, source="warc", fetched=known)
                continue
            self.pending.setdefault(image.url, []).append((page, image, seen))
            self.pending_count += 1
        while self.pending_count > self.window:
            _url, waiting = self.pending.popitem(last=False)
            self.pending_count -= len(waiting)
            yield from self._emit(waiting, None)

    def image(self, url: str, fetched: ImageFetch) -> Iterator[SightingRecord]:
        self.facts[url] = fetched
        self.facts.move_to_end(url)
        while len(self.facts) > self.cache:
            self.facts.popitem(last=False)
        waiting = self.pending.pop(url, [])
        self.pending_count -= len(waiting)
        yield from self._emit(waiting, fetched)

    def flush(self) -> Iterator[SightingRecord]:
        while self.pending:
            _url, waiting = self.pending.popitem(last=False)
            yield from self._emit(waiting, None)
        self.pending_count = 0

    @staticmethod
    def _emit(waiting, fetched: ImageFetch | None) -> Iterator[SightingRecord]:
        for page, image, seen in waiting:
            yield sighting_for_image(page, image, first_seen=seen, source="warc", fetched=fetched)


def read_warc(
    path: str | Path,
    *,
    counts: ScanCounts | None = None,
    limits: FetchLimits = DEFAULT_LIMITS,
    window: int = JOIN_WINDOW,
    start: int = 0,
    end: int | None = None,
) -> Iterator[SightingRecord]:
    """Sightings from one WARC file (or the byte range [start, end) of it: see iter_warc),
    streamed. Updates `counts` (pages, sightings, errors)."""
    counts = counts if counts is not None else ScanCounts()
    joiner = _Joiner(window=window)

    def counted(records: Iterator[SightingRecord]) -> Iterator[SightingRecord]:
        for record in records:
            counts.sightings += 1
            yield record

    for payload in iter_warc(path, counts=counts, limits=limits, start=start, end=end):
        if payload.kind == "page":
            counts.pages += 1
            text = decode_html(payload.body, payload.content_type)
            if not may_show_images(text):
                continue  # cheap test on the text: most of a page's cost is parsing it
            page = extract_page(text, payload.url, links=False)
            yield from counted(joiner.page(page, payload.captured))
        else:
            try:
                facts = read_image_facts(payload.body, max_pixels=limits.max_pixels)
            except DiscoveryError as exc:
                counts.error(exc.kind)
                fetched = ImageFetch(
                    sha256=hashlib.sha256(payload.body).hexdigest(), error=exc.kind
                )
            else:
                counts.images_fetched += 1
                fetched = ImageFetch(sha256=hashlib.sha256(payload.body).hexdigest(), facts=facts)
            yield from counted(joiner.image(payload.url, fetched))
    yield from counted(joiner.flush())
