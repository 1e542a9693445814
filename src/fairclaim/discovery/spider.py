"""The Scrapy spider of a discovery crawl: pages -> sightings.

It keeps the page budget and link scope, reads sitemaps, fetches images when asked (once per URL,
joined back to every page that shows them) and counts every failure by kind. This module imports
Scrapy; crawl.py imports it only when a crawl starts, so `fairclaim --help` stays fast.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import scrapy
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from fairclaim.discovery.context import ImageOnPage, PageContext, extract_page
from fairclaim.discovery.crawl_guards import REFUSED_HOSTS, classify_failure
from fairclaim.discovery.domains import host_of, registrable_domain
from fairclaim.discovery.errors import AddressRefused, DiscoveryError
from fairclaim.discovery.fetch import sniff_type
from fairclaim.discovery.imagemeta import read_image_facts
from fairclaim.discovery.records import (
    ImageFetch,
    ScanCounts,
    SightingRecord,
    sighting_for_image,
    utc_iso,
)

if TYPE_CHECKING:
    from fairclaim.discovery.crawl import CrawlOptions

IMAGE_FACTS_CACHE = 20000  # image URLs remembered per crawl so a logo is fetched once


def _is_html(body: bytes, content_type: str) -> bool:
    declared = content_type.split(";")[0].strip().lower()
    return sniff_type(body, declared) in {"text/html", "application/xhtml+xml"}


def _page_key(url: str) -> str:
    from w3lib.url import canonicalize_url

    return canonicalize_url(url)


class SightingSpider(scrapy.Spider):
    name = "fairclaim-discovery"

    def __init__(
        self,
        start: list[str],
        options: CrawlOptions,
        sink: Callable[[SightingRecord], None],
        counts: ScanCounts,
        progress: Callable[[int], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.start_urls_given = start
        self.options = options
        self.sink = sink
        self.counts = counts
        self.progress = progress
        self.scope = {registrable_domain(host_of(u)) for u in start if host_of(u)}
        self.scheduled: set[str] = set()
        self.image_facts: OrderedDict[str, ImageFetch] = OrderedDict()
        self.waiting: dict[str, list[tuple[PageContext, ImageOnPage, str]]] = {}

    # -- requests -------------------------------------------------------------------
    def _page_request(self, url: str, depth: int | None = None) -> scrapy.Request | None:
        if len(self.scheduled) >= self.options.max_pages:
            return None
        key = _page_key(url)
        if key in self.scheduled:
            return None
        self.scheduled.add(key)
        meta: dict[str, Any] = {"fc": "page"}
        if depth is not None:
            meta["depth"] = depth
        try:
            return self._request(url, meta)
        except ValueError:  # a URL Scrapy cannot request
            self.counts.error("bad_url")
            return None

    def _request(self, url: str, meta: dict[str, Any]) -> scrapy.Request:
        return scrapy.Request(
            url, callback=self.parse_page, errback=self.page_failed, meta=meta, dont_filter=True
        )

    async def start(self):  # type: ignore[override]
        for url in self.start_urls_given:
            request = self._page_request(url, depth=0)
            if request is not None:
                yield request
        if self.options.sitemaps:
            roots = dict.fromkeys(
                f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in self.start_urls_given
            )
            for root in roots:
                yield scrapy.Request(
                    f"{root}/robots.txt",
                    callback=self.parse_robots,
                    errback=self.quiet_failure,
                    dont_filter=True,
                    meta={"dont_obey_robotstxt": True},
                )
                yield scrapy.Request(
                    f"{root}/sitemap.xml",
                    callback=self.parse_sitemap,
                    errback=self.quiet_failure,
                    dont_filter=True,
                )

    def in_scope(self, url: str) -> bool:
        if not self.options.same_site:
            return True
        host = host_of(url)
        return bool(host) and registrable_domain(host) in self.scope

    # -- sitemaps -------------------------------------------------------------------
    def parse_robots(self, response):
        for url in sitemap_urls_from_robots(response.text, base_url=response.url):
            yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.quiet_failure)

    def parse_sitemap(self, response):
        from scrapy.utils.gz import gunzip

        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=self.options.limits.max_bytes)
            except Exception:  # a failure here is counted, not fatal
                self.counts.error("sitemap")
                return
        try:
            sitemap = Sitemap(body)
        except Exception:  # a failure here is counted, not fatal
            self.counts.error("sitemap")
            return
        for entry in sitemap:
            loc = entry.get("loc", "")
            if not loc or not self.in_scope(loc):
                continue
            if sitemap.type == "sitemapindex":
                yield scrapy.Request(loc, callback=self.parse_sitemap, errback=self.quiet_failure)
            else:
                request = self._page_request(loc, depth=1)
                if request is not None:
                    yield request

    def quiet_failure(self, failure):
        self.counts.error("sitemap")

    # -- pages ----------------------------------------------------------------------
    def parse_page(self, response):
        """A page: each image a sighting (its file fetched first when asked), then the links in
        scope followed while the depth allows."""
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        if not _is_html(response.body, content_type):
            self.counts.error("content_type")
            return
        self.counts.pages += 1
        if self.progress:
            self.progress(1)
        page = extract_page(response.body, response.url, content_type=content_type)
        seen = utc_iso(datetime.now(UTC))
        bare = PageContext(**{**page.__dict__, "links": ()})
        yield from self._sightings_on(bare, seen)
        yield from self._follow(page.links, depth=response.meta.get("depth", 0))

    def _sightings_on(self, page: PageContext, seen: str):
        """Emit a sighting per image, or request the image's file once and emit when it comes
        (every page showing it waits for that one fetch)."""
        for image in page.images:
            if not self.options.fetch_images:
                self.emit(sighting_for_image(page, image, first_seen=seen, source="crawl"))
                continue
            known = self.image_facts.get(image.url)
            if known is not None:
                self.emit(
                    sighting_for_image(page, image, first_seen=seen, source="crawl", fetched=known)
                )
            elif image.url in self.waiting:
                self.waiting[image.url].append((page, image, seen))
            else:
                self.waiting[image.url] = [(page, image, seen)]
                request = self._image_request(image.url)
                if request is not None:
                    yield request

    def _image_request(self, url: str) -> scrapy.Request | None:
        try:
            return scrapy.Request(
                url,
                callback=self.parse_image,
                errback=self.image_failed,
                dont_filter=True,
                priority=10,
                meta={"fc": "image", "allow_offsite": True, "image_url": url},
            )
        except ValueError:  # a URL Scrapy cannot request: record, don't crash
            self.counts.error("bad_url")
            self.finish_image(url, ImageFetch(error="bad_url"))
            return None

    def _follow(self, links: tuple[str, ...], *, depth: int):
        """Requests for the links in scope, within the depth and the page budget."""
        follow = [link for link in links if self.in_scope(link)]
        if self.options.max_depth and depth >= self.options.max_depth:
            return
        for link in follow:
            request = self._page_request(link)
            if request is None and len(self.scheduled) >= self.options.max_pages:
                break
            if request is not None:
                yield request

    def failure_kind(self, failure) -> str:
        kind = classify_failure(failure.value)
        host = (urlsplit(failure.request.url).hostname or "").lower()
        return AddressRefused.kind if kind == "dns" and host in REFUSED_HOSTS else kind

    def page_failed(self, failure):
        self.counts.error(self.failure_kind(failure))

    # -- images ---------------------------------------------------------------------
    def parse_image(self, response):
        url = response.meta["image_url"]
        body = response.body
        try:
            if not sniff_type(body, "").startswith("image/"):
                raise DiscoveryError("not an image")
            facts = read_image_facts(body, max_pixels=self.options.limits.max_pixels)
        except DiscoveryError as exc:
            kind = exc.kind if exc.kind != "error" else "content_type"
            self.counts.error(kind)
            self.finish_image(url, ImageFetch(error=kind))
            return
        self.counts.images_fetched += 1
        self.finish_image(url, ImageFetch(sha256=hashlib.sha256(body).hexdigest(), facts=facts))

    def image_failed(self, failure):
        kind = self.failure_kind(failure)
        self.counts.error(kind)
        url = failure.request.meta.get("image_url", failure.request.url)
        self.finish_image(url, ImageFetch(error=kind))

    def finish_image(self, url: str, fetched: ImageFetch) -> None:
        self.image_facts[url] = fetched
        while len(self.image_facts) > IMAGE_FACTS_CACHE:
            self.image_facts.popitem(last=False)
        for page, image, seen in self.waiting.pop(url, []):
            self.emit(
                sighting_for_image(page, image, first_seen=seen, source="crawl", fetched=fetched)
            )

    def emit(self, record: SightingRecord) -> None:
        self.counts.sightings += 1
        self.sink(record)

    def closed(self, reason: str) -> None:
        for url in list(self.waiting):  # images still pending when the crawl stopped
            self.finish_image(url, ImageFetch(error="not_fetched"))
