"""TinEye API adapter (api.tineye.com, REST `search` with the `x-api-key` header).

Documented shape: GET /rest/search/?image_url=...&limit=...&backlink_limit=... or a multipart
POST with `image_upload`; the answer is {"code": 200, "messages": [...], "stats": {...},
"results": {"matches": [{"image_url", "domain", "score", "width", "height", "backlinks":
[{"url", "backlink", "crawl_date", "image_name"}]}]}}. Each backlink becomes one hit.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fairclaim.discovery.errors import ProviderError
from fairclaim.discovery.fetch import sniff_type
from fairclaim.discovery.providers.base import ProviderHit, ReverseImageSearchProvider, multipart

BACKLINK_LIMIT = 20  # pages per matched image: enough to find the users, bounded answer size


class TinEyeProvider(ReverseImageSearchProvider):
    name = "tineye"
    default_base_url = "https://api.tineye.com"

    def _search(
        self, image_bytes: bytes | None, image_url: str | None, limit: int
    ) -> list[ProviderHit]:
        params = {"limit": str(limit), "backlink_limit": str(BACKLINK_LIMIT), "sort": "score"}
        headers = {"x-api-key": self.api_key}
        if image_url is not None:
            data = self._call(
                f"{self.base_url}/rest/search/?{urlencode({**params, 'image_url': image_url})}",
                headers=headers,
            )
        else:
            assert image_bytes is not None
            ctype = sniff_type(image_bytes, "application/octet-stream")
            body, content_type = multipart(params, {"image_upload": ("image", image_bytes, ctype)})
            data = self._call(
                f"{self.base_url}/rest/search/",
                method="POST",
                body=body,
                headers={**headers, "Content-Type": content_type},
            )
        return self._hits(data)

    def _hits(self, data: Any) -> list[ProviderHit]:
        if not isinstance(data, dict) or data.get("code") != 200:
            messages = data.get("messages") if isinstance(data, dict) else data
            raise ProviderError(f"tineye: API error: {messages!r}"[:300])
        matches = (data.get("results") or {}).get("matches")
        if not isinstance(matches, list):
            raise ProviderError("tineye: answer has no results.matches list")
        hits: list[ProviderHit] = []
        for match in matches:
            backlinks = match.get("backlinks") or [{}]
            for link in backlinks:
                hits.append(
                    ProviderHit(
                        provider=self.name,
                        image_url=link.get("url") or match.get("image_url") or "",
                        page_url=link.get("backlink") or "",
                        match="full",
                        score=_number(match.get("score")),
                        width=_int(match.get("width")),
                        height=_int(match.get("height")),
                        crawl_date=str(link.get("crawl_date") or ""),
                        domain=str(match.get("domain") or ""),
                    )
                )
        return hits


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _int(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None
