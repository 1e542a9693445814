"""Pure WACZ pieces: CDXJ keys as pywb and cdxj-indexer write them, pages and datapackage."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from fairclaim.evidence import wacz


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("http://www.Example.com:80/A/b.jpg?z=1&a=2", "com,example)/a/b.jpg?a=2&z=1"),
        ("https://cdn.example.org:8443/", "org,example,cdn:8443)/"),
        ("http://127.0.0.1:41625/lazy.html", "1,0,0,127:41625)/lazy.html"),  # as cdxj-indexer
        ("https://example.org", "org,example)/"),
        ("urn:view:http://example.org/", "urn:view:http://example.org/"),
    ],
)
def test_surt_keys_match_the_reference_indexer(url, key):
    assert wacz.surt_key(url) == key


def test_pages_file_starts_with_the_format_header_and_lists_the_page():
    moment = datetime(2026, 11, 28, 12, 0, 5, 123456, tzinfo=UTC)
    lines = wacz.pages_jsonl("https://example.org/", "Ex", moment, "abc").decode().splitlines()
    assert json.loads(lines[0]) == {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
    assert json.loads(lines[1]) == {
        "id": "abc", "url": "https://example.org/", "ts": "2026-11-28T12:00:05Z", "title": "Ex",
    }  # fmt: skip


def test_datapackage_lists_each_file_with_hash_and_size_and_digest_covers_it():
    files = {"archive/data.warc.gz": b"warc", "pages/pages.jsonl": b"{}\n"}
    moment = datetime(2026, 11, 28, tzinfo=UTC)
    package = wacz.datapackage(
        files, title="t", created=moment, software="fairclaim 0.1.0", page_url="https://e.org/"
    )
    document = json.loads(package)
    assert document["wacz_version"] == "1.1.1"
    assert document["resources"][0] == {
        "name": "data.warc.gz",
        "path": "archive/data.warc.gz",
        "hash": "sha256:" + wacz.sha256_hex(b"warc"),
        "bytes": 4,
    }
    digest = json.loads(wacz.datapackage_digest(package))
    assert digest == {"path": "datapackage.json", "hash": "sha256:" + wacz.sha256_hex(package)}
