"""WARC.gz members read one by one, and the records a scan skips told apart (members.py)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import zlib

import pytest

from fairclaim.discovery.members import MemberReader, NotAMember, digest_matches, skippable


def record(kind: str, block: bytes, digest: str | None = "sha1") -> bytes:
    head = f"WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Target-URI: http://a.example/\r\n"
    if digest:
        value = base64.b32encode(hashlib.new(digest, block).digest()).decode()
        head += f"WARC-Block-Digest: {digest}:{value}\r\n"
    head += f"Content-Length: {len(block)}\r\n\r\n"
    return head.encode() + block + b"\r\n\r\n"


def test_members_are_read_in_order_with_their_offsets():
    parts = [gzip.compress(record("request", b"GET / HTTP/1.1\r\n\r\n" * n)) for n in (1, 50, 3)]
    reader = MemberReader(io.BytesIO(b"".join(parts)), 0)
    offsets = []
    while not reader.at_end():
        offsets.append(reader.offset)
        assert reader.next(cap=1 << 20).startswith(b"WARC/1.1")
    assert offsets == [0, len(parts[0]), len(parts[0]) + len(parts[1])]


def test_reading_starts_at_any_member_and_passes_buffer_boundaries(monkeypatch):
    import fairclaim.discovery.members as members

    monkeypatch.setattr(members, "READ_BYTES", 64)  # every member spans several reads
    monkeypatch.setattr(members, "FEED_BYTES", 16)
    parts = [gzip.compress(record("metadata", bytes(range(256)) * (n + 1))) for n in range(5)]
    reader = MemberReader(io.BytesIO(b"".join(parts)), len(parts[0]))
    read = []
    while not reader.at_end():
        read.append(reader.next(cap=1 << 20))
    assert read == [gzip.decompress(p) for p in parts[1:]]


def test_an_oversized_member_gives_none_and_the_next_one_is_read():
    big, small = gzip.compress(b"x" * 3_000_000), gzip.compress(b"WARC/1.1 small")
    reader = MemberReader(io.BytesIO(big + small), 0)
    assert reader.next(cap=1_000_000) is None
    assert reader.offset == len(big)
    assert reader.next(cap=1_000_000) == b"WARC/1.1 small"


def test_damage_is_reported_not_swallowed():
    good = gzip.compress(record("request", b"GET /"))
    with pytest.raises(NotAMember):
        MemberReader(io.BytesIO(b"junk" + good), 0).next(cap=1 << 20)
    with pytest.raises(EOFError):
        MemberReader(io.BytesIO(good[:-12]), 0).next(cap=1 << 20)
    corrupt = bytearray(good)
    corrupt[-6] ^= 0xFF  # the CRC-32 / length trailer
    with pytest.raises(zlib.error):
        MemberReader(io.BytesIO(bytes(corrupt)), 0).next(cap=1 << 20)


def test_request_metadata_and_warcinfo_records_are_skippable():
    for kind in ("request", "metadata", "warcinfo", "revisit"):
        assert skippable(record(kind, b"some block"))
    assert skippable(record("request", b"GET /", digest=None))
    assert skippable(record("request", b"GET /", digest="sha256"))


def test_records_a_scan_reads_or_cannot_trust_are_not_skippable():
    assert not skippable(record("response", b"HTTP/1.1 200 OK\r\n\r\n"))
    assert not skippable(record("resource", b"<html>"))
    tampered = record("request", b"GET /").replace(b"GET /", b"GET /x", 1)
    assert not skippable(tampered)  # Content-Length and digest disagree with the block
    wrong = record("request", b"GET /a").replace(b"GET /a", b"GET /b", 1)
    assert not skippable(wrong)  # digest mismatch
    assert not skippable(record("request", b"GET /")[:-8])  # cut short
    assert not skippable(record("request", b"a") + record("response", b"b"))  # two records
    assert not skippable(b"HTTP/1.1 200 OK\r\n\r\n")
    no_length = record("metadata", b"x").replace(b"Content-Length: 1\r\n", b"")
    assert not skippable(no_length)


@pytest.mark.parametrize("encode", [
    lambda d: b"sha1:" + base64.b32encode(d),
    lambda d: b"SHA1:" + base64.b16encode(d).lower(),
    lambda d: b"sha1:" + base64.b64encode(d),
    lambda d: b"sha1:" + base64.urlsafe_b64encode(d),
])  # fmt: skip
def test_digests_are_read_in_every_encoding_warcio_accepts(encode):
    data = b"\xfb\xff" * 100  # a digest with characters that differ between base64 alphabets
    assert digest_matches(encode(hashlib.sha1(data, usedforsecurity=False).digest()), data)
    assert not digest_matches(
        encode(hashlib.sha1(data + b"!", usedforsecurity=False).digest()), data
    )


@pytest.mark.parametrize("value", [b"md99:AAAA", b"no-algorithm", b"sha1:!!!!", b"sha1:"])
def test_unknown_or_unreadable_digests_do_not_match(value):
    assert not digest_matches(value, b"data")
