"""WARC records and WACZ 1.1.1 packaging for one capture.

The WARC (ISO 28500, written with warcio) holds a warcinfo record, a response + request pair per
HTTP exchange the browser made (page, image, and the page's other resources), resource records for
the screenshots and the rendered DOM, and a metadata record describing the capture. The WACZ is a
ZIP with archive/data.warc.gz, indexes/index.cdx, pages/pages.jsonl, datapackage.json (each file's
sha256 and size) and datapackage-digest.json, so the capture replays in ReplayWeb.page, pywb and
other standard tools (spec: webrecorder/specs wacz/1.1.1; WARC is ISO 28500). Our own
files (manifest, signature, timestamp, screenshots, DOM) live under fairclaim/, since the spec
forbids custom files in archive/, indexes/ and pages/ and asks that all files be listed in
datapackage.json.

Files are written atomically: a temporary file in the target directory, fsync, os.replace, so an
interrupted capture never leaves a half bundle under the final name.

Framework-free: no Django imports.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

WACZ_VERSION = "1.1.1"
WARC_PATH = "archive/data.warc.gz"
# CDXJ lines under a .cdx name, as in the spec's example: pywb's `wb-manager add --unpack-wacz`
# only picks up indexes named *.cdx or *.cdx.gz, ReplayWeb.page reads either.
INDEX_PATH = "indexes/index.cdx"
PAGES_PATH = "pages/pages.jsonl"
DATAPACKAGE_PATH = "datapackage.json"
DIGEST_PATH = "datapackage-digest.json"
PAGES_HEADER = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
# Headers that describe a transfer encoding the browser already undid: keeping them would make
# replay tools decode the stored (already decoded) body a second time. pywb's convention keeps the
# original value under an X-Archive-Orig- name.
DECODED_HEADERS = ("content-encoding", "transfer-encoding")
ORIG_HEADER_PREFIX = "X-Archive-Orig-"
# Compressed or binary members go into the ZIP uncompressed (WACZ "Zip Compression": archive/ files
# must allow random access); text is deflated.
MEMBER_MODE = 0o644  # unpacked files are readable by all: evidence is meant to be shown
STORED_SUFFIXES = (".gz", ".png", ".jpg", ".jpeg", ".webp", ".tsr", ".der")


@dataclass
class HttpExchange:
    """One request the browser made and the response it got, as seen on the wire."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    status: int
    status_text: str
    response_headers: list[tuple[str, str]]
    body: bytes
    fetched_at: datetime
    request_body: bytes = b""
    server_ip: str | None = None
    server_port: int | None = None
    http_version: str = "HTTP/1.1"  # Playwright does not expose the protocol; see report
    tls: dict[str, Any] | None = None  # protocol, issuer, subject, validity (https only)


@dataclass
class Attachment:
    """A file produced by the capture (screenshot, DOM): a ZIP member and a WARC resource record."""

    path: str  # ZIP member name under fairclaim/
    data: bytes
    content_type: str
    warc_uri: str  # urn:... target URI of its resource record
    role: str  # "screenshot-full", "screenshot-viewport", "dom"


@dataclass
class WarcResult:
    data: bytes
    index_lines: list[str] = field(default_factory=list)
    record_ids: dict[str, str] = field(default_factory=dict)  # target URI -> response record id


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def warc_date(moment: datetime) -> str:
    """WARC 1.1 date with microseconds, UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cdx_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def surt_key(url: str) -> str:
    """Sort-friendly URI Reordering Transform, as CDXJ indexes key their lines.

    Host labels reversed and comma-joined ("com,example)/path"; IPv4 addresses too, as the
    `surt` package used by pywb and cdxj-indexer does), lowercased, a leading "www." dropped,
    default ports dropped, query arguments sorted. URNs (our screenshots) are their own key.
    """
    if not url.startswith(("http://", "https://")):
        return url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    key = ",".join(reversed(host.split(".")))
    default_port = 443 if parts.scheme == "https" else 80
    if parts.port and parts.port != default_port:
        key += f":{parts.port}"
    key += ")" + (parts.path or "/").lower()
    if parts.query:
        key += "?" + "&".join(sorted(parts.query.lower().split("&")))
    return key


def _bare_mime(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _replay_headers(headers: list[tuple[str, str]], body_length: int) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for name, value in headers:
        lowered = name.lower()
        if lowered in DECODED_HEADERS:
            out.append((ORIG_HEADER_PREFIX + name, value))
        elif lowered == "content-length":
            continue  # replaced below by the length of the body we store
        else:
            out.append((name, value))
    out.append(("Content-Length", str(body_length)))
    return out


def _request_line(exchange: HttpExchange) -> str:
    parts = urlsplit(exchange.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return f"{exchange.method} {target} {exchange.http_version}"


def write_warc(
    exchanges: Iterable[HttpExchange],
    attachments: Iterable[Attachment],
    capture_metadata: dict[str, Any],
    *,
    software: str,
    created: datetime,
    page_url: str,
) -> WarcResult:
    """Build the gzipped WARC in memory and its CDXJ index lines (unsorted).

    Records in this order: the warcinfo; per exchange its response, then its request; the
    attachments as resources; last the capture's metadata, referring to the page's response."""
    warc = _WarcBuilder(created)
    warc.write_warcinfo(software, page_url)
    for exchange in exchanges:
        response_id = warc.write_response(exchange)
        warc.write_request(exchange, concurrent_to=response_id)
    for attachment in attachments:
        warc.write_resource(attachment)
    warc.write_metadata(capture_metadata, page_url)
    return warc.finish()


class _WarcBuilder:
    """One WARC being written: a writer per record type, each indexing what it writes."""

    def __init__(self, created: datetime) -> None:
        from warcio.warcwriter import WARCWriter

        self.created = created
        self.buffer = io.BytesIO()
        self.writer = WARCWriter(self.buffer, gzip=True, warc_version="WARC/1.1")
        self.result = WarcResult(data=b"")
        self.filename = WARC_PATH.rsplit("/", 1)[1]
        self.warcinfo_id = ""

    def write_warcinfo(self, software: str, page_url: str) -> None:
        info = self.writer.create_warcinfo_record(
            self.filename,
            {"software": software, "format": "WARC File Format 1.1", "isPartOf": page_url},
        )
        info.rec_headers.replace_header("WARC-Date", warc_date(self.created))
        self.writer.write_record(info)
        self.warcinfo_id = info.rec_headers.get_header("WARC-Record-ID")

    def write_response(self, exchange: HttpExchange) -> str:
        """The response as the server sent it (decoded body, replayable headers); its id."""
        from warcio.statusandheaders import StatusAndHeaders

        headers = _replay_headers(exchange.response_headers, len(exchange.body))
        status_line = f"{exchange.status} {exchange.status_text}".strip()
        http_headers = StatusAndHeaders(status_line, headers, protocol=exchange.http_version)
        warc_headers = {
            "WARC-Date": warc_date(exchange.fetched_at),
            "WARC-Warcinfo-ID": self.warcinfo_id,
        }
        if exchange.server_ip:
            warc_headers["WARC-IP-Address"] = exchange.server_ip
        response = self.writer.create_warc_record(
            exchange.url,
            "response",
            payload=io.BytesIO(exchange.body),
            length=len(exchange.body),
            http_headers=http_headers,
            warc_headers_dict=warc_headers,
        )
        mime = http_headers.get_header("Content-Type", "")
        self._write_indexed(
            response, url=exchange.url, mime=mime, status=str(exchange.status),
            moment=exchange.fetched_at,
        )  # fmt: skip
        response_id: str = response.rec_headers.get_header("WARC-Record-ID")
        self.result.record_ids.setdefault(exchange.url, response_id)
        return response_id

    def write_request(self, exchange: HttpExchange, *, concurrent_to: str) -> None:
        """The request that fetched it (a Host header added when the browser left it out)."""
        from warcio.statusandheaders import StatusAndHeaders

        request_headers = list(exchange.request_headers)
        if not any(name.lower() == "host" for name, _ in request_headers):
            request_headers.insert(0, ("Host", urlsplit(exchange.url).netloc))
        request = self.writer.create_warc_record(
            exchange.url,
            "request",
            payload=io.BytesIO(exchange.request_body),
            length=len(exchange.request_body),
            http_headers=StatusAndHeaders(
                _request_line(exchange), request_headers, is_http_request=True
            ),
            warc_headers_dict={
                "WARC-Date": warc_date(exchange.fetched_at),
                "WARC-Concurrent-To": concurrent_to,
                "WARC-Warcinfo-ID": self.warcinfo_id,
            },
        )
        self.writer.write_record(request)

    def write_resource(self, attachment: Attachment) -> None:
        """An attachment (screenshot, DOM) as a resource record under its own URI."""
        record = self.writer.create_warc_record(
            attachment.warc_uri,
            "resource",
            payload=io.BytesIO(attachment.data),
            length=len(attachment.data),
            warc_content_type=attachment.content_type,
            warc_headers_dict={
                "WARC-Date": warc_date(self.created),
                "WARC-Warcinfo-ID": self.warcinfo_id,
            },
        )
        self._write_indexed(
            record, url=attachment.warc_uri, mime=attachment.content_type, status=None,
            moment=self.created,
        )  # fmt: skip

    def write_metadata(self, capture_metadata: dict[str, Any], page_url: str) -> None:
        """The capture's description as JSON, referring to the page's response when recorded."""
        metadata = json.dumps(capture_metadata, sort_keys=True, indent=2).encode("utf-8")
        metadata_uri = "urn:fairclaim:capture:" + page_url
        refers_to = self.result.record_ids.get(page_url)
        record = self.writer.create_warc_record(
            metadata_uri,
            "metadata",
            payload=io.BytesIO(metadata),
            length=len(metadata),
            warc_content_type="application/json",
            warc_headers_dict={
                "WARC-Date": warc_date(self.created),
                "WARC-Warcinfo-ID": self.warcinfo_id,
                **({"WARC-Refers-To": refers_to} if refers_to else {}),
            },
        )
        self._write_indexed(
            record, url=metadata_uri, mime="application/json", status=None, moment=self.created
        )

    def finish(self) -> WarcResult:
        self.result.data = self.buffer.getvalue()
        return self.result

    def _write_indexed(
        self, record: Any, *, url: str, mime: str, status: str | None, moment: datetime
    ) -> None:
        offset = self.buffer.tell()
        self.writer.write_record(record)
        entry = {
            "url": url,
            "mime": _bare_mime(mime),
            **({"status": status} if status else {}),
            "digest": record.rec_headers.get_header("WARC-Payload-Digest")
            or record.rec_headers.get_header("WARC-Block-Digest"),
            "length": str(self.buffer.tell() - offset),
            "offset": str(offset),
            "filename": self.filename,
        }
        self.result.index_lines.append(
            f"{surt_key(url)} {cdx_timestamp(moment)} {json.dumps(entry, sort_keys=True)}"
        )


def pages_jsonl(page_url: str, title: str, captured_at: datetime, page_id: str) -> bytes:
    lines = [
        PAGES_HEADER,
        {"id": page_id, "url": page_url, "ts": rfc3339(captured_at), "title": title},
    ]
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode("utf-8")


def cdxj(index_lines: Iterable[str]) -> bytes:
    return "".join(line + "\n" for line in sorted(index_lines)).encode("utf-8")


def datapackage(
    files: dict[str, bytes], *, title: str, created: datetime, software: str, page_url: str
) -> bytes:
    """datapackage.json listing every file with its sha256 and size (Frictionless profile)."""
    document = {
        "profile": "data-package",
        "wacz_version": WACZ_VERSION,
        "title": title,
        "created": rfc3339(created),
        "software": software,
        "mainPageUrl": page_url,
        "mainPageDate": rfc3339(created),
        "resources": [
            {
                "name": path.rsplit("/", 1)[-1],
                "path": path,
                "hash": "sha256:" + sha256_hex(data),
                "bytes": len(data),
            }
            for path, data in files.items()
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")


def datapackage_digest(
    datapackage_bytes: bytes, signed_data: dict[str, Any] | None = None
) -> bytes:
    """datapackage-digest.json; `signed_data` is the WACZ signing spec's signature (waczsign)."""
    document: dict[str, Any] = {
        "path": DATAPACKAGE_PATH,
        "hash": "sha256:" + sha256_hex(datapackage_bytes),
    }
    if signed_data is not None:
        document["signedData"] = signed_data
    return json.dumps(document, indent=2).encode("utf-8")


def write_zip_atomically(
    out_path: str | os.PathLike[str], members: dict[str, bytes], created: datetime
) -> None:
    """Write `members` as a ZIP at `out_path` via temp file + fsync + os.replace.

    On any failure (including KeyboardInterrupt) the temporary file is removed and `out_path` is
    left as it was.
    """
    out_path = Path(out_path)
    stamp = created.astimezone(UTC).timetuple()[:6]  # ZIP times have no zone: we write UTC
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(
        prefix=f".{out_path.name}.", suffix=".part", dir=out_path.parent
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            with zipfile.ZipFile(handle, "w") as archive:
                for name, data in members.items():
                    info = zipfile.ZipInfo(name, date_time=stamp)
                    info.external_attr = MEMBER_MODE << 16
                    info.compress_type = (
                        zipfile.ZIP_STORED
                        if name.endswith(STORED_SUFFIXES)
                        else zipfile.ZIP_DEFLATED
                    )
                    archive.writestr(info, data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, out_path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    _fsync_directory(out_path.parent)


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable (POSIX); directories cannot be opened for fsync on Windows."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
