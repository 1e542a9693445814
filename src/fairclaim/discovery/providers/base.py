"""The reverse-image-search adapter contract and its result type."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, ClassVar

from fairclaim.discovery.addresses import Resolver, system_resolver
from fairclaim.discovery.domains import is_hotlinked
from fairclaim.discovery.errors import ProviderError
from fairclaim.discovery.fetch import DEFAULT_LIMITS, FetchLimits, FetchResult, fetch
from fairclaim.discovery.records import SightingRecord, utc_iso

PROVIDER_LIMITS = replace(DEFAULT_LIMITS, total_timeout=60.0, max_bytes=10 * 1024 * 1024)
# ^ search APIs can take tens of seconds; their JSON answers stay well under 10 MB
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # TinEye and Vision both refuse uploads above ~20 MB


@dataclass(frozen=True)
class ProviderHit:
    """One place a provider found the image: the copy's URL and the page showing it."""

    provider: str
    image_url: str  # the matching image on the web ("" when the provider only names a page)
    page_url: str  # a page showing it ("" when the provider only names an image)
    match: str = "full"  # full | partial | similar
    score: float | None = None  # the provider's own score, as given
    width: int | None = None
    height: int | None = None
    crawl_date: str = ""  # when the provider saw it, as given (ISO-8601 when possible)
    domain: str = ""

    def to_sighting(self, now: datetime) -> SightingRecord:
        """A sighting for the monitoring app; page context comes later from fetching the page."""
        extra = {"match": self.match, "crawl_date": self.crawl_date}
        if self.score is not None:
            extra["score"] = str(self.score)
        return SightingRecord(
            image_url=self.image_url,
            page_url=self.page_url,
            first_seen=utc_iso(now),
            source=f"provider:{self.provider}",
            kind="provider",
            hotlinked=bool(self.image_url and self.page_url)
            and is_hotlinked(self.image_url, self.page_url),
            image_width=self.width,
            image_height=self.height,
            extra=extra,
        )


class ReverseImageSearchProvider:
    """Base class of provider adapters.

    Contract: `search(image_bytes=..., image_url=...)` takes exactly one of the two and returns
    the provider's hits, best first, at most `limit`. An API error, an unexpected answer shape or
    a refused key raises ProviderError naming the provider and the reason; network failures raise
    the DiscoveryError of fetch(). `base_url` points at the service (tests: a local server).
    """

    name: ClassVar[str] = ""
    default_base_url: ClassVar[str] = ""

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str | None = None,
        limits: FetchLimits = PROVIDER_LIMITS,
        allow_loopback: bool = False,
        resolver: Resolver = system_resolver,
    ) -> None:
        if not api_key:
            raise ProviderError(f"{self.name}: no API key given")
        self.api_key = api_key
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.limits = limits
        self.allow_loopback = allow_loopback
        self.resolver = resolver

    def search(
        self, *, image_bytes: bytes | None = None, image_url: str | None = None, limit: int = 100
    ) -> list[ProviderHit]:
        if (image_bytes is None) == (image_url is None):
            raise ValueError("give exactly one of image_bytes or image_url")
        if image_bytes is not None and len(image_bytes) > MAX_UPLOAD_BYTES:
            raise ProviderError(f"{self.name}: image exceeds {MAX_UPLOAD_BYTES} bytes")
        return self._search(image_bytes, image_url, limit)[:limit]

    def _search(
        self, image_bytes: bytes | None, image_url: str | None, limit: int
    ) -> list[ProviderHit]:
        raise NotImplementedError

    # -- shared plumbing ----------------------------------------------------------------
    def _call(
        self,
        url: str,
        *,
        method: str = "GET",
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        result: FetchResult = fetch(
            url,
            limits=self.limits,
            allow_loopback=self.allow_loopback,
            resolver=self.resolver,
            method=method,
            body=body,
            headers={"Accept": "application/json", **(headers or {})},
            raise_for_status=False,
        )
        try:
            data = json.loads(result.body)
        except ValueError as exc:
            raise ProviderError(
                f"{self.name}: HTTP {result.status}, answer is not JSON: {result.body[:200]!r}"
            ) from exc
        if not 200 <= result.status < 300:
            raise ProviderError(f"{self.name}: HTTP {result.status}: {_short(data)}")
        return data


def multipart(
    fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]
) -> tuple[bytes, str]:
    """multipart/form-data body and its Content-Type header (fields, then files)."""
    boundary = "fairclaim" + secrets.token_hex(12)
    parts: list[bytes] = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    for name, (filename, data, ctype) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {ctype}\r\n\r\n'
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _short(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)[:300]
