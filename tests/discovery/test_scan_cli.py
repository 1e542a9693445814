"""`fairclaim scan` end to end: a real Scrapy crawl (in a child process, through the real CLI)
against the local test site with its hostile endpoints, WARC input, and the Dask LocalCluster."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fairclaim.discovery.crawl import CrawlOptions, scan_pages
from fairclaim.discovery.fetch import DEFAULT_LIMITS
from fairclaim.discovery.records import ScanCounts

from .test_warc import write_warc

FAIRCLAIM = str(Path(sys.executable).with_name("fairclaim"))
CONTRACT_KEYS = {"image_url", "page_url", "alt", "credit", "licence_url", "hotlinked", "first_seen"}
HOSTILE = ["--timeout", "2", "--max-bytes", "2000000", "--retries", "1", "--impolite"]


def scan(*args: str, loopback: bool = True, timeout: float = 90) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "FAIRCLAIM_ALLOW_LOOPBACK"}
    if loopback:
        env["FAIRCLAIM_ALLOW_LOOPBACK"] = "1"
    return subprocess.run(
        [FAIRCLAIM, "scan", *args, "--no-progress"],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def crawl(site, tmp_path_factory):
    """One crawl of the whole test site, shared by the assertions below (crawls cost seconds)."""
    out = tmp_path_factory.mktemp("crawl") / "out.jsonl"
    counts_file = out.with_suffix(".counts.json")
    hits_before = len(site.hits)
    done = scan(
        f"{site.base}/",
        "--max-pages",
        "60",
        "--max-depth",
        "6",
        "--sitemaps",
        "--fetch-images",
        "--resolve",
        "internal.test:10.1.2.3",
        "--in-process",
        *HOSTILE,
        "--out",
        str(out),
        "--counts",
        str(counts_file),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return {
        "records": read_jsonl(out),
        "counts": json.loads(counts_file.read_text()),
        "hits": list(site.hits[hits_before:]),
        "stderr": done.stderr,
        "base": site.base,
    }


def test_writes_one_json_object_per_sighting_with_the_contract_keys(crawl):
    assert crawl["records"]
    for record in crawl["records"]:
        assert set(record) >= CONTRACT_KEYS
        assert isinstance(record["hotlinked"], bool)
        assert record["first_seen"].endswith("Z")


def test_finds_images_with_credit_and_fetched_facts(crawl):
    base = crawl["base"]
    found = {(r["page_url"], r["image_url"]): r for r in crawl["records"]}
    record = found[(f"{base}/p/3", f"{base}/img/3.jpg")]
    assert record["credit"] == "Foto: Erika Muster"
    assert record["alt"] == "Motiv 3"
    assert record["hotlinked"] is False
    assert len(record["sha256"]) == 64
    assert record["embedded_creator"] == "Erika Muster"
    assert record["imprint_url"] == f"{base}/impressum"
    assert record["company"] == "Beispiel Verlag GmbH"
    hotlinked = found[(f"{base}/p/3", "http://127.0.0.2:1/hotlinked-3.jpg")]
    assert hotlinked["hotlinked"] is True
    assert hotlinked["image_error"] == "connect"


def test_counts_end_the_output_with_pages_images_and_errors_by_kind(crawl):
    counts = crawl["counts"]
    assert counts["pages"] >= 15
    assert counts["sightings"] == len(crawl["records"])
    assert counts["images_fetched"] >= 5
    assert "fairclaim scan: {" in crawl["stderr"]


def test_hostile_endpoints_end_as_counted_errors(crawl):
    errors = crawl["counts"]["errors"]
    assert errors["redirects"] >= 1  # /loop/a <-> /loop/b
    assert errors["too_large"] >= 1  # gzip bomb
    assert errors["timeout"] >= 1  # slow drip
    assert errors["too_many_pixels"] == 1  # 40000x40000 PNG
    assert errors["http_status"] >= 1  # /status/500
    assert errors["content_type"] >= 1  # a PDF where a page was linked
    malformed = [r for r in crawl["records"] if r["page_url"].endswith("/malformed")]
    assert {r["alt"] for r in malformed} >= {"zwei"}


def test_private_addresses_are_refused_in_the_crawl(crawl):
    errors = crawl["counts"]["errors"]
    # 10.0.0.7 and 169.254.169.254 literals, and internal.test mapped to 10.1.2.3
    assert errors["address_refused"] >= 3
    ssrf = {r["image_url"]: r for r in crawl["records"] if r["page_url"].endswith("/ssrf")}
    assert ssrf["http://10.0.0.7/inside.jpg"]["image_error"] == "address_refused"
    mapped = next(url for url in ssrf if url.startswith("http://internal.test"))
    assert ssrf[mapped]["image_error"] == "address_refused"
    assert ssrf[mapped]["sha256"] == ""


def test_robots_txt_is_obeyed_and_sitemaps_are_read(crawl):
    assert "/private/secret" not in crawl["hits"]
    assert crawl["counts"]["errors"]["robots_forbidden"] == 1
    assert "/from-sitemap" in crawl["hits"]


def test_a_failing_page_is_retried_after_a_backoff(crawl):
    assert crawl["hits"].count("/flaky") == 2
    assert any(r["alt"] == "second try" for r in crawl["records"])


def test_infinite_calendar_stops_at_the_depth_limit(crawl):
    calendar = [h for h in crawl["hits"] if h.startswith("/calendar/")]
    assert 1 <= len(calendar) <= 6


def test_without_the_loopback_flag_nothing_on_127_0_0_1_is_fetched(site, tmp_path):
    out = tmp_path / "refused.jsonl"
    hits_before = len(site.hits)
    done = scan(
        f"{site.base}/",
        f"http://localhost:{site.port}/p/0",
        "not-a-url",
        "--in-process",
        *HOSTILE,
        "--out",
        str(out),
        loopback=False,
    )
    assert done.returncode == 1, done.stderr[-2000:]  # nothing could be read: not a clean scan
    assert "nothing could be read" in done.stderr
    assert read_jsonl(out) == []
    assert site.hits[hits_before:] == []
    summary = json.loads(done.stderr.split("fairclaim scan: ", 1)[1].splitlines()[0])
    assert summary["pages"] == 0
    # the 127.0.0.1 literal (middleware) and localhost (refused by the resolver after DNS)
    assert summary["errors"]["address_refused"] >= 2
    assert summary["errors"]["bad_url"] == 1


def test_max_pages_bounds_the_crawl(site, tmp_path):
    out = tmp_path / "three.jsonl"
    done = scan(f"{site.base}/p/0", "--max-pages", "3", "--in-process", *HOSTILE, "--out", str(out))
    assert done.returncode == 0, done.stderr[-2000:]
    pages = {r["page_url"] for r in read_jsonl(out)}
    assert len(pages) <= 3
    assert f"{site.base}/p/0" in pages


def test_missing_warc_is_a_usage_error(tmp_path):
    done = scan("--warc", str(tmp_path / "nope-*.warc.gz"), "--out", str(tmp_path / "x.jsonl"))
    assert done.returncode == 2
    assert "no WARC file matches" in done.stderr


def test_local_cluster_scan_of_warc_files_and_a_site(site, tmp_path):
    for i in range(2):
        write_warc(tmp_path / f"part-{i}.warc.gz", gzip=True, pages=10)
    out = tmp_path / "dask.jsonl"
    done = scan(
        f"{site.base}/p/0",
        "--max-pages",
        "4",
        "--warc",
        str(tmp_path / "*.warc.gz"),
        *HOSTILE,
        "--out",
        str(out),
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    records = read_jsonl(out)
    warc_records = [r for r in records if r["source"] == "warc"]
    crawl_records = [r for r in records if r["source"] == "crawl"]
    assert len(warc_records) == 2 * 2 * 10
    assert crawl_records
    summary = json.loads(done.stderr.split("fairclaim scan: ", 1)[1])
    assert summary["sightings"] == len(records)
    assert not list(tmp_path.glob(".fairclaim-parts-*"))  # part files cleaned up


def test_scan_pages_streams_sightings_from_a_child_crawl(site):
    options = CrawlOptions(
        max_pages=2, polite=False, allow_loopback=True, retries=0, limits=DEFAULT_LIMITS
    )
    counts = ScanCounts()
    records = list(scan_pages([f"{site.base}/p/5"], options, counts=counts))
    assert {r.page_url for r in records} <= {
        f"{site.base}/p/5",
        f"{site.base}/p/4",
        f"{site.base}/p/6",
        f"{site.base}/impressum",
    }
    assert counts.pages == 2
    assert counts.sightings == len(records)


def test_local_cluster_scan_to_standard_output_gives_the_file_scan_lines(tmp_path):
    write_warc(tmp_path / "a.warc.gz", gzip=True, pages=5)
    to_file = tmp_path / "out.jsonl"
    assert (
        scan("--warc", str(tmp_path / "a.warc.gz"), "--out", str(to_file), timeout=120).returncode
        == 0
    )
    done = scan("--warc", str(tmp_path / "a.warc.gz"), "--out", "-", timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines() == to_file.read_text(encoding="utf-8").splitlines()
    assert len(done.stdout.splitlines()) == 2 * 5
