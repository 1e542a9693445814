"""The same WARC scan on a 2-worker Dask LocalCluster and in one process (`fairclaim scan`).

Generates WARC.gz files into /tmp (deleted afterwards) of one kind (see discovery_warc.py:
capture, crawl or prose); then runs the real CLI twice: default (LocalCluster,
2 worker processes; large files are split into byte ranges the workers share) and --in-process.
Reports wall time, MB/s (file and uncompressed bytes), pages/s, the CPU seconds of the CLI and
all its descendants (RUSAGE_CHILDREN, which includes Dask's worker processes once they have
exited), the largest peak RSS, output line counts (they must agree) and the speed-up. The
baseline, measured in the same run: two independent in-process scans started together, each on
half the files, show how much two busy cores of this machine give at all (on a shared virtual
machine, one core's work slows down when the other core is busy too).

    .venv/bin/python bench/discovery_dask.py [--files 4] [--file-mb 96] [--kind crawl]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from discovery_warc import build_warc

FAIRCLAIM = str(Path(sys.executable).with_name("fairclaim"))


def run(args: list[str]) -> tuple[float, float, float, dict]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([FAIRCLAIM, "scan", *args, "--no-progress"], capture_output=True,
                          text=True, check=True)  # fmt: skip
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = json.loads(done.stderr.rsplit("fairclaim scan: ", 1)[1])
    return wall, cpu, after.ru_maxrss / 1024, summary


def two_processes(first: list[str], second: list[str], folder: Path) -> float:
    """Wall time of two `fairclaim scan --in-process` runs started together."""
    started = time.perf_counter()
    runs = []
    for i, files in enumerate((first, second)):
        argv = [FAIRCLAIM, "scan", "--in-process", "--no-progress"]
        argv += ["--out", str(folder / f"half-{i}.jsonl")]
        argv += [arg for path in files for arg in ("--warc", path)]
        runs.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    for run_ in runs:
        if run_.wait() != 0:
            raise RuntimeError("a scan failed")
    wall = time.perf_counter() - started
    for i in range(2):
        (folder / f"half-{i}.jsonl").unlink()
    return wall


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--file-mb", type=int, default=96)
    parser.add_argument("--kind", default="crawl", choices=["capture", "crawl", "prose"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fairclaim-dask-bench-", dir="/tmp") as tmp:
        folder = Path(tmp)
        unit = folder / "unit.warc.gz"
        raw_mb = 0.0
        for i in range(args.files):
            raw_mb += build_warc(folder / f"in-{i}.warc.gz", args.file_mb, args.kind, unit)
        raw_mb /= 1e6
        unit.unlink()
        total_mb = sum(p.stat().st_size for p in folder.glob("in-*.warc.gz")) / 1e6
        pattern = str(folder / "in-*.warc.gz")
        print(f"{args.files} WARC.gz files, {total_mb:.0f} MB ({raw_mb:.0f} MB uncompressed)")
        walls = {}
        for label, extra in (("LocalCluster, 2 workers", []), ("in one process", ["--in-process"])):
            out = folder / "out.jsonl"
            wall, cpu, rss, summary = run(["--warc", pattern, "--out", str(out), *extra])
            lines = sum(1 for _ in out.open())
            walls[label] = wall
            print(f"  {label}: wall {wall:.1f} s ({total_mb / wall:.1f} MB/s, "
                  f"{raw_mb / wall:.0f} MB/s uncompressed, {summary['pages'] / wall:.0f} pages/s), "
                  f"CPU {cpu:.1f} s ({total_mb / cpu:.1f} MB per CPU-second), peak RSS {rss:.0f} "
                  f"MB, {summary['pages']} pages, {lines} sightings written")  # fmt: skip
            out.unlink()
        files = sorted(str(p) for p in folder.glob("in-*.warc.gz"))
        if len(files) >= 2:
            walls["two processes"] = two_processes(files[0::2], files[1::2], folder)
            ceiling = walls["in one process"] / walls["two processes"]
            print(f"  baseline, two independent in-process scans at once (half the files each, no "
                  f"Dask): wall {walls['two processes']:.1f} s, {ceiling:.2f}x one process: "
                  f"what two busy cores of this machine give")  # fmt: skip
        speedup = walls["in one process"] / walls["LocalCluster, 2 workers"]
        print(f"  speed-up of the LocalCluster over one process: {speedup:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
