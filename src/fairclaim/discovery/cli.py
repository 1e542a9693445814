"""The `fairclaim scan` verb: crawl sites and/or read WARC files into sightings (JSON Lines).

Stable contract: `fairclaim scan URL... [--max-pages N] --out FILE.jsonl` writes one JSON object
per sighting with at least image_url, page_url, alt, credit, licence_url, hotlinked, first_seen.
FAIRCLAIM_ALLOW_LOOPBACK=1 lets fetches reach 127.0.0.1; private addresses are always refused.
Heavy imports (Scrapy, Dask) happen inside `run`.
"""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "scan",
        help="crawl sites / read WARC files and write one JSON sighting per line",
        description="Find images on web pages (crawl) or in web archives (WARC) and write one "
        "sighting per line. Counts (pages, sightings, errors by kind) go to stderr at the end.",
    )
    parser.add_argument("urls", nargs="*", metavar="URL", help="start URLs to crawl")
    parser.add_argument(
        "--warc",
        action="append",
        default=[],
        metavar="PATH_OR_GLOB",
        help="WARC/WARC.gz file or glob (repeatable)",
    )
    parser.add_argument("--out", required=True, help="output JSON Lines file ('-' for stdout)")
    parser.add_argument("--max-pages", type=int, default=1000, help="page budget (default 1000)")
    parser.add_argument("--max-depth", type=int, default=5, help="link hops from a start URL")
    parser.add_argument(
        "--any-site",
        action="store_true",
        help="follow links to other sites too (default: start sites only)",
    )
    parser.add_argument("--sitemaps", action="store_true", help="also start from sitemaps")
    parser.add_argument(
        "--ignore-robots",
        action="store_true",
        help="do not obey robots.txt (only for your own sites)",
    )
    parser.add_argument(
        "--impolite",
        action="store_true",
        help="no per-domain delay/AutoThrottle (own servers, benchmarks)",
    )
    parser.add_argument("--delay", type=float, default=1.0, help="seconds between requests/site")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--per-domain", type=int, default=2, help="requests in flight per site")
    parser.add_argument("--retries", type=int, default=2)
    parser.add_argument(
        "--fetch-images",
        action="store_true",
        help="download images: sha256, pixel size, EXIF/IPTC/XMP credits",
    )
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per response")
    parser.add_argument(
        "--max-bytes",
        type=int,
        default=25 * 1024 * 1024,
        help="cap per response body after decompression",
    )
    parser.add_argument(
        "--resolve",
        action="append",
        default=[],
        metavar="HOST:IP",
        help="answer HOST with IP (like curl); the address policy still applies",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--in-process", action="store_true", help="no Dask: run in this process")
    mode.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler of a real cluster")
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes")
    parser.add_argument(
        "--parts-dir",
        help="where tasks write part files (shared storage when "
        "using --scheduler); default: a temporary folder beside --out",
    )
    parser.add_argument("--counts", metavar="FILE.json", help="also write the counts here")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--log-level", default="CRITICAL", help="Scrapy log level (failures are counted either way)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from tqdm import tqdm

    from fairclaim.discovery.addresses import allow_loopback_from_env, parse_resolve_entries
    from fairclaim.discovery.batch import plan_scan, run_scan, run_scan_in_process
    from fairclaim.discovery.crawl import CrawlOptions
    from fairclaim.discovery.fetch import DEFAULT_LIMITS

    if not args.urls and not args.warc:
        print("fairclaim scan: give at least one URL or --warc PATH", file=sys.stderr)
        return 2
    try:
        plan = plan_scan(args.urls, args.warc)
        resolve = parse_resolve_entries(args.resolve)
    except (FileNotFoundError, ValueError) as exc:
        print(f"fairclaim scan: {exc}", file=sys.stderr)
        return 2
    options = CrawlOptions(
        max_pages=args.max_pages,
        max_depth=args.max_depth,
        same_site=not args.any_site,
        sitemaps=args.sitemaps,
        obey_robots=not args.ignore_robots,
        polite=not args.impolite,
        download_delay=args.delay,
        concurrency=args.concurrency,
        concurrency_per_domain=args.per_domain,
        retries=args.retries,
        fetch_images=args.fetch_images,
        allow_loopback=allow_loopback_from_env(),
        resolve=resolve,
        limits=replace(DEFAULT_LIMITS, total_timeout=args.timeout, max_bytes=args.max_bytes),
        log_level=args.log_level.upper(),
    )
    show = not args.no_progress
    if args.in_process:
        bar = tqdm(desc="pages", unit="page", file=sys.stderr, disable=not show)
        counts = run_scan_in_process(plan, options, args.out, progress=bar.update)
        bar.close()
    else:
        bar = tqdm(total=plan.tasks, desc="tasks", unit="task", file=sys.stderr, disable=not show)
        pages = 0

        def step(_done: int, result: dict) -> None:
            nonlocal pages
            pages += int(result.get("pages", 0))
            bar.set_postfix(pages=pages, refresh=False)
            bar.update(1)

        counts = run_scan(
            plan,
            options,
            args.out,
            scheduler=args.scheduler,
            workers=args.workers,
            parts_dir=args.parts_dir,
            progress=step,
        )
        bar.close()
    summary = json.dumps(counts.to_dict())
    print(f"fairclaim scan: {summary}", file=sys.stderr)
    if args.counts:
        with open(args.counts, "w", encoding="utf-8") as fh:
            fh.write(summary + "\n")
    if counts.pages == 0 and counts.sightings == 0 and counts.errors:
        # Every start URL or WARC failed (refused, unreachable, unreadable): not a clean scan
        # of sites without images, so scripts and the watch lists must be able to tell.
        print("fairclaim scan: nothing could be read; see the errors above", file=sys.stderr)
        return 1
    return 0
