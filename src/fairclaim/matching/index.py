"""The candidate index: PDQ codes and crop-tier descriptors of registered works, in FAISS.

Two FAISS binary indexes with a plain id map:

* the PDQ tier — one 256-bit code per hashable work (32 bytes in RAM; the eight dihedral
  variants are tried on the query side, so they cost nothing here), searched by Hamming distance;
* the crop tier — up to `SKETCH_SIZE` ORB descriptors per work, searched with a found image's own
  descriptors; a work collecting enough close descriptors becomes a candidate even when no PDQ
  code is near (crops, embedded copies, perspective, small rotations). It costs ~1 kB per work
  and its search time grows with the index, so it is on for shards up to
  `CROP_TIER_MAX_WORKS` works and can be switched off per query.

`save(path)` writes a directory: `pdq.faiss` and `sketch.faiss` (FAISS's own writer), `ids.json`
(the id map and per-row work numbers as plain JSON) — never pickle. Per-work verification features
are not part of this class (see `store.py`).

Must not import Django.
"""

from __future__ import annotations

import json
import os
from array import array
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fairclaim.matching.errors import IndexFormatError
from fairclaim.matching.fingerprint import WorkFingerprint

# PDQ tier: codes at most this far (of 256 bits) make a work a candidate. Looser than PDQ's
# "confident match" 31 on purpose — verification, not this number, decides; measured unrelated
# photo pairs sit at 100–140 bits, so 80 keeps the candidate list short.
PDQ_CANDIDATE_DISTANCE = 80
# PDQ tier: nearest codes fetched per query code before the distance filter.
PDQ_NEIGHBOURS = 4
# Crop tier: an ORB descriptor pair within this Hamming distance counts as a vote (true ORB
# correspondences sit mostly below 40 of 256 bits; unrelated pairs around 100).
SKETCH_MATCH_DISTANCE = 48
# Crop tier: votes a work needs before it is worth verifying (one vote is chance).
SKETCH_MIN_VOTES = 3
# Crop tier: most works handed to verification from this tier per query.
SKETCH_MAX_CANDIDATES = 4
# Crop tier is searched exhaustively; beyond this many works shard the index (per rights holder).
CROP_TIER_MAX_WORKS = 20_000
FORMAT_VERSION = 1
# FAISS threads: one query is far too small to gain from OpenMP, and idle-spinning OpenMP threads
# slow everything on a shared machine; parallelise across processes instead.
FAISS_THREADS = 1


@dataclass(frozen=True)
class Candidate:
    """A work worth verifying, and why.

    Attributes:
        work_id: the registered id.
        pdq_distance: smallest Hamming distance over the query's codes (None: found by crop tier).
        sketch_votes: crop-tier votes (0 when not searched).
        region: the found-image box whose code came closest (None for crop-tier finds).
        mirrored: whether the closest code / the votes came from the mirrored found image
            (None: unknown, verify both ways).
        level: which frame of the found image the crop-tier votes came from (see
            `verify.QueryImage`; None: start with the works' scale).
    """

    work_id: str
    pdq_distance: int | None
    sketch_votes: int
    region: tuple[int, int, int, int] | None
    mirrored: bool | None = None
    level: int | None = None


class MatchIndex:
    """In-memory candidate index over registered works.

    Example:
        >>> index = MatchIndex()
        >>> index.add("holder-7/work-123", fingerprint)
        >>> index.save("var/index/holder-7")
        >>> index = MatchIndex.load("var/index/holder-7")
        >>> index.candidates(query_codes, query_descriptors)
    """

    def __init__(self) -> None:
        import faiss

        faiss.omp_set_num_threads(FAISS_THREADS)
        self.ids: list[str] = []
        self._pdq = faiss.IndexBinaryFlat(256)
        # Row → work number maps as int32 arrays: 4 bytes per row, not a Python int object.
        self._pdq_work = array("i")
        self._sketch = faiss.IndexBinaryFlat(256)
        self._sketch_work = array("i")
        self._numbers: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, work_id: str) -> bool:
        return work_id in self._numbers

    def add(self, work_id: str, fingerprint: WorkFingerprint) -> None:
        """Register a work; an id may be added once. Unhashable works join the crop tier only."""
        if work_id in self._numbers:
            raise ValueError(f"work id already in the index: {work_id!r}")
        number = len(self.ids)
        self.ids.append(work_id)
        self._numbers[work_id] = number
        if fingerprint.hashable:
            self._pdq.add(np.frombuffer(fingerprint.pdq, dtype=np.uint8).reshape(1, 32))
            self._pdq_work.append(number)
        if len(fingerprint.sketch):
            sketch = np.ascontiguousarray(fingerprint.sketch, dtype=np.uint8).reshape(-1, 32)
            self._sketch.add(sketch)
            self._sketch_work.extend([number] * len(sketch))

    def add_codes(self, work_ids: list[str], codes: np.ndarray) -> None:
        """Bulk-add bare PDQ codes (N×32 uint8), e.g. a synthetic load for benchmarks."""
        start = len(self.ids)
        for offset, work_id in enumerate(work_ids):
            if work_id in self._numbers:
                raise ValueError(f"work id already in the index: {work_id!r}")
            self._numbers[work_id] = start + offset
        self.ids.extend(work_ids)
        self._pdq.add(np.ascontiguousarray(codes, dtype=np.uint8))
        self._pdq_work.extend(range(start, start + len(work_ids)))

    @property
    def crop_tier_enabled(self) -> bool:
        return 0 < len(self.ids) <= CROP_TIER_MAX_WORKS and self._sketch.ntotal > 0

    def pdq_memory_bytes(self) -> int:
        """RAM of the PDQ tier: codes plus the row → work map (int32 each)."""
        return int(self._pdq.ntotal) * (32 + 4)

    def sketch_memory_bytes(self) -> int:
        return int(self._sketch.ntotal) * (32 + 4)

    def pdq_candidates(
        self, codes: np.ndarray, regions: list, mirrored: list[bool] | None = None
    ) -> dict[str, Candidate]:
        """Works whose code lies within `PDQ_CANDIDATE_DISTANCE` of any query code."""
        found: dict[str, Candidate] = {}
        if self._pdq.ntotal == 0 or len(codes) == 0:
            return found
        k = min(PDQ_NEIGHBOURS, int(self._pdq.ntotal))
        distances, rows = self._pdq.search(np.ascontiguousarray(codes, dtype=np.uint8), k)
        for query_row in range(len(codes)):
            for distance, row in zip(distances[query_row], rows[query_row], strict=True):
                if row < 0 or distance > PDQ_CANDIDATE_DISTANCE:
                    continue
                work_id = self.ids[self._pdq_work[row]]
                known = found.get(work_id)
                if known is None or int(distance) < (known.pdq_distance or 999):
                    found[work_id] = Candidate(
                        work_id,
                        int(distance),
                        0,
                        regions[query_row],
                        mirrored[query_row] if mirrored else None,
                    )
        return found

    def sketch_votes(self, descriptors: np.ndarray) -> dict[str, int]:
        """Crop tier: per work, how many query descriptors found one of its sketch descriptors."""
        if self._sketch.ntotal == 0 or len(descriptors) == 0:
            return {}
        distances, rows = self._sketch.search(np.ascontiguousarray(descriptors, dtype=np.uint8), 1)
        close = rows[:, 0][(distances[:, 0] <= SKETCH_MATCH_DISTANCE) & (rows[:, 0] >= 0)]
        if len(close) == 0:
            return {}
        # A sketch descriptor votes once, however many query descriptors land on it.
        unique_rows = np.unique(close)
        works = np.frombuffer(self._sketch_work, dtype=np.int32)[unique_rows]
        numbers, counts = np.unique(works, return_counts=True)
        return {self.ids[n]: int(c) for n, c in zip(numbers, counts, strict=True)}

    def candidates(
        self,
        codes: np.ndarray,
        regions: list,
        mirrored: list[bool] | None = None,
        views: list[tuple[int, bool, np.ndarray]] | None = None,
    ) -> list[Candidate]:
        """PDQ-tier candidates (closest first), then crop-tier ones (most votes first).

        `views` are (level, mirrored, ORB descriptors) of the found image's frames; the crop tier
        is searched with each when given and enabled, and a work keeps its best-voted view.
        """
        found = self.pdq_candidates(codes, regions, mirrored)
        ordered = sorted(found.values(), key=lambda c: (c.pdq_distance, c.work_id))
        if not self.crop_tier_enabled or not views:
            return ordered
        extra: dict[str, Candidate] = {}
        for level, flipped, descriptors in views:
            for work_id, count in self.sketch_votes(descriptors).items():
                if count < SKETCH_MIN_VOTES or work_id in found:
                    continue
                if work_id not in extra or extra[work_id].sketch_votes < count:
                    extra[work_id] = Candidate(work_id, None, count, None, flipped, level)
        by_votes = sorted(extra.values(), key=lambda c: (-c.sketch_votes, c.work_id))
        return ordered + by_votes[:SKETCH_MAX_CANDIDATES]

    def save(self, path: str | os.PathLike) -> None:
        """Write the index directory (FAISS files + JSON id map); overwrites those files."""
        import faiss

        directory = Path(path)
        directory.mkdir(parents=True, exist_ok=True)
        faiss.write_index_binary(self._pdq, str(directory / "pdq.faiss"))
        faiss.write_index_binary(self._sketch, str(directory / "sketch.faiss"))
        id_map = {
            "format": FORMAT_VERSION,
            "ids": self.ids,
            "pdq_work": self._pdq_work.tolist(),
            "sketch_work": self._sketch_work.tolist(),
        }
        (directory / "ids.json").write_text(json.dumps(id_map), encoding="utf-8")

    @classmethod
    def load(cls, path: str | os.PathLike) -> MatchIndex:
        """Read an index directory written by `save`; `IndexFormatError` when inconsistent."""
        import faiss

        directory = Path(path)
        try:
            id_map = json.loads((directory / "ids.json").read_text(encoding="utf-8"))
            pdq = faiss.read_index_binary(str(directory / "pdq.faiss"))
            sketch = faiss.read_index_binary(str(directory / "sketch.faiss"))
        except (OSError, RuntimeError, ValueError) as exc:
            raise IndexFormatError(f"cannot read index at {directory}: {exc}") from exc
        if id_map.get("format") != FORMAT_VERSION:
            raise IndexFormatError(f"index format {id_map.get('format')!r} is not {FORMAT_VERSION}")
        index = cls()
        index.ids = list(id_map["ids"])
        index._numbers = {work_id: n for n, work_id in enumerate(index.ids)}
        index._pdq, index._pdq_work = pdq, array("i", id_map["pdq_work"])
        index._sketch, index._sketch_work = sketch, array("i", id_map["sketch_work"])
        if pdq.ntotal != len(index._pdq_work) or sketch.ntotal != len(index._sketch_work):
            raise IndexFormatError(f"index at {directory}: FAISS rows and id map disagree")
        return index
