"""Peak memory of verifying hostile evidence bundles (issue #16 item 4, probe H3).

Builds, in a temporary folder, the probe's deflate bomb (one `datapackage.json` member of N MB of
spaces, about 1 MB on disk), a bomb in a non-JSON member, and a bundle with one large stored
member, then reports the peak RSS of a fresh interpreter that

- baseline: reads each member whole with `zipfile.ZipFile.read` (what the verifier did before),
- fairclaim: runs `fairclaim evidence verify` on the same file,

plus the wall time of each. Figures only; nothing is asserted.

    .venv/bin/python bench/evidence_verify_memory.py [--mb 512]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

CHUNK = b" " * (1024 * 1024)

BASELINE = (
    "import sys, zipfile\n"
    "with zipfile.ZipFile(sys.argv[1]) as archive:\n"
    "    for info in archive.infolist():\n"
    "        archive.read(info)\n"
)


def write_member(path: Path, name: str, megabytes: int, compression: int) -> Path:
    with (
        zipfile.ZipFile(path, "w", compression) as archive,
        archive.open(name, "w", force_zip64=True) as handle,
    ):
        for _ in range(megabytes):
            handle.write(CHUNK)
    return path


def peak(command: list[str]) -> tuple[float, float]:
    """(peak RSS in MB, seconds) of `command`, measured by a parent that only waits."""
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "start = time.monotonic()\n"
        "subprocess.run(sys.argv[1:], capture_output=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, time.monotonic() - start)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", wrapper, *command], capture_output=True, text=True, check=True
    )
    rss_kb, seconds = done.stdout.split()
    return int(rss_kb) / 1024, float(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=512, help="inflated size of each bomb, MB")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        cases = {
            "datapackage.json bomb": write_member(
                Path(folder) / "a.wacz", "datapackage.json", args.mb, zipfile.ZIP_DEFLATED
            ),
            "fairclaim/dom.html bomb": write_member(
                Path(folder) / "b.wacz", "fairclaim/dom.html", args.mb, zipfile.ZIP_DEFLATED
            ),
            "large stored member": write_member(
                Path(folder) / "c.wacz",
                "fairclaim/screenshot-full.png",
                args.mb,
                zipfile.ZIP_STORED,
            ),
        }
        print(
            f"{'bundle':<26}{'file MB':>9}{'baseline MB':>13}{'s':>7}{'fairclaim MB':>14}{'s':>7}"
        )
        for name, path in cases.items():
            base_mb, base_s = peak([sys.executable, "-c", BASELINE, str(path)])
            ours_mb, ours_s = peak(
                [sys.executable, "-m", "fairclaim.cli", "evidence", "verify", str(path)]
            )
            size = path.stat().st_size / 1e6
            print(
                f"{name:<26}{size:>9.1f}{base_mb:>13.0f}{base_s:>7.1f}{ours_mb:>14.0f}{ours_s:>7.1f}"
            )


if __name__ == "__main__":
    started = time.monotonic()
    main()
    print(f"total {time.monotonic() - started:.0f} s")
