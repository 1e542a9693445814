"""Reverse-image-search adapters against local servers speaking the documented formats.

One shared contract suite (ProviderContract) is inherited by each provider's tests.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from fairclaim.discovery.errors import AddressRefused, ProviderError
from fairclaim.discovery.providers import GoogleVisionProvider, TinEyeProvider

from .provider_server import TINEYE_KEY, VISION_KEY, ProviderServer
from .site_server import jpeg


@pytest.fixture(scope="module")
def api():
    with ProviderServer() as server:
        yield server


class ProviderContract:
    provider_cls: type
    key: str

    def make(self, api, key=None):
        return self.provider_cls(key or self.key, base_url=api.base, allow_loopback=True)

    def test_search_by_upload_returns_hits_with_page_and_image(self, api):
        hits = self.make(api).search(image_bytes=jpeg(1))
        assert hits
        assert all(hit.provider == self.provider_cls.name for hit in hits)
        assert any(hit.page_url and hit.image_url for hit in hits)

    def test_search_by_url_returns_the_same_shape(self, api):
        hits = self.make(api).search(image_url="https://photos.example/original.jpg")
        assert hits
        assert all(hit.page_url or hit.image_url for hit in hits)

    def test_limit_is_respected(self, api):
        assert len(self.make(api).search(image_bytes=jpeg(1), limit=1)) == 1

    def test_a_refused_key_is_a_provider_error(self, api):
        with pytest.raises(ProviderError, match=self.provider_cls.name):
            self.make(api, key="wrong-key").search(image_bytes=jpeg(1))

    def test_exactly_one_input_is_required(self, api):
        with pytest.raises(ValueError, match="exactly one"):
            self.make(api).search()

    def test_a_missing_key_is_refused_at_construction(self, api):
        with pytest.raises(ProviderError, match="no API key"):
            self.provider_cls("", base_url=api.base)

    def test_provider_calls_obey_the_address_policy(self, api):
        with pytest.raises(AddressRefused):
            self.provider_cls(self.key, base_url=api.base).search(image_bytes=jpeg(1))

    def test_hits_become_sightings(self, api):
        hit = next(h for h in self.make(api).search(image_bytes=jpeg(1)) if h.page_url)
        record = hit.to_sighting(datetime(2026, 1, 1, tzinfo=UTC))
        assert record.source == f"provider:{self.provider_cls.name}"
        assert record.page_url == hit.page_url
        assert json.loads(record.to_json())["first_seen"] == "2026-01-01T00:00:00Z"


class TestTinEye(ProviderContract):
    provider_cls = TinEyeProvider
    key = TINEYE_KEY

    def test_each_backlink_is_one_hit_with_crawl_date_and_score(self, api):
        hits = self.make(api).search(image_url="https://photos.example/original.jpg")
        assert [(h.page_url, h.crawl_date) for h in hits] == [
            ("https://blog.example/posts/hike", "2025-09-14"),
            ("https://blog.example/tags/alps", "2025-10-02"),
            ("https://shop.example/products/poster", "2024-12-01"),
        ]
        assert hits[0].image_url == "https://blog.example/uploads/mountain.jpg"
        assert hits[0].score == 88.2
        assert (hits[0].width, hits[0].height) == (800, 533)
        assert hits[2].to_sighting(datetime(2026, 1, 1, tzinfo=UTC)).hotlinked is True

    def test_sends_the_key_header_and_a_multipart_upload(self, api):
        self.make(api).search(image_bytes=jpeg(2))
        method, path, headers, body = api.requests[-1]
        assert (method, path) == ("POST", "/rest/search/")
        assert headers["x-api-key"] == TINEYE_KEY
        assert b'name="image_upload"' in body
        assert jpeg(2) in body


class TestGoogleVision(ProviderContract):
    provider_cls = GoogleVisionProvider
    key = VISION_KEY

    def test_pages_with_matching_images_come_first_then_unplaced_images(self, api):
        hits = self.make(api).search(image_bytes=jpeg(1))
        assert [(h.page_url, h.image_url, h.match) for h in hits] == [
            ("https://news.example/story", "https://news.example/img/alps.jpg", "full"),
            ("https://blog.example/post", "https://blog.example/crop.jpg", "partial"),
            ("", "https://mirror.example/alps-copy.jpg", "full"),
        ]

    def test_sends_base64_content_with_the_web_detection_feature(self, api):
        self.make(api).search(image_bytes=jpeg(3))
        method, path, _headers, body = api.requests[-1]
        assert (method, path) == ("POST", f"/v1/images:annotate?key={VISION_KEY}")
        request = json.loads(body)["requests"][0]
        assert request["features"] == [{"type": "WEB_DETECTION", "maxResults": 100}]
        assert "content" in request["image"]

    def test_a_per_image_error_is_a_provider_error(self, api):
        with pytest.raises(ProviderError, match="Bad image data"):
            self.make(api).search(image_bytes=b"GIF89a not a jpeg")
