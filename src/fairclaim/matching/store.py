"""An index directory on disk: the candidate index, and where each work's original lives.

Layout of `IDX/` (what `fairclaim match index --out IDX DIR` writes):

    pdq.faiss, sketch.faiss   FAISS binary indexes (FAISS's own writer)
    ids.json                  {"format", "ids", "removed", ...} — plain JSON id map
    pdq_work.npy, sketch_work.npy
                              row → work number maps (int32)
    sources.json              {"root": DIR, "max_pixels": ...}: where the originals are
    files.npy                 per work number: size, mtime (ns) and a BLAKE2b-64 digest of the
                              original's bytes (uint64 ×3) — what an update compares
    features/00000042.npz     LocalFeatures of work number 42 — only with `store_features=True`
    skipped.json              files that could not be registered, with the reason

Verification needs a work's ORB keypoints and descriptors in its feature frame and a thumbnail
of that frame. Both are a pure function of the original's bytes (`fingerprint_work_bytes`), so by
default they are not stored (they are ~50 kB per work, the bulk of an index) but computed again
from the original when the work becomes a candidate — the same bytes give the same features, so
verification is unchanged. The digest guards this: an original that changed or vanished since
indexing is reported as such (never verified against different pixels), and `match index` run
again updates the index. An index that must not depend on its originals (they will be moved or
deleted) keeps the features (`--store-features`).

Registering into an existing index directory is an update: new files are added, vanished ones
removed, changed ones replaced — no rebuild. The directory is saved every
`CHECKPOINT_WORKS` works, so an interrupted registration resumes where it stopped.

Must not import Django.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from fairclaim.matching.decode import DEFAULT_MAX_PIXELS
from fairclaim.matching.errors import ImageDecodeError, IndexFormatError
from fairclaim.matching.fingerprint import LocalFeatures, fingerprint_work_bytes
from fairclaim.matching.index import MatchIndex

# File name endings treated as images when registering a directory (others are ignored).
IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".gif", ".webp", ".avif", ".bmp", ".tif", ".tiff"}
)
# Works registered between two saves of the index directory: a save of a 100k-work index takes
# about a second, registering 5,000 works ~2 minutes on one core.
CHECKPOINT_WORKS = 5000
# Verification features kept in memory per loaded index (~50 kB each): a found image's
# candidates are often the same few works (series, popular pictures).
FEATURE_CACHE_WORKS = 256

# progress(event, work_id, detail): event is "added", "removed", "skipped", "unchanged" or
# "saved"; detail is a problem, a note or None.
Progress = Callable[[str, str, str | None], None]


@dataclass
class BuildStats:
    registered: int  # works in the index after the build
    unhashable: int  # works added in this run that only the crop tier can find
    skipped: list[dict]
    added: int = 0
    removed: int = 0
    unchanged: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def iter_images(root: Path) -> Iterator[tuple[str, Path]]:
    """(id, path) of every image under `root`, recursively; id = relative path, forward slashes."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES:
            yield path.relative_to(root).as_posix(), path


def file_digest(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


def build_index_directory(
    root: str | os.PathLike,
    out: str | os.PathLike,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    progress: Progress | None = None,
    store_features: bool = False,
    checkpoint_works: int = CHECKPOINT_WORKS,
    select: Callable[[str], bool] | None = None,
) -> BuildStats:
    """Register every image under `root` into the index directory at `out` (created, or
    updated when it already holds an index of the same `root`).

    Files that cannot be decoded are listed in `skipped.json` and reported to `progress`; they
    never stop the build. Memory stays bounded: one image at a time, plus the index itself
    (~1.5 kB per work). `select(id)` limits the build to some of the images (one shard's).
    """
    started = time.monotonic()
    root_path, out_path = Path(root).resolve(), Path(out)
    out_path.mkdir(parents=True, exist_ok=True)
    report = progress or (lambda event, work_id, detail: None)
    if (out_path / "ids.json").exists():
        index = MatchIndex.load(out_path)
        sources = _read_sources(out_path)
        if not sources["root"]:
            raise IndexFormatError(
                f"the index at {out_path} was written by an older version that cannot be "
                "updated in place; write a new index directory"
            )
        if Path(sources["root"]) != root_path:
            raise IndexFormatError(
                f"the index at {out_path} registers {sources['root']}, not {root_path}; "
                "write a new index directory for another folder"
            )
        store_features = bool(sources.get("store_features", store_features))
        files = _read_files(out_path, len(index.ids))
    else:
        index = MatchIndex()
        files = np.zeros((0, 3), np.uint64)
    _write_sources(out_path, root_path, max_pixels, store_features)
    stats = BuildStats(registered=0, unhashable=0, skipped=[])
    seen: set[str] = set()
    pending = 0
    for work_id, path in iter_images(root_path):
        if select is not None and not select(work_id):
            continue
        seen.add(work_id)
        number = index.number_of(work_id)
        try:
            status = path.stat()
            if number is not None and _same_file(files[number], status, path):
                stats.unchanged += 1
                report("unchanged", work_id, None)
                continue
            data = path.read_bytes()
            fingerprint = fingerprint_work_bytes(data, max_pixels=max_pixels)
        except (ImageDecodeError, OSError) as exc:
            stats.skipped.append({"id": work_id, "error": str(exc), "code": _code(exc)})
            report("skipped", work_id, str(exc))
            continue
        if number is not None:  # changed since it was registered: replace it
            index.remove(work_id)
            stats.removed += 1
        number = len(index.ids)
        index.add(work_id, fingerprint)
        files = _grow(files, number + 1)
        files[number] = (status.st_size, status.st_mtime_ns, file_digest(data))
        if store_features:
            features_dir = out_path / "features"
            features_dir.mkdir(exist_ok=True)
            (features_dir / f"{number:08d}.npz").write_bytes(fingerprint.features.to_bytes())
        stats.added += 1
        if not fingerprint.hashable:
            stats.unhashable += 1
        report("added", work_id, None if fingerprint.hashable else "not hashable (crop tier only)")
        pending += 1
        if pending >= checkpoint_works:
            _save(index, files, out_path, stats.skipped)
            report("saved", str(out_path), f"{len(index)} works")
            pending = 0
    for work_id in [w for w in index.live_ids() if w not in seen]:
        index.remove(work_id)  # its file is gone: it must not be found (or verified) any more
        stats.removed += 1
        report("removed", work_id, None)
    _save(index, files, out_path, stats.skipped)
    stats.registered = len(index)
    stats.seconds = time.monotonic() - started
    return stats


def _save(index: MatchIndex, files: np.ndarray, out: Path, skipped: list[dict]) -> None:
    np.save(out / "files.npy", files[: len(index.ids)])
    (out / "skipped.json").write_text(json.dumps(skipped, indent=1), encoding="utf-8")
    index.save(out)  # writes ids.json last


def _same_file(known: np.ndarray, status: os.stat_result, path: Path) -> bool:
    """Unchanged when size and mtime agree, or (touched) when the digest still agrees."""
    size, mtime, digest = (int(v) for v in known)
    if size != status.st_size:
        return False
    if mtime == status.st_mtime_ns:
        return True
    return file_digest(path.read_bytes()) == digest


def _grow(files: np.ndarray, rows: int) -> np.ndarray:
    if len(files) >= rows:
        return files
    grown = np.zeros((max(rows, 2 * len(files), 1024), 3), np.uint64)
    grown[: len(files)] = files
    return grown


def _write_sources(out: Path, root: Path, max_pixels: int, store_features: bool) -> None:
    sources = {"root": str(root), "max_pixels": max_pixels, "store_features": store_features}
    (out / "sources.json").write_text(json.dumps(sources), encoding="utf-8")


def _read_sources(path: Path) -> dict:
    try:
        return json.loads((path / "sources.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"root": "", "store_features": True}  # formats 1–2: features always stored
    except (OSError, ValueError) as exc:
        raise IndexFormatError(f"cannot read {path / 'sources.json'}: {exc}") from exc


def _read_files(path: Path, works: int) -> np.ndarray:
    try:
        files = np.load(path / "files.npy", allow_pickle=False)
    except FileNotFoundError:
        return np.zeros((works, 3), np.uint64)  # older index: every file counts as changed
    except (OSError, ValueError) as exc:
        raise IndexFormatError(f"cannot read {path / 'files.npy'}: {exc}") from exc
    if files.shape != (works, 3):
        raise IndexFormatError(f"{path / 'files.npy'} does not describe the index's {works} works")
    return files


class IndexDirectory:
    """A loaded index directory: `.index` for candidates, `.load_features(id)` for verification."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.index = MatchIndex.load(self.path)
        self.sources = _read_sources(self.path)
        stored = self.sources.get("store_features")
        self.files = None if stored else _read_files(self.path, len(self.index.ids))
        self._cache: OrderedDict[str, LocalFeatures] = OrderedDict()

    def load_features(self, work_id: str) -> LocalFeatures:
        number = self.index.number_of(work_id)
        if number is None:
            raise IndexFormatError(f"work {work_id!r} is not in the index at {self.path}")
        cached = self._cache.get(work_id)
        if cached is not None:
            self._cache.move_to_end(work_id)
            return cached
        features = self._read_features(work_id, number)
        self._cache[work_id] = features
        if len(self._cache) > FEATURE_CACHE_WORKS:
            self._cache.popitem(last=False)
        return features

    def _read_features(self, work_id: str, number: int) -> LocalFeatures:
        stored = self.path / "features" / f"{number:08d}.npz"
        if self.files is None:
            try:
                return LocalFeatures.from_bytes(stored.read_bytes())
            except (OSError, ValueError, KeyError) as exc:
                raise IndexFormatError(
                    f"features of {work_id!r} unreadable ({stored}): {exc}"
                ) from exc
        original = Path(self.sources["root"]) / work_id
        try:
            data = original.read_bytes()
        except OSError as exc:
            raise IndexFormatError(
                f"the original of {work_id!r} is gone ({original}: {exc.strerror}); run "
                "`fairclaim match index` again to update the index"
            ) from exc
        if file_digest(data) != int(self.files[number][2]):
            raise IndexFormatError(
                f"the original of {work_id!r} changed since it was indexed ({original}); run "
                "`fairclaim match index` again to update the index"
            )
        try:
            max_pixels = int(self.sources.get("max_pixels", DEFAULT_MAX_PIXELS))
            return fingerprint_work_bytes(data, max_pixels=max_pixels).features
        except ImageDecodeError as exc:  # it decoded when indexed: the same bytes always do
            raise IndexFormatError(f"the original of {work_id!r} no longer decodes: {exc}") from exc


def _code(exc: Exception) -> str:
    return getattr(exc, "code", "io_error")
