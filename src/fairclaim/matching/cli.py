"""`fairclaim match index|query`: the matching engine's stable command-line contract.

    fairclaim match index --out IDX [--store-features] DIR
        registers every image under DIR (recursively; id = path relative to DIR, forward slashes)
        into the index directory IDX (layout in `fairclaim.matching.store`); run again on the
        same IDX, it adds new files, removes vanished ones and replaces changed ones. Progress
        goes to stderr, a JSON summary to stdout.
    fairclaim match query --index IDX [--report-dir DIR] [--no-crop-tier] PATH...
        prints one JSON object per PATH, one per line, flushed as it goes:
        {"query": PATH, "matches": [{"id", "score", "inliers", "summary", "transform", ...}]}
        with only verified matches, best first. A PATH that cannot be processed still gets its
        line, with "matches": [] and "error": "<problem>", and the batch continues. PATH "-"
        reads the paths from stdin, one per line.

Heavy libraries are imported inside the functions so `fairclaim --help` stays fast.

Must not import Django.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

# Seconds between two progress lines of `match index` on stderr.
PROGRESS_SECONDS = 5.0


def register(subparsers) -> None:
    match = subparsers.add_parser("match", help="register works and find them in other images")
    verbs = match.add_subparsers(dest="match_verb", metavar="VERB", required=True)

    index = verbs.add_parser("index", help="register every image under DIR into an index")
    index.add_argument("--out", required=True, metavar="IDX", help="index directory to write")
    index.add_argument("dir", metavar="DIR", help="directory of original works")
    index.add_argument("--quiet", action="store_true", help="no progress on stderr")
    index.add_argument(
        "--store-features",
        action="store_true",
        help="keep each work's verification features in IDX (~50 kB per work) so queries never "
        "read DIR; by default they are computed again from the original when needed",
    )
    index.add_argument(
        "--shards",
        type=int,
        default=0,
        metavar="K",
        help="build K shards as Dask tasks (a LocalCluster unless --scheduler); queries then fan "
        "out to every shard",
    )
    _dask_arguments(index)
    index.set_defaults(func=run_index)

    query = verbs.add_parser("query", help="match found images; one JSON line per image")
    query.add_argument("--index", required=True, metavar="IDX", help="index directory")
    query.add_argument(
        "paths", nargs="+", metavar="PATH", help='found images ("-" reads paths from stdin)'
    )
    query.add_argument(
        "--report-dir", metavar="DIR", help="write a side-by-side PNG per verified match here"
    )
    query.add_argument(
        "--no-crop-tier",
        action="store_true",
        help="use the PDQ tier only (faster; misses heavy crops and small embedded copies)",
    )
    query.add_argument(
        "--show-rejected",
        action="store_true",
        help='also list refused candidates under "rejected" (never acted on)',
    )
    query.add_argument(
        "--deadline",
        type=float,
        default=None,
        metavar="SECONDS",
        help="sharded index: wait this long for every shard; the answer then names the shards "
        'that did not answer ("partial": true)',
    )
    _dask_arguments(query)
    query.set_defaults(func=run_query)


def _dask_arguments(parser) -> None:
    parser.add_argument(
        "--scheduler", metavar="ADDRESS", help="sharded index: Dask scheduler of a real cluster"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="sharded index: LocalCluster worker processes"
    )


def run_index(args: argparse.Namespace) -> int:
    from fairclaim.matching.errors import MatchingError
    from fairclaim.matching.shards import (
        build_sharded_index,
        dask_client,
        is_sharded,
        read_layout,
    )
    from fairclaim.matching.store import build_index_directory

    root = Path(args.dir)
    if not root.is_dir():
        print(f"fairclaim match index: {root} is not a directory", file=sys.stderr)
        return 2

    started = time.monotonic()
    done = {"added": 0, "removed": 0, "unchanged": 0, "skipped": 0}
    last = [started]

    def progress(event: str, work_id: str, detail: str | None) -> None:
        if event in done:
            done[event] += 1
        if args.quiet:
            return
        if detail and event in ("skipped", "added"):
            print(f"{work_id}: {detail}", file=sys.stderr, flush=True)
        now = time.monotonic()
        if event in ("saved", "done") or now - last[0] >= PROGRESS_SECONDS:
            last[0] = now
            rate = done["added"] / max(now - started, 1e-9)
            print(
                f"progress: {done['added']} added ({rate:.0f}/s), {done['unchanged']} unchanged, "
                f"{done['removed']} removed, {done['skipped']} skipped",
                file=sys.stderr,
                flush=True,
            )

    try:
        if args.shards or is_sharded(args.out):
            with dask_client(args.scheduler, args.workers) as client:
                shards = args.shards or read_layout(args.out)["shards"]
                stats = build_sharded_index(
                    root,
                    args.out,
                    shards,
                    client,
                    store_features=args.store_features,
                    progress=None if args.quiet else _shard_progress,
                )
        else:
            stats = build_index_directory(
                root, args.out, progress=progress, store_features=args.store_features
            )
    except MatchingError as exc:
        print(f"fairclaim match index: {exc}", file=sys.stderr)
        return 2
    if not args.shards:
        progress("done", str(args.out), None)
    print(
        json.dumps(
            {
                "index": str(args.out),
                "registered": stats.registered,
                "unhashable": stats.unhashable,
                "skipped": len(stats.skipped),
                "added": stats.added,
                "removed": stats.removed,
                "unchanged": stats.unchanged,
            }
        ),
        flush=True,
    )
    return 0


def _shard_progress(number: int, shards: int, result: dict) -> None:
    print(
        f"progress: shard {number} done ({result['added']} added, {result['removed']} removed, "
        f"{result['unchanged']} unchanged, {len(result['skipped'])} skipped); "
        f"{shards} shards in all",
        file=sys.stderr,
        flush=True,
    )


def run_query(args: argparse.Namespace) -> int:
    import cv2

    from fairclaim.matching.errors import MatchingError
    from fairclaim.matching.shards import is_sharded

    # One core per query process: the caller parallelises across processes if it wants to.
    cv2.setNumThreads(1)
    report_dir = Path(args.report_dir) if args.report_dir else None
    if report_dir:
        report_dir.mkdir(parents=True, exist_ok=True)
    paths = args.paths
    if paths == ["-"]:  # thousands of paths: one per line on stdin, past the argv size limit
        paths = (line.rstrip("\n") for line in sys.stdin if line.strip())
    try:
        if is_sharded(args.index):
            return _query_shards(args, paths, report_dir)
        return _query_one(args, paths, report_dir)
    except MatchingError as exc:
        print(f"fairclaim match query: {exc}", file=sys.stderr)
        return 2


def _query_one(args, paths, report_dir) -> int:
    from fairclaim.matching.matcher import Matcher
    from fairclaim.matching.store import IndexDirectory

    directory = IndexDirectory(args.index)
    matcher = Matcher(directory.index, directory.load_features, use_crop_tier=not args.no_crop_tier)

    def answer(number: int, data: bytes) -> dict:
        result = matcher.match_bytes(data)
        line = result.to_json()
        if args.show_rejected:
            line["rejected"] = [r.to_json() for r in result.rejected]
        if report_dir and result.matches:
            written = _write_reports(report_dir, number, data, result, directory)
            for match, report_path in zip(line["matches"], written, strict=True):
                match["report_png"] = report_path
        return line

    _answer_each(paths, answer)
    return 0


def _query_shards(args, paths, report_dir) -> int:
    from fairclaim.matching.shards import QUERY_DEADLINE_SECONDS, ShardedMatcher, dask_client

    with dask_client(args.scheduler, args.workers) as client:
        matcher = ShardedMatcher(
            args.index,
            client,
            deadline=args.deadline or QUERY_DEADLINE_SECONDS,
            use_crop_tier=not args.no_crop_tier,
            show_rejected=args.show_rejected,
        )

        def answer(number: int, data: bytes) -> dict:
            prefix = str(report_dir / f"q{number:06d}") if report_dir else None
            line = matcher.match_bytes(data, report_prefix=prefix).to_json()
            if args.show_rejected:
                line["rejected"] = matcher.last_rejected
            return line

        _answer_each(paths, answer)
    return 0


def _answer_each(paths, answer) -> None:
    """One JSON line per path, flushed as it goes; a failing path gets its line with "error"."""
    from fairclaim.matching.errors import ImageDecodeError, MatchingError

    out = sys.stdout
    for number, path in enumerate(paths):
        line: dict = {"query": path, "matches": []}
        try:
            line.update(answer(number, Path(path).read_bytes()))
        except ImageDecodeError as exc:
            line["error"] = f"{exc.code}: {exc}"
        except (MatchingError, OSError) as exc:
            line["error"] = f"{getattr(exc, 'code', 'io_error')}: {exc}"
        except Exception as exc:
            line["error"] = f"internal: {type(exc).__name__}: {exc}"
        out.write(json.dumps(line) + "\n")
        out.flush()


def _write_reports(report_dir: Path, number: int, data: bytes, result, directory) -> list[str]:
    from fairclaim.matching.report import write_report_pngs

    prefix = str(report_dir / f"q{number:06d}")
    return write_report_pngs(prefix, data, result, directory.load_features)
