"""An index directory on disk: the candidate index plus each work's verification features.

Layout of `IDX/` (what `fairclaim match index --out IDX` writes):

    pdq.faiss, sketch.faiss   FAISS binary indexes (FAISS's own writer)
    ids.json                  {"format", "ids", "pdq_work", "sketch_work"} — plain JSON id map
    features/00000042.npz     LocalFeatures of work number 42 (numpy, allow_pickle=False)
    skipped.json              files that could not be registered, with the reason

Only the FAISS files and the id map are held in memory; features are read per candidate.

Must not import Django.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from fairclaim.matching.decode import DEFAULT_MAX_PIXELS
from fairclaim.matching.errors import ImageDecodeError, IndexFormatError
from fairclaim.matching.fingerprint import LocalFeatures, fingerprint_work_bytes
from fairclaim.matching.index import MatchIndex

# File name endings treated as images when registering a directory (others are ignored).
IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".gif", ".webp", ".avif", ".bmp", ".tif", ".tiff"}
)


@dataclass(frozen=True)
class BuildStats:
    registered: int
    unhashable: int
    skipped: list[dict]


def iter_images(root: Path) -> Iterator[tuple[str, Path]]:
    """(id, path) of every image under `root`, recursively; id = relative path, forward slashes."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES:
            yield path.relative_to(root).as_posix(), path


def build_index_directory(
    root: str | os.PathLike,
    out: str | os.PathLike,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    progress: Callable[[str, str | None], None] | None = None,
) -> BuildStats:
    """Register every image under `root` into a new index directory at `out`.

    Files that cannot be decoded are listed in `skipped.json` and reported to `progress(id,
    problem)`; they never stop the build.
    """
    root_path, out_path = Path(root), Path(out)
    features_dir = out_path / "features"
    features_dir.mkdir(parents=True, exist_ok=True)
    index = MatchIndex()
    skipped: list[dict] = []
    unhashable = 0
    for work_id, path in iter_images(root_path):
        try:
            fingerprint = fingerprint_work_bytes(path.read_bytes(), max_pixels=max_pixels)
        except (ImageDecodeError, OSError) as exc:
            skipped.append({"id": work_id, "error": str(exc), "code": _code(exc)})
            if progress:
                progress(work_id, str(exc))
            continue
        number = len(index)
        index.add(work_id, fingerprint)
        if not fingerprint.hashable:
            unhashable += 1
        (features_dir / f"{number:08d}.npz").write_bytes(fingerprint.features.to_bytes())
        if progress:
            progress(work_id, None if fingerprint.hashable else "not hashable (PDQ tier skipped)")
    index.save(out_path)
    (out_path / "skipped.json").write_text(json.dumps(skipped, indent=1), encoding="utf-8")
    return BuildStats(registered=len(index), unhashable=unhashable, skipped=skipped)


class IndexDirectory:
    """A loaded index directory: `.index` for candidates, `.load_features(id)` for verification."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.index = MatchIndex.load(self.path)
        self._numbers = {work_id: n for n, work_id in enumerate(self.index.ids)}

    def load_features(self, work_id: str) -> LocalFeatures:
        number = self._numbers.get(work_id)
        if number is None:
            raise IndexFormatError(f"work {work_id!r} is not in the index at {self.path}")
        file = self.path / "features" / f"{number:08d}.npz"
        try:
            return LocalFeatures.from_bytes(file.read_bytes())
        except (OSError, ValueError, KeyError) as exc:
            raise IndexFormatError(f"features of {work_id!r} unreadable ({file}): {exc}") from exc


def _code(exc: Exception) -> str:
    return getattr(exc, "code", "io_error")
