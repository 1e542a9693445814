"""One tier of the candidate index: 256-bit codes in FAISS, flat while small, an inverted file
once large.

A flat scan compares a query code with every stored code (~1.7 ns each on one core): exact, no
training, and fast enough for small tiers. Past `ivf_min_rows` the tier is rebuilt as an
`IndexBinaryIVF` — codes grouped into lists around k-means centroids, a query visiting only the
lists nearest to it — and rebuilt again each time it has grown `REGROW` times, so lists keep
their planned length. FAISS ids are row numbers in both forms, so the caller's row → work map
never changes.

Must not import Django.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

# An inverted file is trained again when its tier has grown this many times since.
REGROW = 4
# Codes sampled to train the lists (FAISS asks for ≥ 39 per list; training time grows with
# sample × lists: 4 s at 1M codes, 32 s at 10M on one core).
TRAIN_PER_LIST = 40
CODE_BYTES = 32


def lists_of_length(per_list: int) -> Callable[[int], int]:
    """List count keeping about `per_list` codes in each list."""
    return lambda rows: max(1, rows // per_list)


def lists_by_square_root(factor: float) -> Callable[[int], int]:
    """List count growing with √rows: balances assigning query codes to lists (∝ lists) against
    scanning the lists probed (∝ rows / lists), for queries with thousands of codes."""
    return lambda rows: max(1, round(factor * math.sqrt(rows)))


class CodeTier:
    """256-bit codes, searched by Hamming distance; row numbers are the FAISS ids.

    Args:
        ivf_min_rows: rows from which the tier is an inverted file (0: never).
        lists_for: rows → number of lists when (re)training.
    """

    def __init__(self, ivf_min_rows: int, lists_for: Callable[[int], int]) -> None:
        import faiss

        self.ivf_min_rows = ivf_min_rows
        self.lists_for = lists_for
        self.index = faiss.IndexBinaryFlat(CODE_BYTES * 8)
        self.trained_at = 0  # rows when the inverted file was trained; 0 while flat

    @property
    def rows(self) -> int:
        return int(self.index.ntotal)

    @property
    def is_inverted_file(self) -> bool:
        return self.trained_at > 0

    @property
    def lists(self) -> int:
        return int(self.index.nlist) if self.is_inverted_file else 1

    def add(self, codes: np.ndarray) -> None:
        codes = np.ascontiguousarray(codes, dtype=np.uint8).reshape(-1, CODE_BYTES)
        if self.is_inverted_file:
            first = self.rows
            self.index.add_with_ids(codes, np.arange(first, first + len(codes), dtype=np.int64))
        else:
            self.index.add(codes)
        if self.ivf_min_rows and self.rows >= max(self.ivf_min_rows, REGROW * self.trained_at):
            self._train()

    def search(self, codes: np.ndarray, k: int, probes: int | None = None):
        """(distances, rows) of the `k` nearest codes, visiting `probes` lists (None: all)."""
        import faiss

        codes = np.ascontiguousarray(codes, dtype=np.uint8)
        if not self.is_inverted_file:
            return self.index.search(codes, k)
        params = faiss.SearchParametersIVF(nprobe=min(self.lists, probes or self.lists))
        return self.index.search(codes, k, params=params)

    def codes(self) -> np.ndarray:
        """All codes, in row order."""
        import faiss

        if not self.is_inverted_file:
            return faiss.vector_to_array(self.index.xb).reshape(-1, CODE_BYTES)
        codes = np.empty((self.rows, CODE_BYTES), np.uint8)
        inverted = self.index.invlists
        for number in range(self.index.nlist):
            size = inverted.list_size(number)
            if size:
                rows = faiss.rev_swig_ptr(inverted.get_ids(number), size).copy()
                stored = faiss.rev_swig_ptr(inverted.get_codes(number), size * CODE_BYTES)
                codes[rows] = stored.reshape(-1, CODE_BYTES)
        return codes

    def memory_bytes(self) -> int:
        """RAM of the codes (and, for an inverted file, its 64-bit ids and centroids)."""
        if self.is_inverted_file:
            return self.rows * (CODE_BYTES + 8) + self.lists * CODE_BYTES
        return self.rows * CODE_BYTES

    def _train(self) -> None:
        import faiss

        codes = self.codes()
        lists = max(1, min(self.lists_for(len(codes)), len(codes) // TRAIN_PER_LIST))
        sample = np.random.default_rng(len(codes)).choice(
            len(codes), min(len(codes), lists * TRAIN_PER_LIST), replace=False
        )
        inverted = faiss.IndexBinaryIVF(
            faiss.IndexBinaryFlat(CODE_BYTES * 8), CODE_BYTES * 8, lists
        )
        inverted.train(np.ascontiguousarray(codes[np.sort(sample)]))
        inverted.add_with_ids(codes, np.arange(len(codes), dtype=np.int64))
        self.index = inverted
        self.trained_at = len(codes)

    def write(self, path: str) -> None:
        import faiss

        faiss.write_index_binary(self.index, path)

    def read(self, path: str, trained_at: int) -> None:
        import faiss

        self.index = faiss.read_index_binary(path)
        inverted = isinstance(self.index, faiss.IndexBinaryIVF)
        self.trained_at = max(1, trained_at or self.rows) if inverted else 0
