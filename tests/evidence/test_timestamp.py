"""RFC 3161 against a real local TSA on 127.0.0.1, and bundles written without a browser."""

from __future__ import annotations

import hashlib
import io
import socket
import zipfile
from datetime import UTC, datetime

import pytest
from warcio.archiveiterator import ArchiveIterator

from fairclaim.evidence import wacz
from fairclaim.evidence.bundle import TIMESTAMP_PATH, write_bundle
from fairclaim.evidence.retry import RetryPolicy
from fairclaim.evidence.timestamp import TimestampError, check_token, request_token
from fairclaim.evidence.verify import verify_bundle

QUICK = RetryPolicy(attempts=2, first_delay=0.05)
DIGEST = hashlib.sha256(b"manifest bytes").digest()


@pytest.fixture
def tsa_mode(tsa):
    authority, url = tsa
    yield authority, url
    authority.mode = "grant"


def test_token_from_local_tsa_holds_for_the_digest(tsa):
    _, url = tsa
    token = request_token(url, DIGEST, retry=QUICK, allow_loopback=True)
    info = check_token(token, DIGEST)
    assert info.tsa_subject == "CN=fairclaim test TSA"
    assert abs((datetime.now(UTC) - info.gen_time).total_seconds()) < 60
    assert info.policy == "1.3.6.1.4.1.99999.1"


def test_token_does_not_hold_for_another_digest(tsa):
    _, url = tsa
    token = request_token(url, DIGEST, retry=QUICK, allow_loopback=True)
    with pytest.raises(TimestampError, match="message imprint"):
        check_token(token, hashlib.sha256(b"other").digest())


def test_token_with_a_flipped_signature_byte_fails(tsa):
    _, url = tsa
    token = bytearray(request_token(url, DIGEST, retry=QUICK, allow_loopback=True))
    token[-10] ^= 0x01  # inside the ECDSA signature, the token's last field
    with pytest.raises(TimestampError):
        check_token(bytes(token), DIGEST)


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("reject", "refused"),
        ("wrong-nonce", "nonce"),
        ("http-500", "HTTP 500"),
        ("after-expiry", "not valid at"),
    ],
)
def test_misbehaving_tsa_gives_a_typed_error(tsa_mode, mode, message):
    authority, url = tsa_mode
    authority.mode = mode
    with pytest.raises(TimestampError, match=message):
        request_token(url, DIGEST, retry=QUICK, allow_loopback=True)


def test_a_tsa_on_a_refused_address_is_never_asked(tsa_mode, monkeypatch):
    """The TSA is reached through the one guarded fetch: loopback only with the flag."""
    authority, url = tsa_mode
    monkeypatch.delenv("FAIRCLAIM_ALLOW_LOOPBACK", raising=False)
    asked = authority.requests
    with pytest.raises(TimestampError, match="loopback address"):
        request_token(url, DIGEST, retry=QUICK)
    assert authority.requests == asked


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/tsa"


def synthetic_bundle(out, signer, tsa_url=None):
    now = datetime.now(UTC)
    page = wacz.HttpExchange(
        url="https://example.org/post",
        method="GET",
        request_headers=[("User-Agent", "test")],
        status=200,
        status_text="OK",
        response_headers=[("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
        body=b"<html><img src='/a.jpg'></html>",
        fetched_at=now,
        server_ip="93.184.215.14",
    )
    image = wacz.HttpExchange(
        url="https://example.org/a.jpg",
        method="GET",
        request_headers=[],
        status=200,
        status_text="OK",
        response_headers=[("Content-Type", "image/jpeg")],
        body=b"\xff\xd8 not really a jpeg \xff\xd9",
        fetched_at=now,
    )
    facts = {
        "captured_at": now.isoformat().replace("+00:00", "Z"),
        "page_url": page.url,
        "image_url": image.url,
        "image_present": True,
        "absence_reason": None,
        "image": {"sha256": hashlib.sha256(image.body).hexdigest()},
    }
    return write_bundle(
        str(out), exchanges=[page, image], attachments=[], facts=facts, signer=signer,
        created=now, page_url=page.url, title="post", tsa_url=tsa_url, tsa_retry=QUICK,
        tsa_allow_loopback=True,
    )  # fmt: skip


def test_bundle_from_plain_exchanges_verifies_with_timestamp(tmp_path, signer, tsa):
    _, url = tsa
    written = synthetic_bundle(tmp_path / "b.wacz", signer, url)
    assert written.timestamped
    verification = verify_bundle(tmp_path / "b.wacz", signer.private_key.public_key())
    assert verification.ok, verification.lines()


def test_decoded_body_is_stored_without_its_content_encoding_header(tmp_path, signer):
    synthetic_bundle(tmp_path / "b.wacz", signer)
    with zipfile.ZipFile(tmp_path / "b.wacz") as archive:
        data = archive.read(wacz.WARC_PATH)
    for record in ArchiveIterator(io.BytesIO(data)):
        if record.rec_type == "response" and record.rec_headers.get_header(
            "WARC-Target-URI"
        ).endswith("/post"):
            assert record.http_headers.get_header("Content-Encoding") is None
            assert record.http_headers.get_header("X-Archive-Orig-Content-Encoding") == "gzip"
            assert record.content_stream().read() == b"<html><img src='/a.jpg'></html>"


def test_unreachable_tsa_still_writes_the_bundle_and_reports_the_missing_timestamp(
    tmp_path, signer
):
    written = synthetic_bundle(tmp_path / "b.wacz", signer, closed_port_url())
    assert not written.timestamped
    assert "unreachable" in written.timestamp_error
    with zipfile.ZipFile(tmp_path / "b.wacz") as archive:
        assert TIMESTAMP_PATH not in archive.namelist()
    assert verify_bundle(tmp_path / "b.wacz", trust_any_key=True).ok


def test_failed_write_leaves_the_previous_file_and_no_temporary(tmp_path):
    out = tmp_path / "b.wacz"
    out.write_bytes(b"previous bundle")
    with pytest.raises(TypeError):
        wacz.write_zip_atomically(out, {"a.txt": b"ok", "b.txt": None}, datetime.now(UTC))
    assert out.read_bytes() == b"previous bundle"
    assert [p.name for p in tmp_path.iterdir()] == ["b.wacz"]
