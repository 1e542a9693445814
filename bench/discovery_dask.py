"""The same WARC scan on a 2-worker Dask LocalCluster and in one process (`fairclaim scan`).

Generates 4 capture-style WARC.gz files into /tmp (deleted afterwards), then runs the real CLI
twice: default (LocalCluster, 2 worker processes) and --in-process. Reports wall time and the CPU
seconds of the CLI and all its descendants (getrusage RUSAGE_CHILDREN, which includes Dask's
worker processes once they have exited), plus output line counts (they must agree).

    .venv/bin/python bench/discovery_dask.py [--files 4] [--file-mb 96]
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


def run(args: list[str]) -> tuple[float, float, dict]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([FAIRCLAIM, "scan", *args, "--no-progress"], capture_output=True,
                          text=True, check=True)  # fmt: skip
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = json.loads(done.stderr.rsplit("fairclaim scan: ", 1)[1])
    return wall, cpu, summary


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--file-mb", type=int, default=96)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fairclaim-dask-bench-", dir="/tmp") as tmp:
        folder = Path(tmp)
        unit = folder / "unit.warc.gz"
        for i in range(args.files):
            build_warc(folder / f"in-{i}.warc.gz", args.file_mb, True, unit)
        unit.unlink()
        total_mb = sum(p.stat().st_size for p in folder.glob("in-*.warc.gz")) / 1e6
        pattern = str(folder / "in-*.warc.gz")
        print(f"{args.files} WARC.gz files, {total_mb:.0f} MB in all")
        for label, extra in (("LocalCluster, 2 workers", []), ("in one process", ["--in-process"])):
            out = folder / "out.jsonl"
            wall, cpu, summary = run(["--warc", pattern, "--out", str(out), *extra])
            lines = sum(1 for _ in out.open())
            print(f"  {label}: wall {wall:.1f} s ({total_mb / wall:.0f} MB/s), CPU {cpu:.1f} s "
                  f"({total_mb / cpu:.0f} MB per CPU-second), {summary['pages']} pages, "
                  f"{lines} sightings written")  # fmt: skip
            out.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
