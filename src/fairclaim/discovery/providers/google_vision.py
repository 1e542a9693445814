"""Google Cloud Vision adapter: `images:annotate` with the WEB_DETECTION feature, API-key auth.

Documented shape: POST /v1/images:annotate?key=KEY with {"requests": [{"image":
{"content": BASE64} | {"source": {"imageUri": URL}},
"features": [{"type": "WEB_DETECTION", "maxResults": N}]}]};
the answer is {"responses": [{"webDetection": {"fullMatchingImages": [{"url"}],
"partialMatchingImages": [...], "pagesWithMatchingImages": [{"url", "pageTitle", "score",
"fullMatchingImages": [...], "partialMatchingImages": [...]}], "visuallySimilarImages": [...]}}]}
or a per-request {"error": {"code", "message"}}.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote

from fairclaim.discovery.errors import ProviderError
from fairclaim.discovery.providers.base import ProviderHit, ReverseImageSearchProvider


class GoogleVisionProvider(ReverseImageSearchProvider):
    name = "google_vision"
    default_base_url = "https://vision.googleapis.com"

    def _search(
        self, image_bytes: bytes | None, image_url: str | None, limit: int
    ) -> list[ProviderHit]:
        if image_bytes is not None:
            image: dict[str, Any] = {"content": base64.b64encode(image_bytes).decode("ascii")}
        else:
            image = {"source": {"imageUri": image_url}}
        request = {
            "requests": [
                {"image": image, "features": [{"type": "WEB_DETECTION", "maxResults": limit}]}
            ]
        }
        data = self._call(
            f"{self.base_url}/v1/images:annotate?key={quote(self.api_key, safe='')}",
            method="POST",
            body=json.dumps(request).encode(),
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        return self._hits(data)

    def _hits(self, data: Any) -> list[ProviderHit]:
        responses = data.get("responses") if isinstance(data, dict) else None
        if not isinstance(responses, list) or not responses:
            raise ProviderError("google_vision: answer has no responses list")
        first = responses[0]
        if "error" in first:
            error = first["error"]
            raise ProviderError(
                f"google_vision: {error.get('code')} {error.get('message', '')}"[:300]
            )
        web = first.get("webDetection") or {}
        hits: list[ProviderHit] = []
        placed: set[str] = set()
        for page in web.get("pagesWithMatchingImages") or []:
            page_url = page.get("url") or ""
            images = [("full", i) for i in page.get("fullMatchingImages") or []]
            images += [("partial", i) for i in page.get("partialMatchingImages") or []]
            if not images:
                hits.append(ProviderHit(self.name, "", page_url, "full", page.get("score")))
            for kind, found in images:
                url = found.get("url") or ""
                placed.add(url)
                hits.append(ProviderHit(self.name, url, page_url, kind, page.get("score")))
        for key, kind in (("fullMatchingImages", "full"), ("partialMatchingImages", "partial")):
            for found in web.get(key) or []:
                url = found.get("url") or ""
                if url and url not in placed:
                    hits.append(ProviderHit(self.name, url, "", kind, found.get("score")))
        return hits
