"""Site crawl with Scrapy: start URLs or whole sites -> sightings.

Scrapy brings robots.txt, per-domain concurrency and delay, depth limits, retries and sitemaps;
this module adds the address policy (a downloader middleware for IP literals and mapped names,
and a DNS resolver that refuses private answers, so the connection goes to a checked address),
retry backoff, the page budget, image fetching and the error counts by kind.

Importing this module imports Twisted (the resolver interface), not Scrapy. Scrapy's reactor
starts once per process: `run_crawl` is for a process that crawls once (the
CLI, a Dask task's subprocess); `scan_pages` runs a crawl in a child process and streams its
sightings, so a long-lived caller (the Django worker) can crawl any number of times.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from twisted.internet.interfaces import IResolverSimple
from zope.interface import implementer

from fairclaim.discovery.addresses import check_address, parse_resolve_entries
from fairclaim.discovery.context import ImageOnPage, PageContext, extract_page
from fairclaim.discovery.domains import host_of, registrable_domain
from fairclaim.discovery.errors import AddressRefused, DiscoveryError
from fairclaim.discovery.fetch import DEFAULT_LIMITS, FetchLimits, sniff_type
from fairclaim.discovery.imagemeta import read_image_facts
from fairclaim.discovery.records import (
    ImageFetch,
    ScanCounts,
    SightingRecord,
    sighting_for_image,
    utc_iso,
)

IMAGE_FACTS_CACHE = 20000  # image URLs remembered per crawl so a logo is fetched once
RETRY_BACKOFF_BASE = 1.0  # seconds before the first retry; doubles per retry
RETRY_BACKOFF_MAX = 30.0  # cap: a flaky host should not hold a slot for minutes
SPIDER_OUTPUT_CONCURRENCY = 2  # see crawl_settings: per-response output workers
REFUSED_HOSTS: set[str] = set()  # names PolicyResolver refused in this (one-crawl) process
STDERR_TAIL_LINES = 200  # child log lines kept to explain a failed crawl
COUNTS_PREFIX = "FAIRCLAIM-COUNTS "  # marks the counts line a child crawl prints on stderr


@dataclass(frozen=True)
class CrawlOptions:
    """What to crawl and how politely. Serialisable (to_json/from_json) for child processes."""

    max_pages: int = 1000  # pages parsed per crawl (start URLs included)
    max_depth: int = 5  # link hops from a start URL; stops infinite calendars with max_pages
    same_site: bool = True  # follow links only within the start URLs' registrable domains
    sitemaps: bool = False  # also start from robots.txt Sitemap: lines and /sitemap.xml
    obey_robots: bool = True
    polite: bool = True  # per-domain delay + AutoThrottle; off only for own servers/benchmarks
    download_delay: float = 1.0  # seconds between requests to one domain when polite
    concurrency: int = 16  # requests in flight overall
    concurrency_per_domain: int = 2  # requests in flight per domain
    retries: int = 2  # retries after the first attempt (5xx, 429, timeouts, drops)
    fetch_images: bool = False  # download each image: sha256, intrinsic size, EXIF/IPTC/XMP
    allow_loopback: bool = False
    resolve: Mapping[str, str] = field(default_factory=dict)  # HOST -> IP, like curl --resolve
    limits: FetchLimits = DEFAULT_LIMITS
    log_level: str = "CRITICAL"  # failures are counted by kind; Scrapy's tracebacks are noise

    def to_json(self) -> str:
        data = asdict(self)
        data["resolve"] = dict(self.resolve)
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> CrawlOptions:
        data = json.loads(text)
        data["limits"] = FetchLimits(**data.get("limits", {}))
        return cls(**data)


def classify_failure(exc: BaseException) -> str:
    """Error kind (as in errors.py) for an exception that ended a Scrapy request."""
    from scrapy.exceptions import (
        CannotResolveHostError,
        DownloadCancelledError,
        DownloadConnectionRefusedError,
        DownloadTimeoutError,
        IgnoreRequest,
        ResponseDataLossError,
    )
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.internet import error as tx_error

    message = str(exc)
    if isinstance(exc, DiscoveryError):
        return exc.kind
    if "address refused" in message or "refused address" in message:
        return AddressRefused.kind
    if isinstance(exc, HttpError):
        return "http_status"
    if isinstance(exc, IgnoreRequest):
        if "robots.txt" in message:
            return "robots_forbidden"
        if "redirect" in message:
            return "redirects"
        if "max size" in message or "DOWNLOAD_MAXSIZE" in message or "larger than" in message:
            return "too_large"
        return "ignored"
    if isinstance(exc, DownloadCancelledError) or "maxsize" in message:
        return "too_large"
    if isinstance(exc, DownloadTimeoutError | tx_error.TimeoutError):
        return "timeout"
    if isinstance(exc, CannotResolveHostError | tx_error.DNSLookupError):
        return "dns"
    if isinstance(exc, DownloadConnectionRefusedError | ResponseDataLossError):
        return "connect"
    return "connect" if "Connection" in type(exc).__name__ else type(exc).__name__.lower()


@implementer(IResolverSimple)
class PolicyResolver:
    """Scrapy DNS resolver that answers mapped names from FAIRCLAIM_RESOLVE and refuses private,
    loopback (unless allowed) and link-local answers, so connections only reach checked addresses.
    """

    def __init__(self, reactor: Any, inner: Any, allow_loopback: bool, hosts: Mapping[str, str]):
        self.reactor = reactor
        self.inner = inner
        self.allow_loopback = allow_loopback
        self.hosts = dict(hosts)

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> PolicyResolver:
        from scrapy.resolver import CachingThreadedResolver

        inner = CachingThreadedResolver.from_crawler(crawler, reactor)
        return cls(
            reactor,
            inner,
            crawler.settings.getbool("FAIRCLAIM_ALLOW_LOOPBACK"),
            crawler.settings.getdict("FAIRCLAIM_RESOLVE"),
        )

    def install_on_reactor(self) -> None:
        self.reactor.installResolver(self)

    def getHostByName(self, name: str | bytes, timeout: Any = ()) -> Any:  # Twisted names it
        from twisted.internet import defer
        from twisted.internet.error import DNSLookupError

        text = name.decode() if isinstance(name, bytes) else name
        mapped = self.hosts.get(text.lower())
        answer = defer.succeed(mapped) if mapped else self.inner.getHostByName(text, timeout)

        def check(ip: str) -> str:
            try:
                check_address(ip, allow_loopback=self.allow_loopback)
            except AddressRefused as exc:
                # Twisted replaces this message with "no results": remember why for the counts
                REFUSED_HOSTS.add(text.lower())
                raise DNSLookupError(f"{text}: address refused: {exc}") from exc
            return ip

        return answer.addCallback(check)


class AddressPolicyMiddleware:
    """Refuses requests to IP literals and mapped names outside the policy before any connection;
    other names are checked by PolicyResolver at connection time."""

    def __init__(self, allow_loopback: bool, hosts: Mapping[str, str]) -> None:
        self.allow_loopback = allow_loopback
        self.hosts = {k.lower(): v for k, v in hosts.items()}

    @classmethod
    def from_crawler(cls, crawler: Any) -> AddressPolicyMiddleware:
        return cls(
            crawler.settings.getbool("FAIRCLAIM_ALLOW_LOOPBACK"),
            crawler.settings.getdict("FAIRCLAIM_RESOLVE"),
        )

    def process_request(self, request: Any) -> None:
        import ipaddress

        from scrapy.exceptions import IgnoreRequest

        host = (urlsplit(request.url).hostname or "").lower()
        ip = self.hosts.get(host)
        if ip is None:
            try:
                ipaddress.ip_address(host)
            except ValueError:
                return None  # a name: PolicyResolver checks what it resolves to
            ip = host
        try:
            check_address(ip, allow_loopback=self.allow_loopback)
        except AddressRefused as exc:
            raise IgnoreRequest(f"address refused: {exc}") from exc
        return None


class RetryBackoffMiddleware:
    """Waits before a retried request: RETRY_BACKOFF_BASE * 2**(n-1) seconds, capped.

    Scrapy's RetryMiddleware retries at once; a host that just failed deserves a pause.
    """

    def __init__(self, base: float, cap: float) -> None:
        self.base = base
        self.cap = cap

    @classmethod
    def from_crawler(cls, crawler: Any) -> RetryBackoffMiddleware:
        return cls(
            crawler.settings.getfloat("FAIRCLAIM_RETRY_BACKOFF", RETRY_BACKOFF_BASE),
            crawler.settings.getfloat("FAIRCLAIM_RETRY_BACKOFF_MAX", RETRY_BACKOFF_MAX),
        )

    async def process_request(self, request: Any) -> None:
        import asyncio

        retries = request.meta.get("retry_times", 0)
        if retries and self.base > 0:
            await asyncio.sleep(min(self.cap, self.base * 2 ** (retries - 1)))


def crawl_settings(options: CrawlOptions) -> dict[str, Any]:
    """Scrapy settings for `options`: same limits and address policy as fetch()."""
    limits = options.limits
    return {
        "USER_AGENT": limits.user_agent,
        "ROBOTSTXT_OBEY": options.obey_robots,
        # Off: notices need no session, and Scrapy's cookie middleware would make tldextract
        # download the public-suffix list at run time.
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,  # no control ports on a crawler that reads hostile pages
        "REMOTE_CONTROL_ENABLED": False,
        "LOG_LEVEL": options.log_level,
        "LOGSTATS_INTERVAL": 0,
        "DOWNLOAD_MAXSIZE": limits.max_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "DOWNLOAD_TIMEOUT": limits.total_timeout,
        "DNS_TIMEOUT": limits.connect_timeout,
        "REDIRECT_MAX_TIMES": limits.max_redirects,
        "METAREFRESH_MAXDELAY": 5,
        "RETRY_TIMES": options.retries,
        "RETRY_GIVE_UP_LOG_LEVEL": "DEBUG",
        "DEPTH_LIMIT": options.max_depth,
        "DEPTH_PRIORITY": 1,  # breadth first: the page budget covers the site, not one corridor
        "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
        "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
        "CONCURRENT_REQUESTS": options.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": options.concurrency_per_domain,
        "DOWNLOAD_DELAY": options.download_delay if options.polite else 0,
        "AUTOTHROTTLE_ENABLED": options.polite,
        "REACTOR_THREADPOOL_MAXSIZE": 10,
        # Scrapy starts this many asyncio tasks per callback to process its output; ours yields
        # only requests (sightings go to the sink), and the default 100 cost ~40% of crawl CPU.
        "CONCURRENT_ITEMS": SPIDER_OUTPUT_CONCURRENCY,
        "TWISTED_DNS_RESOLVER": "fairclaim.discovery.crawl.PolicyResolver",
        "DOWNLOADER_MIDDLEWARES": {
            "fairclaim.discovery.crawl.AddressPolicyMiddleware": 50,
            "fairclaim.discovery.crawl.RetryBackoffMiddleware": 60,
            # Proxies from the environment would bypass the address policy; auth is never sent.
            "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": None,
            "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
            # The spider scopes links itself (same_site) and images may live anywhere.
            "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
            # Per-response byte/status stats nobody reads: ~5% of crawl CPU.
            "scrapy.downloadermiddlewares.stats.DownloaderStats": None,
        },
        "SPIDER_MIDDLEWARES": {
            # No Referer header: monitoring should not announce which page led us to a site.
            "scrapy.spidermiddlewares.referer.RefererMiddleware": None,
        },
        "FAIRCLAIM_ALLOW_LOOPBACK": options.allow_loopback,
        "FAIRCLAIM_RESOLVE": dict(options.resolve),
        "FAIRCLAIM_RETRY_BACKOFF": RETRY_BACKOFF_BASE if options.polite else 0.1,
        "URLLENGTH_LIMIT": 2083,
    }


def _page_key(url: str) -> str:
    from w3lib.url import canonicalize_url

    return canonicalize_url(url)


def make_spider_class() -> type:
    """The spider class (built on demand so importing this module does not import Scrapy)."""
    import scrapy
    from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

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
                    yield scrapy.Request(
                        loc, callback=self.parse_sitemap, errback=self.quiet_failure
                    )
                else:
                    request = self._page_request(loc, depth=1)
                    if request is not None:
                        yield request

        def quiet_failure(self, failure):
            self.counts.error("sitemap")

        # -- pages ----------------------------------------------------------------------
        def parse_page(self, response):
            content_type = response.headers.get("Content-Type", b"").decode("latin-1")
            if sniff_type(response.body, content_type.split(";")[0].strip().lower()) not in {
                "text/html",
                "application/xhtml+xml",
            }:
                self.counts.error("content_type")
                return
            self.counts.pages += 1
            if self.progress:
                self.progress(1)
            page = extract_page(response.body, response.url, content_type=content_type)
            seen = utc_iso(datetime.now(UTC))
            depth = response.meta.get("depth", 0)
            follow = [link for link in page.links if self.in_scope(link)]
            bare = PageContext(**{**page.__dict__, "links": ()})
            for image in bare.images:
                if not self.options.fetch_images:
                    self.emit(sighting_for_image(bare, image, first_seen=seen, source="crawl"))
                    continue
                known = self.image_facts.get(image.url)
                if known is not None:
                    self.emit(
                        sighting_for_image(
                            bare, image, first_seen=seen, source="crawl", fetched=known
                        )
                    )
                elif image.url in self.waiting:
                    self.waiting[image.url].append((bare, image, seen))
                else:
                    self.waiting[image.url] = [(bare, image, seen)]
                    try:
                        yield scrapy.Request(
                            image.url,
                            callback=self.parse_image,
                            errback=self.image_failed,
                            dont_filter=True,
                            priority=10,
                            meta={"fc": "image", "allow_offsite": True, "image_url": image.url},
                        )
                    except ValueError:  # a URL Scrapy cannot request: record, don't crash
                        self.counts.error("bad_url")
                        self.finish_image(image.url, ImageFetch(error="bad_url"))
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
            import hashlib

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
                    sighting_for_image(
                        page, image, first_seen=seen, source="crawl", fetched=fetched
                    )
                )

        def emit(self, record: SightingRecord) -> None:
            self.counts.sightings += 1
            self.sink(record)

        def closed(self, reason: str) -> None:
            for url in list(self.waiting):  # images still pending when the crawl stopped
                self.finish_image(url, ImageFetch(error="not_fetched"))

    return SightingSpider


def run_crawl(
    start_urls: list[str],
    options: CrawlOptions,
    sink: Callable[[SightingRecord], None],
    *,
    progress: Callable[[int], None] | None = None,
) -> ScanCounts:
    """Crawl in this process (blocks; Scrapy's reactor can start only once per process)."""
    from scrapy.crawler import CrawlerProcess

    counts = ScanCounts()
    process = CrawlerProcess(settings=crawl_settings(options))
    crawler = process.create_crawler(make_spider_class())
    process.crawl(
        crawler,
        start=list(start_urls),
        options=options,
        sink=sink,
        counts=counts,
        progress=progress,
    )
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    if "finish_reason" not in stats:
        raise RuntimeError("the crawl did not run (see the Scrapy log above)")
    return counts


def scan_pages(
    urls: list[str], options: CrawlOptions, *, counts: ScanCounts | None = None
) -> Iterator[SightingRecord]:
    """Crawl in a child process and yield its sightings as they arrive.

    Safe to call any number of times from a long-lived process. When the iterator is exhausted,
    `counts` (if given) holds the crawl's counts. Raises RuntimeError if the child fails.
    """
    argv = [
        sys.executable,
        "-m",
        "fairclaim.discovery.crawl",
        "--options",
        options.to_json(),
        *urls,
    ]
    tail: deque[str] = deque(maxlen=STDERR_TAIL_LINES)
    found: list[str] = []

    def drain(stream: Any) -> None:  # a full stderr pipe would stall the child
        for line in stream:
            (found if line.startswith(COUNTS_PREFIX) else tail).append(line)

    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None
        drainer = threading.Thread(target=drain, args=(child.stderr,), daemon=True)
        drainer.start()
        try:
            for line in child.stdout:
                if line.strip():
                    yield SightingRecord.from_dict(json.loads(line))
            code = child.wait()
            drainer.join()
        finally:
            if child.poll() is None:  # the caller stopped early: end the crawl
                child.kill()
                child.wait()
    if code != 0 or not found:
        raise RuntimeError(f"crawl child failed with exit code {code}: {''.join(tail)[-2000:]}")
    if counts is not None:
        counts.merge(json.loads(found[-1][len(COUNTS_PREFIX) :]))


def _child_main(argv: list[str]) -> int:
    """Child-process entry: crawl URLs with --options JSON, JSONL to stdout, counts to stderr."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m fairclaim.discovery.crawl")
    parser.add_argument("--options", required=True)
    parser.add_argument("--out", default="-")
    parser.add_argument("urls", nargs="+")
    args = parser.parse_args(argv)
    from fairclaim.discovery.output import JsonlWriter

    options = CrawlOptions.from_json(args.options)
    started = time.process_time()
    with JsonlWriter(args.out) as writer:
        counts = run_crawl(args.urls, options, writer.write)
    summary = {**counts.to_dict(), "cpu_seconds": round(time.process_time() - started, 3)}
    print(COUNTS_PREFIX + json.dumps(summary), file=sys.stderr, flush=True)
    return 0


def resolve_map(entries: list[str] | None) -> dict[str, str]:
    return parse_resolve_entries(entries or [])


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
