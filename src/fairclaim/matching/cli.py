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
    query.set_defaults(func=run_query)


def run_index(args: argparse.Namespace) -> int:
    from fairclaim.matching.errors import MatchingError
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
        if event == "saved" or now - last[0] >= PROGRESS_SECONDS:
            last[0] = now
            rate = done["added"] / max(now - started, 1e-9)
            print(
                f"progress: {done['added']} added ({rate:.0f}/s), {done['unchanged']} unchanged, "
                f"{done['removed']} removed, {done['skipped']} skipped",
                file=sys.stderr,
                flush=True,
            )

    try:
        stats = build_index_directory(
            root, args.out, progress=progress, store_features=args.store_features
        )
    except MatchingError as exc:
        print(f"fairclaim match index: {exc}", file=sys.stderr)
        return 2
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


def run_query(args: argparse.Namespace) -> int:
    import cv2

    from fairclaim.matching.errors import ImageDecodeError, MatchingError
    from fairclaim.matching.matcher import Matcher
    from fairclaim.matching.store import IndexDirectory

    # One core per query process: the caller parallelises across processes if it wants to.
    cv2.setNumThreads(1)
    try:
        directory = IndexDirectory(args.index)
    except MatchingError as exc:
        print(f"fairclaim match query: {exc}", file=sys.stderr)
        return 2
    matcher = Matcher(directory.index, directory.load_features, use_crop_tier=not args.no_crop_tier)
    report_dir = Path(args.report_dir) if args.report_dir else None
    if report_dir:
        report_dir.mkdir(parents=True, exist_ok=True)
    out = sys.stdout
    paths = args.paths
    if paths == ["-"]:  # thousands of paths: one per line on stdin, past the argv size limit
        paths = (line.rstrip("\n") for line in sys.stdin if line.strip())
    for number, path in enumerate(paths):
        line: dict = {"query": path, "matches": []}
        try:
            data = Path(path).read_bytes()
            result = matcher.match_bytes(data)
            line.update(result.to_json())
            if args.show_rejected:
                line["rejected"] = [r.to_json() for r in result.rejected]
            if report_dir and result.matches:
                paths = _write_reports(report_dir, number, data, result, directory)
                for match, report_path in zip(line["matches"], paths, strict=True):
                    match["report_png"] = report_path
        except ImageDecodeError as exc:
            line["error"] = f"{exc.code}: {exc}"
        except (MatchingError, OSError) as exc:
            line["error"] = f"{getattr(exc, 'code', 'io_error')}: {exc}"
        except Exception as exc:
            line["error"] = f"internal: {type(exc).__name__}: {exc}"
        out.write(json.dumps(line) + "\n")
        out.flush()
    return 0


def _write_reports(report_dir: Path, number: int, data: bytes, result, directory) -> list[str]:
    """Write one side-by-side PNG per verified match; return their paths."""
    from fairclaim.matching.decode import decode_image
    from fairclaim.matching.report import render_report_png

    found = decode_image(data, min_side=512).rgb
    paths = []
    for rank, match in enumerate(result.matches):
        original = directory.load_features(match.work_id).thumb_rgb()
        target = report_dir / f"q{number:06d}-m{rank}.png"
        target.write_bytes(render_report_png(match, original, found))
        paths.append(str(target))
    return paths
