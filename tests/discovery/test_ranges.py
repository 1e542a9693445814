"""Splitting one WARC.gz into byte ranges: every record is read once, whatever the damage near a
boundary, and a scan over ranges (also on a Dask LocalCluster) gives the same sightings."""

from __future__ import annotations

import gzip
import io
import json
import random
from itertools import pairwise

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from fairclaim.discovery.batch import plan_scan, run_scan, run_scan_in_process
from fairclaim.discovery.crawl import CrawlOptions
from fairclaim.discovery.ranges import GZIP_MAGIC, split_ranges
from fairclaim.discovery.records import ScanCounts
from fairclaim.discovery.warc import read_warc

from .site_server import jpeg

PAGES = 120
RANGE = 24_000  # bytes: splits the ~230 KB test file into ~10 ranges


def page_html(i: int) -> bytes:
    rng = random.Random(i)  # incompressible-ish filler so records have some size
    filler = " ".join(f"{rng.getrandbits(40):x}" for _ in range(150))
    return (
        f'<html lang="de"><body><figure><img src="/img/{i}.jpg" alt="Bild {i}">'
        f"<figcaption>Foto: Studio {i}</figcaption></figure><p>{filler}</p>"
        f'<img src="https://cdn.elsewhere.example/{i}.jpg"></body></html>'
    ).encode()


def write_warc(path, *, pages: int = PAGES, gzip: bool = True, images: bool = False) -> None:
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gzip)

        def record(url: str, body: bytes, ctype: str) -> None:
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
            record(f"http://site.example/p/{i}", page_html(i), "text/html")
            if images:
                record(f"http://site.example/img/{i}.jpg", jpeg(i, "Studio"), "image/jpeg")


def read_ranges(path, ranges) -> tuple[list[str], ScanCounts]:
    total = ScanCounts()
    lines: list[str] = []
    for start, end in ranges:
        counts = ScanCounts()
        lines += [r.to_json() for r in read_warc(path, counts=counts, start=start, end=end)]
        total.merge(counts)
    return lines, total


def read_whole(path) -> tuple[list[str], ScanCounts]:
    counts = ScanCounts()
    return [r.to_json() for r in read_warc(path, counts=counts)], counts


def test_ranges_cover_the_file_and_start_at_records(tmp_path):
    path = tmp_path / "a.warc.gz"
    write_warc(path)
    ranges = split_ranges(path, RANGE)
    assert len(ranges) >= 5
    assert ranges[0][0] == 0
    assert ranges[-1][1] == path.stat().st_size
    assert all(end == start for (_s, end), (start, _e) in pairwise(ranges))
    data = path.read_bytes()
    assert all(data[start : start + 3] == GZIP_MAGIC for start, _end in ranges)


def test_every_record_is_read_once_across_ranges(tmp_path):
    path = tmp_path / "a.warc.gz"
    write_warc(path, images=True)
    whole, whole_counts = read_whole(path)
    split, split_counts = read_ranges(path, split_ranges(path, RANGE))
    assert split_counts.pages == whole_counts.pages == PAGES
    assert sorted(split) == sorted(whole)  # a page and its images stay in one range
    assert len({json.loads(line)["image_url"] for line in split}) == len(split)


def test_damage_near_a_boundary_loses_only_the_damaged_records(tmp_path):
    path = tmp_path / "a.warc.gz"
    write_warc(path)
    boundaries = [start for start, _end in split_ranges(path, RANGE)][1:4]
    data = bytearray(path.read_bytes())
    # the record before the first boundary loses its last bytes; the member at the second keeps
    # its gzip header but its data is garbage, so it no longer starts a record; the record at the
    # third has garbage further in
    data[boundaries[0] - 6 : boundaries[0] - 1] = b"\x00JUNK"
    data[boundaries[1] + 10 : boundaries[1] + 16] = b"\x00\xffJUNK"
    data[boundaries[2] + 40 : boundaries[2] + 46] = b"\x00\xffJUNK"
    path.write_bytes(bytes(data))
    whole, whole_counts = read_whole(path)
    ranges = split_ranges(path, RANGE)
    assert boundaries[1] not in {start for start, _end in ranges}  # the check refused it
    split, split_counts = read_ranges(path, ranges)
    assert sorted(split) == sorted(whole)
    assert split_counts.to_dict() == whole_counts.to_dict()
    assert 1 <= whole_counts.errors["warc_record"] <= 3
    assert PAGES - 4 <= whole_counts.pages < PAGES


def test_a_gzip_member_that_is_not_a_record_is_not_a_split_point(tmp_path):
    path = tmp_path / "a.warc.gz"
    write_warc(path)
    data = path.read_bytes()
    at = split_ranges(path, RANGE)[2][0]
    stray = gzip.compress(b"not a WARC record\r\n" * 2000)  # ~40 KB inflated: spans a range
    path.write_bytes(data[:at] + stray + data[at:])
    ranges = split_ranges(path, RANGE)
    assert at not in {start for start, _end in ranges}
    whole, whole_counts = read_whole(path)
    split, split_counts = read_ranges(path, ranges)
    assert whole_counts.pages == PAGES
    assert whole_counts.errors["warc_record"] == 1
    assert sorted(split) == sorted(whole)
    assert split_counts.to_dict() == whole_counts.to_dict()


def test_small_and_uncompressed_files_stay_whole(tmp_path):
    small = tmp_path / "small.warc.gz"
    write_warc(small, pages=3)
    plain = tmp_path / "plain.warc"
    write_warc(plain, gzip=False)
    assert split_ranges(small, RANGE) == [(0, small.stat().st_size)]
    assert split_ranges(plain, 1000) == [(0, plain.stat().st_size)]


def test_local_cluster_scan_over_ranges_matches_one_process(tmp_path):
    path = tmp_path / "a.warc.gz"
    write_warc(path, images=True)
    plan = plan_scan([], [str(path)], range_bytes=RANGE)
    assert len(plan.warc_ranges) >= 5
    options = CrawlOptions()
    dask_counts = run_scan(plan, options, str(tmp_path / "dask.jsonl"))
    one_counts = run_scan_in_process(plan, options, str(tmp_path / "one.jsonl"))
    assert dask_counts.to_dict() == one_counts.to_dict()
    dask_lines = (tmp_path / "dask.jsonl").read_text().splitlines()
    one_lines = (tmp_path / "one.jsonl").read_text().splitlines()
    assert sorted(dask_lines) == sorted(one_lines)
    assert len(one_lines) == 2 * PAGES
