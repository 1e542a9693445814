"""WARC round trips: pages and image records written with warcio, read back as sightings,
including damaged files (corrupted bytes, truncation, digest mismatch)."""

from __future__ import annotations

import base64
import io

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from fairclaim.discovery.records import ScanCounts
from fairclaim.discovery.warc import iter_warc, read_warc

from .site_server import jpeg
from .test_context import TRICKY_IMAGE_PAGES

PAGES = 30


def page_html(i: int) -> bytes:
    return (
        f'<html lang="fr"><body><figure><img src="/img/{i}.jpg" alt="photo {i}">'
        f"<figcaption>Crédit : Studio {i}</figcaption></figure>"
        f'<img src="https://cdn.elsewhere.example/{i}.jpg"></body></html>'
    ).encode()


def write_warc(path, *, gzip: bool, images_first: bool = False, pages: int = PAGES) -> None:
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gzip)

        def record(url, body, ctype):
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    url,
                    "response",
                    payload=io.BytesIO(body),
                    length=len(body),
                    http_headers=headers,
                )
            )

        for i in range(pages):
            items = [
                (f"http://site.example/p/{i}", page_html(i), "text/html; charset=utf-8"),
                (f"http://site.example/img/{i}.jpg", jpeg(i, "Studio"), "image/jpeg"),
            ]
            for url, body, ctype in reversed(items) if images_first else items:
                record(url, body, ctype)
        record("http://site.example/app.js", b"console.log(1)", "application/javascript")


@pytest.mark.parametrize("gzip", [True, False], ids=["warc.gz", "warc"])
@pytest.mark.parametrize("images_first", [False, True], ids=["pages-first", "images-first"])
def test_round_trip_gives_one_sighting_per_image_with_hashes(tmp_path, gzip, images_first):
    path = tmp_path / ("a.warc.gz" if gzip else "a.warc")
    write_warc(path, gzip=gzip, images_first=images_first)
    counts = ScanCounts()
    records = list(read_warc(path, counts=counts))
    assert counts.pages == PAGES
    assert counts.images_fetched == PAGES
    assert counts.errors == {}
    assert len(records) == 2 * PAGES
    own = {r.image_url: r for r in records if not r.hotlinked}
    first = own["http://site.example/img/0.jpg"]
    assert first.page_url == "http://site.example/p/0"
    assert first.credit == "Crédit : Studio 0"
    assert first.language == "fr"
    assert first.sha256
    assert first.embedded_creator == "Studio"
    assert first.first_seen.endswith("Z")
    assert first.source == "warc"
    hotlinked = [r for r in records if r.hotlinked]
    assert len(hotlinked) == PAGES
    assert all(not r.sha256 for r in hotlinked)


@pytest.mark.parametrize("gzip", [True, False], ids=["warc.gz", "warc"])
def test_corrupted_records_are_skipped_and_counted(tmp_path, gzip):
    path = tmp_path / ("bad.warc.gz" if gzip else "bad.warc")
    write_warc(path, gzip=gzip)
    data = bytearray(path.read_bytes())
    for fraction in (0.25, 0.5, 0.75):  # three separate damaged places
        at = int(len(data) * fraction)
        data[at : at + 6] = b"\x00\xffJUNK"
    path.write_bytes(bytes(data))
    counts = ScanCounts()
    records = list(read_warc(path, counts=counts))
    assert 1 <= counts.errors["warc_record"] <= 3
    assert counts.pages >= PAGES - 3  # everything around the damage is still read
    assert len(records) >= 2 * (PAGES - 3)
    assert all(r.page_url.startswith("http://site.example/p/") for r in records)


def test_truncated_file_ends_with_a_counted_error(tmp_path):
    path = tmp_path / "cut.warc.gz"
    write_warc(path, gzip=True)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * 0.6)])
    counts = ScanCounts()
    records = list(read_warc(path, counts=counts))
    assert counts.errors["warc_record"] == 1
    assert 0 < counts.pages < PAGES
    assert records


def test_payload_digest_mismatch_is_a_broken_record(tmp_path):
    path = tmp_path / "digest.warc"
    write_warc(path, gzip=False, pages=3)
    data = path.read_bytes()
    tampered = data.replace(b"Cr\xc3\xa9dit : Studio 1", b"Cr\xc3\xa9dit : Faker 1", 1)
    assert tampered != data
    path.write_bytes(tampered)
    counts = ScanCounts()
    records = list(read_warc(path, counts=counts))
    assert counts.errors["warc_record"] == 1
    assert "http://site.example/p/1" not in {r.page_url for r in records}
    assert counts.pages == 2


def _digest_header(data: bytes, name: bytes, url: bytes) -> bytes:
    """The `name` digest header line of the record for `url` in an uncompressed WARC."""
    record = data.index(b"WARC-Target-URI: " + url + b"\r\n")
    start = data.index(name + b": ", record)
    return data[start : data.index(b"\r\n", start)]


def test_block_digest_mismatch_with_intact_payload_is_a_broken_record(tmp_path):
    path = tmp_path / "block.warc"
    write_warc(path, gzip=False, pages=3)
    data = path.read_bytes()
    record = data.index(b"WARC-Target-URI: http://site.example/p/1\r\n")
    at = data.index(b"HTTP/1.1 200 OK", record)  # the HTTP headers: in the block, not the payload
    path.write_bytes(data[:at] + b"HTTP/1.1 200 Ok" + data[at + 15 :])
    counts = ScanCounts()
    records = list(read_warc(path, counts=counts))
    assert counts.errors["warc_record"] == 1
    assert "http://site.example/p/1" not in {r.page_url for r in records}
    assert counts.pages == 2


@pytest.mark.parametrize("encoding", ["base16", "base64", "base64url"])
def test_digests_written_in_base16_or_base64_are_accepted(tmp_path, encoding):
    path = tmp_path / "encoded.warc"
    write_warc(path, gzip=False, pages=3)
    data = path.read_bytes()
    for name in (b"WARC-Block-Digest", b"WARC-Payload-Digest"):
        line = _digest_header(data, name, b"http://site.example/p/1")
        binary = base64.b32decode(line.split(b"sha1:")[1])
        value = {
            "base16": base64.b16encode(binary).lower(),
            "base64": base64.b64encode(binary),
            "base64url": base64.urlsafe_b64encode(binary),
        }[encoding]
        data = data.replace(line, name + b": sha1:" + value)
    path.write_bytes(data)
    counts = ScanCounts()
    list(read_warc(path, counts=counts))
    assert counts.errors == {}
    assert counts.pages == 3


@pytest.mark.parametrize("value", [b"md99:AAAA", b"no-algorithm", b"sha1:" + b"A" * 32])
def test_unknown_or_wrong_digest_is_a_broken_record(tmp_path, value):
    path = tmp_path / "algo.warc"
    write_warc(path, gzip=False, pages=3)
    data = path.read_bytes()
    line = _digest_header(data, b"WARC-Block-Digest", b"http://site.example/p/1")
    path.write_bytes(data.replace(line, b"WARC-Block-Digest: " + value))
    counts = ScanCounts()
    list(read_warc(path, counts=counts))
    assert counts.errors["warc_record"] == 1
    assert counts.pages == 2


@pytest.mark.parametrize("tampered", [False, True])
def test_digests_of_a_record_read_in_many_pieces_are_checked(tmp_path, tampered):
    path = tmp_path / "large.warc"
    body = jpeg(1) + bytes(range(256)) * 12_000  # 3 MB: trailing bytes after the JPEG
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=False)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "image/jpeg")], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                "http://site.example/big.jpg",
                "response",
                payload=io.BytesIO(body),
                length=len(body),
                http_headers=headers,
            )
        )
    if tampered:
        data = bytearray(path.read_bytes())
        data[-10] ^= 1  # in the last piece read
        path.write_bytes(bytes(data))
    counts = ScanCounts()
    list(read_warc(path, counts=counts))
    assert counts.errors == ({"warc_record": 1} if tampered else {})
    assert counts.images_fetched == (0 if tampered else 1)


def test_iterating_is_lazy(tmp_path):
    path = tmp_path / "lazy.warc.gz"
    write_warc(path, gzip=True)
    first = next(iter_warc(path))
    assert (first.kind, first.url) == ("page", "http://site.example/p/0")


def test_not_a_warc_is_one_counted_error(tmp_path):
    path = tmp_path / "junk.warc.gz"
    path.write_bytes(bytes(range(7, 256)) * 100)
    counts = ScanCounts()
    assert list(read_warc(path, counts=counts)) == []
    assert counts.errors["warc_record"] == 1


def test_pages_whose_images_are_written_unusually_still_give_sightings(tmp_path):
    path = tmp_path / "tricky.warc.gz"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for i, body in enumerate([*TRICKY_IMAGE_PAGES.values(), b"<p>no image here</p>"]):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], "HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    f"http://site.example/{i}",
                    "response",
                    payload=io.BytesIO(body),
                    length=len(body),
                    http_headers=headers,
                )
            )
    counts = ScanCounts()
    pages_with_sightings = {r.page_url for r in read_warc(path, counts=counts)}
    assert counts.pages == len(TRICKY_IMAGE_PAGES) + 1
    expected = {f"http://site.example/{i}" for i in range(len(TRICKY_IMAGE_PAGES))}
    assert pages_with_sightings == expected


def write_crawl_warc(path, *, gzip: bool, pages: int = 6, big_image: bytes = b"") -> None:
    """Common Crawl's layout: warcinfo, then request, response and metadata records per capture
    (one gzip member each), with a redirect and a script among the responses."""
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gzip)
        writer.write_record(writer.create_warcinfo_record("t.warc", {"software": "test"}))

        def capture(url, status, ctype, body):
            request = f"GET {url} HTTP/1.1\r\nHost: site.example\r\n\r\n".encode()
            writer.write_record(writer.create_warc_record(
                url, "request", payload=io.BytesIO(request), length=len(request)
            ))  # fmt: skip
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), length=len(body), http_headers=headers
            ))  # fmt: skip
            meta = b"fetchTimeMs: 120\r\n"
            writer.write_record(writer.create_warc_record(
                url, "metadata", payload=io.BytesIO(meta), length=len(meta),
                warc_content_type="application/warc-fields",
            ))  # fmt: skip

        for i in range(pages):
            capture(f"http://site.example/p/{i}", "200 OK", "text/html", page_html(i))
            capture(f"http://site.example/img/{i}.jpg", "200 OK", "image/jpeg", jpeg(i, "Studio"))
            if i == 2:
                capture("http://site.example/old", "301 Moved Permanently", "text/html", b"")
                capture("http://site.example/app.js", "200 OK", "text/javascript", b"var a;")
                if big_image:
                    capture("http://site.example/img/big.jpg", "200 OK", "image/jpeg", big_image)


def _scan(path, **kwargs) -> tuple[list[str], ScanCounts]:
    counts = ScanCounts()
    return [r.to_json() for r in read_warc(path, counts=counts, **kwargs)], counts


def test_crawl_archive_gives_the_same_sightings_gzipped_as_plain(tmp_path):
    plain, gzipped = tmp_path / "a.warc", tmp_path / "a.warc.gz"
    write_crawl_warc(plain, gzip=False)
    write_crawl_warc(gzipped, gzip=True)
    from_plain, plain_counts = _scan(plain)
    from_gzip, gzip_counts = _scan(gzipped)
    assert from_gzip == from_plain
    assert gzip_counts.to_dict() == plain_counts.to_dict()
    assert (gzip_counts.pages, gzip_counts.images_fetched, gzip_counts.errors) == (6, 6, {})


@pytest.mark.parametrize(
    ("record_type", "block_text", "changed"),
    [(b"request", b"Host: site.example", b"Host: site.exampl3"),
     (b"metadata", b"fetchTimeMs: 120", b"fetchTimeMs: 121")],
)  # fmt: skip
def test_a_damaged_record_a_scan_skips_is_still_counted(tmp_path, record_type, block_text, changed):
    """Request and metadata records are skipped without warcio; a block that no longer matches
    its digest is still a counted broken record, and the pages around it are read."""
    plain = tmp_path / "a.warc"
    write_crawl_warc(plain, gzip=False)
    records = [b"WARC/1." + r for r in plain.read_bytes().split(b"WARC/1.")[1:]]
    target = next(
        i for i, r in enumerate(records)
        if b"WARC-Type: " + record_type + b"\r\n" in r and b"/p/3\r\n" in r
    )  # fmt: skip
    assert block_text in records[target]
    records[target] = records[target].replace(block_text, changed)
    gzipped = tmp_path / "a.warc.gz"
    gzipped.write_bytes(b"".join(zlib_member(r) for r in records))
    _lines, counts = _scan(gzipped)
    assert counts.errors == {"warc_record": 1}
    assert counts.pages == 6  # the page itself is intact


def zlib_member(data: bytes) -> bytes:
    import gzip as gz

    return gz.compress(data, 6)


def test_a_member_too_large_to_hold_is_streamed_and_counted(tmp_path):
    """A record larger than max_bytes plus the header room is not held in memory: warcio
    streams it, it counts as too large, and the records after it are read."""
    from fairclaim.discovery.fetch import FetchLimits

    path = tmp_path / "big.warc.gz"
    big = jpeg(3) + bytes(range(256)) * 6000  # ~1.5 MB
    write_crawl_warc(path, gzip=True, big_image=big)
    _lines, counts = _scan(path, limits=FetchLimits(max_bytes=200_000))
    assert counts.errors == {"too_large": 1}
    assert (counts.pages, counts.images_fetched) == (6, 6)


def test_one_gzip_member_holding_many_records_is_read_whole(tmp_path):
    plain = tmp_path / "a.warc"
    write_crawl_warc(plain, gzip=False)
    single = tmp_path / "single.warc.gz"
    single.write_bytes(zlib_member(plain.read_bytes()))
    assert _scan(single)[0] == _scan(plain)[0]
    assert _scan(single)[1].errors == {}
