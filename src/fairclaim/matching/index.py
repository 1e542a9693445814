"""The candidate index: PDQ codes and crop-tier descriptors of registered works, in FAISS.

Two tiers of 256-bit codes (`tiers.CodeTier`: flat while small, an inverted file once large) with
a plain row → work map:

* the PDQ tier — one code per hashable work (the eight dihedral variants are tried on the query
  side, so they cost nothing here). A flat scan costs ~1.7 ms per query code per million works
  and a found image brings 8–20 codes, so from `PDQ_IVF_MIN_CODES` on the tier is an inverted
  file: the found image's upright and mirrored whole-image codes — how nearly every copy is
  published — visit `PDQ_PRIMARY_SHARE` of the lists, its rotated variants and region proposals
  `PDQ_PROBE_SHARE`;
* the crop tier — up to `SKETCH_SIZE` ORB descriptors per work, searched with a found image's own
  descriptors; a work collecting enough close descriptors becomes a candidate even when no PDQ
  code is near (crops, embedded copies, perspective, small rotations). A found image brings
  thousands of descriptors, so the tier becomes an inverted file early (`SKETCH_IVF_MIN_ROWS`)
  whose list count grows with √rows: a query descriptor is compared with the list centroids and
  the codes of `SKETCH_PROBES` lists, ~2·√rows comparisons in all, so the tier's cost grows with
  the square root of the works and it is never switched off (~1.3 kB per work in memory).

Works are numbered in the order they were added; a removed work keeps its number (a tombstone,
skipped by every search), so adding and removing never rebuilds the tiers.

`save(path)` writes a directory: `pdq.faiss` and `sketch.faiss` (FAISS's own writer), `ids.json`
(the ids, removed numbers, training sizes: plain JSON) and `pdq_work.npy` / `sketch_work.npy` (the
row → work number maps, int32) — never pickle. Per-work verification features
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
from fairclaim.matching.tiers import CodeTier, lists_by_square_root

# PDQ tier: codes at most this far (of 256 bits) make a work a candidate. Looser than PDQ's
# "confident match" 31 on purpose — verification, not this number, decides; measured unrelated
# photo pairs sit at 100–140 bits, so 80 keeps the candidate list short.
PDQ_CANDIDATE_DISTANCE = 80
# PDQ tier: nearest codes fetched per query code before the distance filter.
PDQ_NEIGHBOURS = 4
# PDQ tier: from this many codes on, an inverted file replaces the flat scan (below it a flat
# scan takes < 0.4 ms per query code and needs no training).
PDQ_IVF_MIN_CODES = 200_000
# PDQ tier lists: this many × √codes (1,000 lists at 1M works, 3,162 at 10M).
PDQ_LISTS_FACTOR = 1.0
# Shares of the PDQ lists visited by the primary codes (whole image, upright and mirrored) and by
# the others. Measured at 1M works (bench/matching_eval.py): recall 0.5 % below an exact scan.
PDQ_PRIMARY_SHARE = 1 / 4
PDQ_PROBE_SHARE = 1 / 8
# Crop tier: an ORB descriptor pair within this Hamming distance counts as a vote (true ORB
# correspondences sit mostly below 40 of 256 bits; unrelated pairs around 100).
SKETCH_MATCH_DISTANCE = 48
# Crop tier: votes a work needs before it is worth verifying (one vote is chance).
SKETCH_MIN_VOTES = 3
# Crop tier: most works handed to verification from this tier per query.
SKETCH_MAX_CANDIDATES = 4
# Crop tier: from this many descriptors (~500 works) on, an inverted file replaces the flat scan.
SKETCH_IVF_MIN_ROWS = 16_384
# Crop tier lists: this many × √descriptors (1,600 lists at 20,000 works).
SKETCH_LISTS_FACTOR = 2.0
# Crop tier: lists each query descriptor visits.
SKETCH_PROBES = 4
# Crop tier: nearest sketch descriptors each query descriptor may vote for. More than one, as in a
# large index a true correspondence is often the second nearest behind a look-alike texture.
SKETCH_NEIGHBOURS = 2
FORMAT_VERSION = 3
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
        >>> index.pdq_candidates(codes, regions)
        >>> index.crop_candidates([(0, False, descriptors)])
    """

    def __init__(self) -> None:
        import faiss

        faiss.omp_set_num_threads(FAISS_THREADS)
        self.ids: list[str] = []
        self._pdq = CodeTier(PDQ_IVF_MIN_CODES, lists_by_square_root(PDQ_LISTS_FACTOR))
        # Row → work number maps as int32 arrays: 4 bytes per row, not a Python int object.
        self._pdq_work = array("i")
        self._sketch = CodeTier(SKETCH_IVF_MIN_ROWS, lists_by_square_root(SKETCH_LISTS_FACTOR))
        self._sketch_work = array("i")
        self._numbers: dict[str, int] = {}
        self.removed: set[int] = set()  # numbers of removed works (tombstones)

    def __len__(self) -> int:
        """Works in the index (removed ones not counted)."""
        return len(self.ids) - len(self.removed)

    def __contains__(self, work_id: str) -> bool:
        return work_id in self._numbers

    def live_ids(self) -> list[str]:
        """Ids of the works in the index (removed ones left out), in the order they were added."""
        return sorted(self._numbers, key=self._numbers.__getitem__)

    def number_of(self, work_id: str) -> int | None:
        """The work's number (its position in `ids`), None when not in the index."""
        return self._numbers.get(work_id)

    def add(self, work_id: str, fingerprint: WorkFingerprint) -> None:
        """Register a work; an id may be added once. Unhashable works join the crop tier only."""
        if work_id in self._numbers:
            raise ValueError(f"work id already in the index: {work_id!r}")
        number = len(self.ids)
        self.ids.append(work_id)
        self._numbers[work_id] = number
        if fingerprint.hashable:
            self._pdq_work.append(number)
            self._pdq.add(np.frombuffer(fingerprint.pdq, dtype=np.uint8))
        if len(fingerprint.sketch):
            sketch = np.ascontiguousarray(fingerprint.sketch, dtype=np.uint8).reshape(-1, 32)
            self._sketch_work.extend([number] * len(sketch))
            self._sketch.add(sketch)

    def remove(self, work_id: str) -> None:
        """Take a work out of every search; its rows stay as a tombstone (no rebuild). The id may
        be added again later (a changed original is removed, then added)."""
        number = self._numbers.pop(work_id, None)
        if number is None:
            raise KeyError(f"work id not in the index: {work_id!r}")
        self.removed.add(number)

    def add_codes(self, work_ids: list[str], codes: np.ndarray) -> None:
        """Bulk-add bare PDQ codes (N×32 uint8), e.g. a synthetic load for benchmarks."""
        self.add_bulk(work_ids, codes, np.ones(len(codes), bool), None, None)

    def add_sketches(self, work_ids: list[str], sketches: np.ndarray) -> None:
        """Bulk-add bare crop-tier descriptors (N×S×32 uint8) for new ids, for benchmarks."""
        self.add_bulk(work_ids, None, None, sketches, None)

    def add_bulk(
        self,
        work_ids: list[str],
        codes: np.ndarray | None,
        hashable: np.ndarray | None,
        sketches: np.ndarray | None,
        lengths: np.ndarray | None,
    ) -> None:
        """Add many works at once (one FAISS call per tier): PDQ codes (N×32, only rows where
        `hashable`) and sketches (N×S×32, the first `lengths[i]` rows of each; all when None)."""
        start = len(self.ids)
        self._bulk_ids(work_ids)
        numbers = np.arange(start, start + len(work_ids), dtype=np.int32)
        if codes is not None:
            keep = np.asarray(hashable, bool)
            self._pdq_work.extend(numbers[keep].tolist())
            self._pdq.add(np.ascontiguousarray(codes[keep], dtype=np.uint8))
        if sketches is not None:
            per_work = sketches.shape[1]
            if lengths is None:
                lengths = np.full(len(work_ids), per_work)
            keep = np.arange(per_work)[None, :] < np.asarray(lengths)[:, None]
            self._sketch_work.extend(np.repeat(numbers, per_work).reshape(-1, per_work)[keep])
            self._sketch.add(np.ascontiguousarray(sketches[keep], dtype=np.uint8))

    def _bulk_ids(self, work_ids: list[str]) -> None:
        start = len(self.ids)
        known = next((w for w in work_ids if w in self._numbers), None)
        if known is not None:
            raise ValueError(f"work id already in the index: {known!r}")
        if len(set(work_ids)) != len(work_ids):
            raise ValueError("work ids repeat within one call")
        self._numbers.update((work_id, start + n) for n, work_id in enumerate(work_ids))
        self.ids.extend(work_ids)

    @property
    def crop_tier_enabled(self) -> bool:
        return self._sketch.rows > 0

    @property
    def pdq_is_inverted_file(self) -> bool:
        return self._pdq.is_inverted_file

    def pdq_memory_bytes(self) -> int:
        """RAM of the PDQ tier: codes (with ids and centroids once an inverted file) and the
        int32 row → work map."""
        return self._pdq.memory_bytes() + 4 * len(self._pdq_work)

    def sketch_memory_bytes(self) -> int:
        return self._sketch.memory_bytes() + 4 * len(self._sketch_work)

    def pdq_candidates(
        self,
        codes: np.ndarray,
        regions: list,
        mirrored: list[bool] | None = None,
        primary: list[bool] | None = None,
    ) -> dict[str, Candidate]:
        """Works whose code lies within `PDQ_CANDIDATE_DISTANCE` of any query code.

        `primary` marks the codes that visit `PDQ_PRIMARY_SHARE` of an inverted file's lists
        (default: all codes); the others visit `PDQ_PROBE_SHARE`.
        """
        found: dict[str, Candidate] = {}
        if self._pdq.rows == 0 or len(codes) == 0:
            return found
        codes = np.ascontiguousarray(codes, dtype=np.uint8)
        k = min(PDQ_NEIGHBOURS, self._pdq.rows)
        chosen = np.ones(len(codes), bool) if primary is None else np.asarray(primary, bool)
        distances = np.empty((len(codes), k), np.int32)
        rows = np.empty((len(codes), k), np.int64)
        for group, share in ((chosen, PDQ_PRIMARY_SHARE), (~chosen, PDQ_PROBE_SHARE)):
            if group.any():
                probes = max(1, round(self._pdq.lists * share))
                distances[group], rows[group] = self._pdq.search(codes[group], k, probes)
        for query_row in range(len(codes)):
            for distance, row in zip(distances[query_row], rows[query_row], strict=True):
                if row < 0 or distance > PDQ_CANDIDATE_DISTANCE:
                    continue
                number = self._pdq_work[row]
                if number in self.removed:
                    continue
                work_id = self.ids[number]
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
        if self._sketch.rows == 0 or len(descriptors) == 0:
            return {}
        k = min(SKETCH_NEIGHBOURS, self._sketch.rows)
        distances, rows = self._sketch.search(descriptors, k, SKETCH_PROBES)
        close = rows[(distances <= SKETCH_MATCH_DISTANCE) & (rows >= 0)]
        if len(close) == 0:
            return {}
        # A sketch descriptor votes once, however many query descriptors land on it.
        unique_rows = np.unique(close)
        works = np.frombuffer(self._sketch_work, dtype=np.int32)[unique_rows]
        numbers, counts = np.unique(works, return_counts=True)
        return {
            self.ids[n]: int(c)
            for n, c in zip(numbers, counts, strict=True)
            if int(n) not in self.removed
        }

    def crop_candidates(
        self, views: list[tuple[int, bool, np.ndarray]], exclude: set[str] = frozenset()
    ) -> list[Candidate]:
        """Crop-tier candidates, most votes first (at most `SKETCH_MAX_CANDIDATES`).

        `views` are (level, mirrored, ORB descriptors) of the found image's frames; each is
        searched and a work keeps its best-voted view. Works in `exclude` (already verified from
        the PDQ tier) are left out.
        """
        if not self.crop_tier_enabled:
            return []
        found: dict[str, Candidate] = {}
        for level, flipped, descriptors in views:
            for work_id, count in self.sketch_votes(descriptors).items():
                if count < SKETCH_MIN_VOTES or work_id in exclude:
                    continue
                if work_id not in found or found[work_id].sketch_votes < count:
                    found[work_id] = Candidate(work_id, None, count, None, flipped, level)
        by_votes = sorted(found.values(), key=lambda c: (-c.sketch_votes, c.work_id))
        return by_votes[:SKETCH_MAX_CANDIDATES]

    def save(self, path: str | os.PathLike) -> None:
        """Write the index directory (FAISS files + JSON id map); overwrites those files."""
        directory = Path(path)
        directory.mkdir(parents=True, exist_ok=True)
        self._pdq.write(str(directory / "pdq.faiss"))
        self._sketch.write(str(directory / "sketch.faiss"))
        np.save(directory / "pdq_work.npy", np.frombuffer(self._pdq_work, np.int32))
        np.save(directory / "sketch_work.npy", np.frombuffer(self._sketch_work, np.int32))
        id_map = {
            "format": FORMAT_VERSION,
            "ids": self.ids,
            "removed": sorted(self.removed),
            "pdq_trained_at": self._pdq.trained_at,
            "sketch_trained_at": self._sketch.trained_at,
        }
        # The id map is written last and renamed into place: a reader never sees a map newer
        # than the tiers it describes.
        partial = directory / "ids.json.part"
        partial.write_text(json.dumps(id_map), encoding="utf-8")
        partial.replace(directory / "ids.json")

    @classmethod
    def load(cls, path: str | os.PathLike) -> MatchIndex:
        """Read an index directory written by `save`; `IndexFormatError` when inconsistent."""
        directory = Path(path)
        index = cls()
        try:
            id_map = json.loads((directory / "ids.json").read_text(encoding="utf-8"))
            if id_map.get("format") not in (1, 2, FORMAT_VERSION):
                raise IndexFormatError(
                    f"index format {id_map.get('format')!r} is not {FORMAT_VERSION}"
                )
            index._pdq.read(str(directory / "pdq.faiss"), id_map.get("pdq_trained_at", 0))
            index._sketch.read(str(directory / "sketch.faiss"), id_map.get("sketch_trained_at", 0))
            if "pdq_work" in id_map:  # formats 1 and 2 kept the row maps in the JSON
                pdq_work, sketch_work = id_map["pdq_work"], id_map["sketch_work"]
            else:
                pdq_work = np.load(directory / "pdq_work.npy", allow_pickle=False)
                sketch_work = np.load(directory / "sketch_work.npy", allow_pickle=False)
        except (OSError, RuntimeError, ValueError, KeyError) as exc:
            raise IndexFormatError(f"cannot read index at {directory}: {exc}") from exc
        index.ids = list(id_map["ids"])
        index.removed = {int(n) for n in id_map.get("removed", [])}
        index._numbers = {w: n for n, w in enumerate(index.ids) if n not in index.removed}
        index._pdq_work = array("i", np.asarray(pdq_work, np.int32).tobytes())
        index._sketch_work = array("i", np.asarray(sketch_work, np.int32).tobytes())
        if index._pdq.rows != len(index._pdq_work) or index._sketch.rows != len(index._sketch_work):
            raise IndexFormatError(f"index at {directory}: FAISS rows and id map disagree")
        return index
