"""Site crawl with Scrapy: start URLs or whole sites -> sightings.

Scrapy brings robots.txt, per-domain concurrency and delay, depth limits, retries and sitemaps;
this module adds the address policy (a downloader middleware for IP literals and mapped names,
and a DNS resolver that refuses private answers, so the connection goes to a checked address),
retry backoff, the page budget, image fetching and the error counts by kind.

The spider lives in spider.py, the policy components in crawl_guards.py. Scrapy's reactor
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
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from fairclaim.discovery.crawl_guards import (
    RETRY_BACKOFF_BASE,
)
from fairclaim.discovery.fetch import DEFAULT_LIMITS, FetchLimits
from fairclaim.discovery.records import (
    ScanCounts,
    SightingRecord,
)

SPIDER_OUTPUT_CONCURRENCY = 2  # see crawl_settings: per-response output workers
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
        "TWISTED_DNS_RESOLVER": "fairclaim.discovery.crawl_guards.PolicyResolver",
        "DOWNLOADER_MIDDLEWARES": {
            "fairclaim.discovery.crawl_guards.AddressPolicyMiddleware": 50,
            "fairclaim.discovery.crawl_guards.RetryBackoffMiddleware": 60,
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
    from fairclaim.discovery.spider import SightingSpider

    crawler = process.create_crawler(SightingSpider)
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


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
