"""Batch scans: a crawl or a set of WARC files as tasks on Dask distributed, or in one process.

Each task writes its sightings to its own part file (streaming, batched writes) and returns only
its counts; the client appends finished parts to the output as they complete, so memory stays
flat however large the input. A large WARC.gz is split into byte ranges at checked record starts
(ranges.py) so that several workers share one file; each worker opens the file and reads its
range itself: only paths, offsets and counts pass through the scheduler. With a remote
scheduler, the WARC paths and `parts_dir` must be storage the workers and the client share.
"""

from __future__ import annotations

import contextlib
import glob
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from fairclaim.discovery.crawl import COUNTS_PREFIX, CrawlOptions
from fairclaim.discovery.domains import host_of, registrable_domain
from fairclaim.discovery.fetch import DEFAULT_LIMITS, FetchLimits
from fairclaim.discovery.output import JsonlWriter
from fairclaim.discovery.ranges import RANGE_BYTES, split_ranges
from fairclaim.discovery.records import ScanCounts

LOCAL_WORKERS = 2  # the default LocalCluster: 2 worker processes, 1 thread each
COPY_BUFFER = 1 << 20  # bytes per read when appending a finished part to the output


@dataclass(frozen=True)
class ScanPlan:
    """What one scan covers: crawl groups (start URLs per site) and WARC files, the latter also
    as (path, start, end) byte ranges, one task each."""

    crawl_groups: tuple[tuple[str, ...], ...] = ()
    warc_files: tuple[str, ...] = ()
    warc_ranges: tuple[tuple[str, int, int], ...] = ()

    @property
    def tasks(self) -> int:
        return len(self.crawl_groups) + len(self.warc_ranges)


def expand_warc_paths(patterns: Iterable[str]) -> list[str]:
    """Paths and globs -> existing files, in order, without duplicates; FileNotFoundError if none
    match a pattern (a typo should not look like an empty archive)."""
    files: list[str] = []
    for pattern in patterns:
        matches = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        matches = [m for m in matches if os.path.isfile(m)]
        if not matches:
            raise FileNotFoundError(f"no WARC file matches {pattern!r}")
        files.extend(m for m in matches if m not in files)
    return files


def plan_scan(
    urls: Iterable[str], warc_patterns: Iterable[str], *, range_bytes: int = RANGE_BYTES
) -> ScanPlan:
    """Group start URLs by registrable domain (one crawl task per site), expand WARC globs and
    split large WARC.gz files into byte ranges of about `range_bytes`."""
    groups: dict[str, list[str]] = {}
    for url in urls:
        groups.setdefault(registrable_domain(host_of(url)) or url, []).append(url)
    files = tuple(expand_warc_paths(warc_patterns))
    return ScanPlan(
        crawl_groups=tuple(tuple(g) for g in groups.values()),
        warc_files=files,
        warc_ranges=tuple(
            (path, start, end) for path in files for start, end in split_ranges(path, range_bytes)
        ),
    )


def warc_task(
    path: str, part: str, limits: FetchLimits = DEFAULT_LIMITS, start: int = 0, end: int = -1
) -> dict:
    """Read one WARC file, or its records that start in [start, end), into the part file;
    returns counts (plus cpu_seconds and the bytes of file read)."""
    from fairclaim.discovery.warc import read_warc

    started = time.process_time()
    counts = ScanCounts()
    end = os.path.getsize(path) if end < 0 else end
    with JsonlWriter(part) as writer:
        for record in read_warc(path, counts=counts, limits=limits, start=start, end=end):
            writer.write(record)
    return {
        **counts.to_dict(),
        "cpu_seconds": time.process_time() - started,
        "bytes": end - start,
    }


def crawl_task(urls: list[str], options_json: str, part: str) -> dict:
    """Crawl one site group in a child process (Scrapy's reactor cannot restart in a worker)."""
    argv = [
        sys.executable,
        "-m",
        "fairclaim.discovery.crawl",
        "--options",
        options_json,
        "--out",
        part,
        *urls,
    ]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    lines = [ln for ln in done.stderr.splitlines() if ln.startswith(COUNTS_PREFIX)]
    if done.returncode != 0 or not lines:
        return {
            "pages": 0,
            "sightings": 0,
            "errors": {"crawl_failed": 1},
            "detail": done.stderr[-1500:],
        }
    import json

    return json.loads(lines[-1][len(COUNTS_PREFIX) :])


def _append(part: Path, out: BinaryIO) -> None:
    if part.exists():
        with open(part, "rb") as src:  # bytes: the parts are UTF-8 already
            shutil.copyfileobj(src, out, COPY_BUFFER)
        part.unlink()


def run_scan(
    plan: ScanPlan,
    options: CrawlOptions,
    out_path: str,
    *,
    scheduler: str | None = None,
    workers: int = LOCAL_WORKERS,
    parts_dir: str | None = None,
    progress: Callable[[int, dict], None] | None = None,
) -> ScanCounts:
    """Run every task of `plan` on Dask (LocalCluster unless `scheduler` is given).

    `progress(done_tasks, task_counts)` is called as each task finishes. The crawl's page budget
    (options.max_pages) is split evenly across the crawl groups.
    """
    from dask.distributed import Client, LocalCluster, as_completed

    parts = Path(parts_dir or tempfile.mkdtemp(prefix=".fairclaim-parts-", dir=_dir_of(out_path)))
    parts.mkdir(parents=True, exist_ok=True)
    groups = len(plan.crawl_groups)
    per_group = replace(options, max_pages=max(1, math.ceil(options.max_pages / max(1, groups))))
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        # None still binds the default dashboard port 8787 (two scans at once collide there);
        # ":0" takes a free port.
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
        )
        client = Client(cluster)
    total = ScanCounts()
    try:
        futures = {}
        for i, group in enumerate(plan.crawl_groups):
            part = str(parts / f"crawl-{i:05d}.jsonl")
            futures[
                client.submit(crawl_task, list(group), per_group.to_json(), part, pure=False)
            ] = part
        for i, (path, start, end) in enumerate(plan.warc_ranges):
            part = str(parts / f"warc-{i:05d}.jsonl")
            future = client.submit(
                warc_task, os.path.abspath(path), part, options.limits, start, end, pure=False
            )
            futures[future] = part
        with _output(out_path) as out:
            for done, future in enumerate(as_completed(futures), start=1):
                try:
                    result = future.result()
                except Exception as exc:  # a failure here is counted, not fatal
                    result = {"errors": {"task_failed": 1}, "detail": repr(exc)}
                total.merge(result)
                _append(Path(futures[future]), out)
                out.flush()
                if progress:
                    progress(done, result)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
        if parts_dir is None:
            shutil.rmtree(parts, ignore_errors=True)
    return total


def run_scan_in_process(
    plan: ScanPlan,
    options: CrawlOptions,
    out_path: str,
    *,
    progress: Callable[[int], None] | None = None,
) -> ScanCounts:
    """The same scan without Dask: WARC files one after another, then one crawl in this process
    (so call it at most once per process when the plan has crawl groups)."""
    from fairclaim.discovery.crawl import run_crawl
    from fairclaim.discovery.warc import read_warc

    total = ScanCounts()
    with JsonlWriter(out_path) as writer:
        for path in plan.warc_files:
            counts = ScanCounts()
            last = 0
            for record in read_warc(path, counts=counts, limits=options.limits):
                writer.write(record)
                if progress and counts.pages != last:
                    progress(counts.pages - last)
                    last = counts.pages
            total.merge(counts)
        urls = [url for group in plan.crawl_groups for url in group]
        if urls:
            total.merge(run_crawl(urls, options, writer.write, progress=progress))
    return total


@contextlib.contextmanager
def _output(path: str) -> Iterator[BinaryIO]:
    """The output file, or stdout for "-" (left open), for bytes."""
    if path == "-":
        sys.stdout.flush()
        yield sys.stdout.buffer
        return
    with open(path, "wb") as out:
        yield out


def _dir_of(path: str) -> str:
    parent = os.path.dirname(os.path.abspath(path))
    return parent if os.path.isdir(parent) else tempfile.gettempdir()
