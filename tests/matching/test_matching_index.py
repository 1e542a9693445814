"""The candidate index: FAISS answers equal brute-force Hamming; save/load keeps everything."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fairclaim.matching.errors import IndexFormatError
from fairclaim.matching.index import PDQ_CANDIDATE_DISTANCE, MatchIndex


def brute_force_within(codes: np.ndarray, query: np.ndarray, radius: int) -> set[int]:
    bits = np.unpackbits(codes, axis=1)
    distances = (np.unpackbits(query[None], axis=1) != bits).sum(axis=1)
    return set(np.flatnonzero(distances <= radius).tolist())


def flip_bits(code: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    bits = np.unpackbits(code)
    positions = rng.choice(256, size=count, replace=False)
    bits[positions] ^= 1
    return np.packbits(bits)


def test_pdq_candidates_equal_brute_force_hamming_on_seeded_codes():
    rng = np.random.default_rng(7)
    codes = rng.integers(0, 256, (5000, 32), dtype=np.uint8)
    index = MatchIndex()
    index.add_codes([f"w{i}" for i in range(len(codes))], codes)
    for trial in range(40):
        target = int(rng.integers(len(codes)))
        query = flip_bits(codes[target], int(rng.integers(0, 100)), rng)
        found = index.pdq_candidates(query[None], [(0, 0, 1, 1)])
        expected = brute_force_within(codes, query, PDQ_CANDIDATE_DISTANCE)
        # the index returns at most PDQ_NEIGHBOURS per code; the closest must agree exactly
        assert {int(w[1:]) for w in found} <= expected, trial
        if expected:
            bits = np.unpackbits(codes, axis=1)
            distances = (np.unpackbits(query) != bits).sum(axis=1)
            best = min(c.pdq_distance for c in found.values())
            assert best == distances.min()


def test_save_and_load_round_trip_keeps_ids_and_answers(tmp_path):
    rng = np.random.default_rng(11)
    codes = rng.integers(0, 256, (300, 32), dtype=np.uint8)
    index = MatchIndex()
    index.add_codes([f"holder/{i}.jpg" for i in range(300)], codes)
    index.save(tmp_path / "idx")
    assert json.loads((tmp_path / "idx" / "ids.json").read_text())["ids"][5] == "holder/5.jpg"
    loaded = MatchIndex.load(tmp_path / "idx")
    query = flip_bits(codes[42], 10, rng)[None]
    assert (
        loaded.pdq_candidates(query, [(0, 0, 1, 1)]).keys()
        == index.pdq_candidates(query, [(0, 0, 1, 1)]).keys()
    )
    assert "holder/42.jpg" in loaded.pdq_candidates(query, [(0, 0, 1, 1)])


def test_loading_a_damaged_index_raises_a_typed_error(tmp_path):
    index = MatchIndex()
    index.add_codes(["a", "b"], np.zeros((2, 32), np.uint8))
    index.save(tmp_path)
    np.save(tmp_path / "pdq_work.npy", np.zeros(1, np.int32))  # one row map entry lost
    with pytest.raises(IndexFormatError, match="disagree"):
        MatchIndex.load(tmp_path)
    with pytest.raises(IndexFormatError, match="cannot read"):
        MatchIndex.load(tmp_path / "missing")


def test_an_id_can_be_registered_only_once():
    index = MatchIndex()
    index.add_codes(["a"], np.zeros((1, 32), np.uint8))
    with pytest.raises(ValueError, match="already"):
        index.add_codes(["a"], np.zeros((1, 32), np.uint8))
