"""Sightings written as JSON Lines in batches: memory stays flat however long a scan runs."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import TextIO

from fairclaim.discovery.records import SightingRecord

WRITE_BATCH = 500  # lines buffered per write: few syscalls, bounded memory


class JsonlWriter:
    """Appends one JSON object per line to a file (or stdout for "-"); use as a context manager."""

    def __init__(self, target: str | Path | TextIO, *, append: bool = False) -> None:
        if isinstance(target, io.TextIOBase | TextIO) or hasattr(target, "write"):
            self._fh: TextIO = target  # type: ignore[assignment]
            self._owned = False
        elif str(target) == "-":
            self._fh, self._owned = sys.stdout, False
        else:
            self._fh = open(target, "a" if append else "w", encoding="utf-8")  # noqa: SIM115
            self._owned = True
        self._buffer: list[str] = []
        self.written = 0

    def write(self, record: SightingRecord) -> None:
        self.write_line(record.to_json())

    def write_line(self, line: str) -> None:
        self._buffer.append(line)
        if len(self._buffer) >= WRITE_BATCH:
            self.flush()

    def flush(self) -> None:
        if self._buffer:
            self._fh.write("\n".join(self._buffer) + "\n")
            self.written += len(self._buffer)
            self._buffer.clear()
        self._fh.flush()

    def close(self) -> None:
        self.flush()
        if self._owned:
            self._fh.close()

    def __enter__(self) -> JsonlWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
