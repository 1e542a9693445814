"""Benchmark of the matching engine: recall per edit family, false matches, speed, memory.

Run:  .venv/bin/python bench/matching_eval.py [--photos DIR] [--families a,b] [--scale 1000000]

Builds every edit family of `fairclaim.matching.edits` from the photos with a fixed seed, indexes
the originals except a held-out "unindexed" share, queries every edited copy (of indexed and
unindexed photos alike) and prints:

* recall per family and overall, false matches (count, rate over query × indexed pairs),
  for the engine and two baselines (PDQ alone at 31 with 8 dihedral hashes; imagehash phash);
* fingerprinting throughput from JPEG bytes (CPU seconds via time.process_time, one core);
* query latency (CPU time per query; median, p99; also split by the stage that settled the
  query) against the real index, against the real index padded with 1M (and optionally 10M)
  random PDQ codes — the PDQ tier is then an inverted file and the crop tier holds the real
  works only — with recall on that sample, and against a crop tier of 19,000 synthetic works
  (random sketches);
* index memory per work.

Real-distractor mode (`--distractors 25,20000,50000`, `--synthetic 1000000`, `--cluster`,
`--design`, `--registration N`; see bench/README.md): the evaluated works among hard negatives
made from OTHER photos (`fairclaim.matching.distractors`), recall per family, false matches,
latency on one core and on the LocalCluster, index bytes per work on disk and in RAM, build
speed, and the crop tier's two designs (one inverted file, or shards searched in turn).

CPU time, not wall time, is reported because other processes share the machine.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from photos import PHOTOS
from PIL import Image

from fairclaim.matching.decode import decode_image
from fairclaim.matching.edits import FAMILIES, encode_jpeg, make_edit
from fairclaim.matching.fingerprint import (
    SKETCH_SIZE,
    WORK_FEATURE_SIDE,
    LocalFeatures,
    feature_frame,
    fingerprint_work,
    pdq_code,
    pdq_dihedral_codes,
)
from fairclaim.matching.index import MatchIndex
from fairclaim.matching.matcher import Matcher
from fairclaim.matching.verify import MIN_PIXEL_AGREEMENT

CACHE = Path("/tmp/fc-matching-cache")
# Real-distractor mode: photos evaluated (indexed + held out); the rest only feed distractors.
EVALUATED_INDEXED = 25
EVALUATED_UNINDEXED = 5
# Distractor index entries are cached in chunks of this many.
CHUNK = 1000
SEED = 20261128
# Share of photos held out of the index: their copies must match nothing.
UNINDEXED_SHARE = 0.25


def percentile(values, q):
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", default=str(PHOTOS))
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--scale", default="1000000", help="comma list of synthetic index sizes")
    parser.add_argument("--latency-sample", type=int, default=400)
    parser.add_argument(
        "--crop-scale", default="19000", help="comma list of synthetic crop-tier shard sizes"
    )
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--show-failures", action="store_true")
    parser.add_argument("--seed", type=int, default=SEED, help="another split and other edits")
    parser.add_argument("--skip-recall", action="store_true", help="latency/memory only")
    parser.add_argument("--cache", default="", help="directory to keep the edited copies in")
    parser.add_argument(
        "--build-distractors", type=int, default=0, help="only fill the distractor cache"
    )
    parser.add_argument(
        "--distractors",
        default="",
        help="real-distractor mode: comma list of index sizes (works), e.g. 25,20000,50000",
    )
    parser.add_argument(
        "--synthetic",
        default="",
        help="real-distractor mode: comma list of sizes padded with random codes and sketches",
    )
    parser.add_argument(
        "--cluster", action="store_true", help="real-distractor mode: also query on a LocalCluster"
    )
    parser.add_argument(
        "--design",
        action="store_true",
        help="also compare one crop-tier inverted file with shards of 20,000 works at each size",
    )
    parser.add_argument(
        "--registration",
        type=int,
        default=0,
        help="run `fairclaim match index` on this many distractor JPEGs: speed, RSS, disk",
    )
    parser.add_argument(
        "--cluster-only", action="store_true", help="with --cluster: skip the one-core run"
    )
    args = parser.parse_args()
    if args.registration:
        return registration_run(args)
    if args.build_distractors:
        build_distractor_cache(Path(args.photos), args.seed, args.build_distractors)
        return 0
    if args.distractors or args.synthetic:
        return real_distractor_mode(args)

    import cv2
    import faiss

    cv2.setNumThreads(1)
    faiss.omp_set_num_threads(1)

    root = Path(args.photos)
    with open(root / "manifest.csv", encoding="utf-8") as handle:
        files = sorted(row["file"] for row in csv.DictReader(handle))
    seed = args.seed
    rng = random.Random(seed)
    shuffled = files[:]
    rng.shuffle(shuffled)
    n_out = round(len(files) * UNINDEXED_SHARE)
    unindexed, indexed = sorted(shuffled[:n_out]), sorted(shuffled[n_out:])
    families = args.families.split(",")
    print(f"photos: {len(files)} ({len(indexed)} indexed, {len(unindexed)} unindexed)")
    print(f"families: {len(families)}; seed {seed}")

    raw = {name: (root / name).read_bytes() for name in files}

    # Fingerprinting throughput (one core, CPU time), from JPEG bytes; the product's path (draft
    # decode, feature frame, PDQ). Steady state: one untimed image first loads the libraries,
    # then the best of three passes.
    def fingerprint_pdq(name):
        return pdq_code(feature_frame(decode_image(raw[name], min_long_side=WORK_FEATURE_SIDE).rgb))

    def fingerprint_full(name):
        return fingerprint_work(decode_image(raw[name], min_long_side=WORK_FEATURE_SIDE))

    fingerprint_full(indexed[0])
    pdq_cpu = best_of_three(lambda: [fingerprint_pdq(name) for name in indexed])
    full_cpu = best_of_three(lambda: [fingerprint_full(name) for name in indexed])
    fingerprints = {name: fingerprint_full(name) for name in indexed}
    sizes = [Image.open(io.BytesIO(raw[n])).size for n in indexed]
    print(
        f"fingerprint (draft decode ≥{WORK_FEATURE_SIDE} + feature frame + PDQ): "
        f"{len(indexed) / pdq_cpu:.0f} images/s/core; "
        f"full registration (+ORB, sketch, thumbnail): {len(indexed) / full_cpu:.0f} images/s/core "
        f"[{len(indexed)} JPEGs, median {statistics.median(w for w, _ in sizes)} px wide; "
        "time.process_time]"
    )

    index = MatchIndex()
    for name in indexed:
        index.add(name, fingerprints[name])
    features = {name: fp.features for name, fp in fingerprints.items()}
    matcher = Matcher(index, features.__getitem__)

    originals = {name: Image.open(io.BytesIO(raw[name])).convert("RGB") for name in files}
    extras_pool = [originals[n] for n in unindexed]

    queries = []  # (photo, family, jpeg bytes)
    for p_i, name in enumerate(files):
        for f_i, family in enumerate(families):
            extras = [e for e in extras_pool if e is not originals[name]]
            cached = Path(args.cache) / f"{seed}" / family / name if args.cache else None
            if cached and cached.exists():
                queries.append((name, family, cached.read_bytes()))
                continue
            edited = make_edit(family, originals[name], seed + 1000 * p_i + f_i, extras)
            data = encode_jpeg(edited, 90)
            if cached:
                cached.parent.mkdir(parents=True, exist_ok=True)
                cached.write_bytes(data)
            queries.append((name, family, data))
    print(f"queries: {len(queries)}")

    engine_hits = defaultdict(lambda: [0, 0])
    engine_false: list[tuple] = []
    latencies = []
    by_stage = defaultdict(list)  # which stage settled the query → CPU times
    failures = []
    true_scores: list[tuple[float, int]] = []
    wrong_scores: list[tuple[float, int]] = []
    indexed_set = set(indexed)
    for name, family, data in [] if args.skip_recall else queries:
        t0 = time.process_time()
        result = matcher.match_bytes(data)
        latencies.append(time.process_time() - t0)
        by_stage[settled_by(result)].append(latencies[-1])
        ids = [m.work_id for m in result.matches]
        for report in [*result.matches, *result.rejected]:
            if report.blocks_compared:  # reached the pixel check
                (true_scores if report.work_id == name else wrong_scores).append(
                    (report.score, report.inliers)
                )
        for work_id in ids:
            if work_id != name:
                engine_false.append((name, family, work_id, result.matches))
        if name in indexed_set:
            engine_hits[family][1] += 1
            if name in ids:
                engine_hits[family][0] += 1
            else:
                failures.append((name, family, [(r.work_id, r.reason) for r in result.rejected]))
    if not args.skip_recall:
        n_pairs = len(queries) * len(indexed)
        print_recall(
            "engine (PDQ+crop tier → ORB/RANSAC → pixel check)", engine_hits, engine_false, n_pairs
        )
        print(
            f"engine query CPU time, real index ({len(indexed)} works, crop tier on): "
            f"median {1000 * statistics.median(latencies):.1f} ms, "
            f"p99 {1000 * percentile(latencies, 99):.1f} ms"
        )
        print_stages(by_stage)
        # Margins: how far from the thresholds decisions fell (thresholds from principles).
        agreement = sorted(score for score, _ in true_scores)
        print(
            f"pixel agreement of true pairs reaching the pixel check: n={len(agreement)}, "
            f"min {agreement[0]:.2f}, p1 {percentile(agreement, 1):.2f}, "
            f"p5 {percentile(agreement, 5):.2f}, median {percentile(agreement, 50):.2f}"
            if agreement
            else "no true pair reached the pixel check"
        )
        if wrong_scores:
            print(
                f"wrong pairs reaching the pixel check: n={len(wrong_scores)}, "
                f"max agreement {max(s for s, _ in wrong_scores):.2f}, "
                f"max inliers {max(i for _, i in wrong_scores)} "
                f"(threshold {MIN_PIXEL_AGREEMENT})"
            )
        else:
            print("wrong pairs reaching the pixel check: none (geometry refused them all)")
        if args.show_failures:
            for failure in failures:
                print("  miss:", failure)
            for false in engine_false:
                print("  FALSE:", false[:3], [(m.work_id, m.score, m.inliers) for m in false[3]])

    if not args.no_baselines:
        baselines(indexed, raw, queries, indexed_set)

    print(
        f"index memory: PDQ tier {index.pdq_memory_bytes() / len(index):.0f} B/work; "
        f"crop tier {index.sketch_memory_bytes() / len(index):.0f} B/work "
        "(codes + int32 row map; ids extra)"
    )

    # A synthetic code can land within the candidate distance by chance (10M × ~14 codes); it
    # has no features, so its verification stops at "too few features" (a real one would cost a
    # full verification, ~5–10 ms).
    no_features = LocalFeatures(
        np.zeros((0, 4), np.float32), np.zeros((0, 32), np.uint8), (1, 1), (1, 1), b""
    )
    sample = random.Random(seed).sample(queries, min(args.latency_sample, len(queries)))
    rng = np.random.default_rng(seed)
    for scale in [int(s) for s in args.scale.split(",") if s]:
        codes = rng.integers(0, 256, (scale, 32), dtype=np.uint8)
        big, built = padded_index(MatchIndex.add_codes, codes, fingerprints)
        del codes
        tier = "inverted file" if big.pdq_is_inverted_file else "flat"
        run_scale(
            f"{scale:,} synthetic + {len(indexed)} real works (PDQ tier {tier}, "
            f"{big._pdq.lists} lists; crop tier of the real works only; "
            f"built in {built:.0f} s CPU; PDQ tier {big.pdq_memory_bytes() / len(big):.0f} B/work)",
            Matcher(big, lambda work_id: features.get(work_id, no_features)),
            sample,
            indexed_set,
        )
        del big
    for works in [int(s) for s in args.crop_scale.split(",") if s]:
        # The crop tier at its largest shard: synthetic works carry random PDQ codes and random
        # ORB sketches (uniform random descriptors: the inverted file's hardest case).
        sketches = rng.integers(0, 256, (works, SKETCH_SIZE, 32), dtype=np.uint8)
        big, built = padded_index(MatchIndex.add_sketches, sketches, fingerprints)
        run_scale(
            f"{works:,} synthetic + {len(indexed)} real works, crop tier on "
            f"({big._sketch.lists} lists; built in {built:.0f} s CPU; crop tier "
            f"{big.sketch_memory_bytes() / len(big):.0f} B/work)",
            Matcher(big, lambda work_id: features.get(work_id, no_features)),
            sample,
            indexed_set,
        )
        del big
    return 0


def best_of_three(work) -> float:
    times = []
    for _ in range(3):
        t0 = time.process_time()
        work()
        times.append(time.process_time() - t0)
    return min(times)


def padded_index(add_synthetic, synthetic: np.ndarray, fingerprints: dict):
    """An index of synthetic works (added first, so the real works join an already trained
    index, as any work registered later would) plus the real ones; and its build CPU time."""
    t0 = time.process_time()
    index = MatchIndex()
    add_synthetic(index, [f"synthetic-{i}" for i in range(len(synthetic))], synthetic)
    for name, fingerprint in fingerprints.items():
        index.add(name, fingerprint)
    return index, time.process_time() - t0


def settled_by(result) -> str:
    if not result.matches:
        return "no match"
    return "PDQ stage" if result.matches[0].pdq_distance is not None else "crop tier"


def print_stages(by_stage) -> None:
    for stage, times in sorted(by_stage.items()):
        print(
            f"  settled by {stage}: n={len(times)}, "
            f"median {1000 * statistics.median(times):.1f} ms, "
            f"p99 {1000 * percentile(times, 99):.1f} ms"
        )


def run_scale(title, matcher, sample, indexed_set) -> None:
    times, by_stage, hits, total, false = [], defaultdict(list), 0, 0, 0
    for name, _family, data in sample:
        t0 = time.process_time()
        result = matcher.match_bytes(data)
        times.append(time.process_time() - t0)
        by_stage[settled_by(result)].append(times[-1])
        ids = [m.work_id for m in result.matches]
        false += sum(work_id != name for work_id in ids)
        if name in indexed_set:
            total += 1
            hits += name in ids
    print(f"\n== query CPU time with {title}")
    print(
        f"median {1000 * statistics.median(times):.1f} ms, p99 {1000 * percentile(times, 99):.1f}"
        f" ms over {len(times)} queries; "
        f"recall on them {hits}/{total} = {hits / max(total, 1):.3f}; false matches {false}"
    )
    print_stages(by_stage)


def print_recall(title, hits, false, n_pairs):
    total_hit = sum(h for h, _ in hits.values())
    total = sum(n for _, n in hits.values())
    print(f"\n== {title}")
    print(f"recall overall {total_hit}/{total} = {total_hit / max(total, 1):.3f}")
    worst = min((h / n, f) for f, (h, n) in hits.items()) if hits else (0, "-")
    print(f"worst family: {worst[1]} {worst[0]:.3f}")
    print("  " + "  ".join(f"{f}={h / n:.2f}" for f, (h, n) in hits.items()))
    print(
        f"false matches: {len(false)} (rate {len(false) / n_pairs:.2e} "
        f"over {n_pairs} query×indexed pairs)"
    )


def baselines(indexed, raw, queries, indexed_set):
    import imagehash

    # PDQ alone: original whole-image code vs the query's 8 dihedral codes, distance ≤ 31.
    codes = np.stack(
        [np.frombuffer(pdq_code(decode_image(raw[n]).rgb)[0], np.uint8) for n in indexed]
    )
    bits = np.unpackbits(codes, axis=1)
    phashes = [imagehash.phash(Image.open(io.BytesIO(raw[n])).convert("RGB")) for n in indexed]
    pdq_hits = defaultdict(lambda: [0, 0])
    pdq_false = []
    ph_dist = []  # (query photo, family, distances array)
    for name, family, data in queries:
        dihedral, _quality = pdq_dihedral_codes(decode_image(data).rgb)
        qbits = np.unpackbits(dihedral, axis=1)
        distances = (qbits[:, None, :] != bits[None, :, :]).sum(axis=2).min(axis=0)
        matched = {indexed[i] for i in np.flatnonzero(distances <= 31)}
        pdq_false.extend((name, family, m) for m in matched if m != name)
        qph = imagehash.phash(Image.open(io.BytesIO(data)).convert("RGB"))
        ph_dist.append((name, family, np.array([qph - p for p in phashes])))
        if name in indexed_set:
            pdq_hits[family][1] += 1
            pdq_hits[family][0] += name in matched
    n_pairs = len(queries) * len(indexed)
    print_recall("baseline: PDQ alone (8 dihedral, ≤ 31)", pdq_hits, pdq_false, n_pairs)
    # phash: the largest threshold with zero false matches on this very set (an oracle, which
    # flatters the baseline), and the common fixed threshold 10.
    wrong = [d[[i for i, n in enumerate(indexed) if n != name]] for name, _f, d in ph_dist]
    zero_false = int(min(w.min() for w in wrong)) - 1
    for threshold, label in ((zero_false, "oracle zero-false"), (10, "fixed")):
        hits = defaultdict(lambda: [0, 0])
        false = []
        for (name, family, d), w in zip(ph_dist, wrong, strict=True):
            false.extend([name] * int((w <= threshold).sum()))
            if name in indexed_set:
                hits[family][1] += 1
                hits[family][0] += bool(d[indexed.index(name)] <= threshold)
        print_recall(f"baseline: imagehash phash ≤ {threshold} ({label})", hits, false, n_pairs)


def real_split(files: list[str], seed: int) -> tuple[list[str], list[str], list[str]]:
    """(indexed, unindexed, distractor sources): the evaluated photos never feed distractors."""
    shuffled = files[:]
    random.Random(seed).shuffle(shuffled)
    evaluated = EVALUATED_INDEXED + EVALUATED_UNINDEXED
    return (
        sorted(shuffled[:EVALUATED_INDEXED]),
        sorted(shuffled[EVALUATED_INDEXED:evaluated]),
        sorted(shuffled[evaluated:]),
    )


def distractor_dir(seed: int) -> Path:
    from fairclaim.matching.distractors import DISTRACTOR_VERSION
    from fairclaim.matching.fingerprint import SKETCH_SIZE

    return CACHE / f"distractors-v{DISTRACTOR_VERSION}-s{seed}-k{SKETCH_SIZE}"


def distractor_sources(root: Path, names: list[str]) -> list[Image.Image]:
    return [Image.open(root / name).convert("RGB") for name in names]


def distractor_fingerprint(sources, seed: int, number: int):
    from fairclaim.matching.decode import DecodedImage
    from fairclaim.matching.distractors import make_distractor

    image = make_distractor(sources, seed, number)
    return fingerprint_work(DecodedImage(np.asarray(image), image.size, "RGB"))


def build_distractor_cache(root: Path, seed: int, count: int) -> None:
    """Fingerprint distractors 0..count-1 into cached chunks (skips chunks already there)."""
    with open(root / "manifest.csv", encoding="utf-8") as handle:
        files = sorted(row["file"] for row in csv.DictReader(handle))
    _, _, source_names = real_split(files, seed)
    sources = distractor_sources(root, source_names)
    folder = distractor_dir(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for chunk in range((count + CHUNK - 1) // CHUNK):
        target = folder / f"chunk-{chunk:05d}.npz"
        if target.exists():
            continue
        t0 = time.process_time()
        pdq = np.zeros((CHUNK, 32), np.uint8)
        quality = np.zeros(CHUNK, np.int16)
        sketch = np.zeros((CHUNK, SKETCH_SIZE, 32), np.uint8)
        lengths = np.zeros(CHUNK, np.int16)
        for row in range(CHUNK):
            fingerprint = distractor_fingerprint(sources, seed, chunk * CHUNK + row)
            if fingerprint.hashable:
                pdq[row] = np.frombuffer(fingerprint.pdq, np.uint8)
            quality[row] = fingerprint.quality
            lengths[row] = len(fingerprint.sketch)
            sketch[row, : lengths[row]] = fingerprint.sketch
        partial = target.with_suffix(".part.npz")
        np.savez(partial, pdq=pdq, quality=quality, sketch=sketch, lengths=lengths)
        partial.rename(target)
        print(
            f"distractor chunk {chunk}: {CHUNK} in {time.process_time() - t0:.0f} s CPU",
            flush=True,
        )


def load_distractors(seed: int, count: int):
    """(pdq, hashable, sketches, lengths) of distractors 0..count-1 from the cache."""
    folder = distractor_dir(seed)
    parts = []
    for chunk in range((count + CHUNK - 1) // CHUNK):
        target = folder / f"chunk-{chunk:05d}.npz"
        if not target.exists():
            raise SystemExit(
                f"distractor cache incomplete ({target}); run with --build-distractors {count}"
            )
        with np.load(target, allow_pickle=False) as arrays:
            parts.append({key: arrays[key] for key in arrays.files})
    joined = {key: np.concatenate([p[key] for p in parts])[:count] for key in parts[0]}
    from fairclaim.matching.fingerprint import PDQ_QUALITY_THRESHOLD

    hashable = joined["quality"] >= PDQ_QUALITY_THRESHOLD
    return joined["pdq"], hashable, joined["sketch"], joined["lengths"]


class DistractorFeatures:
    """Verification features: the evaluated works' from their fingerprints, a distractor's
    computed again from its picture (as the product re-derives them from the original), with
    the product's cache size."""

    def __init__(self, real: dict, sources, seed: int) -> None:
        from collections import OrderedDict

        from fairclaim.matching.store import FEATURE_CACHE_WORKS

        self.real, self.sources, self.seed = real, sources, seed
        self.cache: OrderedDict = OrderedDict()
        self.limit = FEATURE_CACHE_WORKS
        self.computed = 0

    def __call__(self, work_id: str):
        if work_id in self.real:
            return self.real[work_id]
        if work_id.startswith("synthetic-"):
            return NO_FEATURES
        if work_id in self.cache:
            self.cache.move_to_end(work_id)
            return self.cache[work_id]
        number = int(work_id.split("-")[1])
        features = distractor_fingerprint(self.sources, self.seed, number).features
        self.computed += 1
        self.cache[work_id] = features
        if len(self.cache) > self.limit:
            self.cache.popitem(last=False)
        return features


NO_FEATURES = LocalFeatures(
    np.zeros((0, 4), np.float32), np.zeros((0, 32), np.uint8), (1, 1), (1, 1), b""
)


def real_distractor_mode(args) -> int:
    """Recall per family, false matches, latency, index size and build speed with the
    evaluated works among distractors made from other photos (see `distractors.py`)."""
    import cv2
    import faiss

    cv2.setNumThreads(1)
    faiss.omp_set_num_threads(1)
    root = Path(args.photos)
    with open(root / "manifest.csv", encoding="utf-8") as handle:
        files = sorted(row["file"] for row in csv.DictReader(handle))
    seed = args.seed
    indexed, unindexed, source_names = real_split(files, seed)
    sources = distractor_sources(root, source_names)
    families = args.families.split(",")
    print(
        f"real-distractor mode, seed {seed}: {len(indexed)} evaluated works indexed, "
        f"{len(unindexed)} evaluated photos held out, distractors from {len(source_names)} other "
        f"photos; {len(families)} families"
    )
    raw = {name: (root / name).read_bytes() for name in indexed + unindexed}

    def register(name):
        return fingerprint_work(decode_image(raw[name], min_long_side=WORK_FEATURE_SIDE))

    register(indexed[0])
    t0 = time.process_time()
    fingerprints = {name: register(name) for name in indexed}
    per_work = (time.process_time() - t0) / len(indexed)
    print(
        f"registration (decode + PDQ + ORB + sketch), evaluated JPEGs: "
        f"{1 / per_work:.0f} works per CPU-second"
    )
    real_features = {name: fp.features for name, fp in fingerprints.items()}
    queries = real_queries(args, root, indexed, unindexed, families, seed)
    print(f"queries: {len(queries)} ({len(indexed) * len(families)} of indexed works)")
    views = design_views(queries, seed) if args.design else []
    one_shard = shard_cost(views, seed) if args.design else 0.0
    sizes = [int(v) for v in args.distractors.split(",") if v]
    rows = []
    for size in sizes:
        count = max(0, size - len(indexed))
        t0 = time.process_time()
        index = MatchIndex()
        if count:
            pdq, hashable, sketches, lengths = load_distractors(seed, count)
            index.add_bulk(
                [f"distractor-{i}" for i in range(count)], pdq, hashable, sketches, lengths
            )
            del pdq, sketches
        for name in indexed:
            index.add(name, fingerprints[name])
        insert = time.process_time() - t0
        if args.design:
            design_line(index, views, one_shard)
        loader = DistractorFeatures(real_features, sources, seed)
        if args.cluster:
            sample = random.Random(seed).sample(queries, min(args.latency_sample, len(queries)))
            cluster_latency(args, size, count, sample, set(indexed))
            if args.cluster_only:
                continue
        rows.append(
            evaluate_size(
                f"{size:,} works ({count:,} distractors)",
                index,
                loader,
                queries,
                set(indexed),
                families,
                insert,
                per_work,
                args,
            )
        )
        del index
    rng = np.random.default_rng(seed)
    for size in [int(v) for v in args.synthetic.split(",") if v]:
        count = size - len(indexed)
        t0 = time.process_time()
        index = MatchIndex()
        step = 100_000  # added in slices: bounded memory for the random load
        for first in range(0, count, step):
            n = min(step, count - first)
            index.add_bulk(
                [f"synthetic-{i}" for i in range(first, first + n)],
                rng.integers(0, 256, (n, 32), dtype=np.uint8),
                np.ones(n, bool),
                rng.integers(0, 256, (n, SKETCH_SIZE, 32), dtype=np.uint8),
                None,
            )
        for name in indexed:
            index.add(name, fingerprints[name])
        insert = time.process_time() - t0
        if args.design:
            design_line(index, views, one_shard)
        sample = random.Random(seed).sample(queries, min(args.latency_sample, len(queries)))
        rows.append(
            evaluate_size(
                f"{size:,} works ({count:,} random codes and sketches)",
                index,
                DistractorFeatures(real_features, sources, seed),
                sample,
                set(indexed),
                families,
                insert,
                per_work,
                args,
            )
        )
        del index
    print(
        "\n| works | recall | worst family | false | p50 / p95 ms (1 core) | disk B/work "
        "| RAM B/work |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        print(row)
    return 0


def real_queries(args, root, indexed, unindexed, families, seed):
    """(photo, family, JPEG bytes) of every edit of every evaluated photo; collage extras are
    held-out evaluated photos, never distractor sources (a distractor could then truly match)."""
    originals = {n: Image.open(root / n).convert("RGB") for n in indexed + unindexed}
    queries = []
    for p_i, name in enumerate(sorted(indexed + unindexed)):
        extras = [originals[n] for n in unindexed if n != name]
        for f_i, family in enumerate(families):
            cached = CACHE / f"queries-s{seed}" / family / name
            if cached.exists():
                queries.append((name, family, cached.read_bytes()))
                continue
            edited = make_edit(family, originals[name], seed + 1000 * p_i + f_i, extras)
            data = encode_jpeg(edited, 90)
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_bytes(data)
            queries.append((name, family, data))
    return queries


def evaluate_size(title, index, loader, queries, indexed_set, families, insert, per_work, args):
    import tempfile

    matcher = Matcher(index, loader)
    hits = defaultdict(lambda: [0, 0])
    false = []
    latencies = []
    misses = []
    for name, family, data in queries:
        t0 = time.process_time()
        result = matcher.match_bytes(data)
        latencies.append(time.process_time() - t0)
        ids = [m.work_id for m in result.matches]
        false.extend((name, family, w) for w in ids if w != name)
        if name in indexed_set:
            hits[family][1] += 1
            hits[family][0] += name in ids
            if name not in ids:
                misses.append((name, family))
    total = sum(n for _, n in hits.values())
    found = sum(h for h, _ in hits.values())
    worst = min((h / n, f) for f, (h, n) in hits.items())
    with tempfile.TemporaryDirectory(dir=CACHE) as folder:
        index.save(folder)
        # An index directory also holds files.npy (3 × uint64 per work) and sources.json.
        disk = sum(f.stat().st_size for f in Path(folder).iterdir()) + 24 * len(index)
    memory = index.pdq_memory_bytes() + index.sketch_memory_bytes()
    ids_memory = (
        sum(sys.getsizeof(w) for w in index.ids)
        + sys.getsizeof(index.ids)
        + sys.getsizeof(index._numbers)
    )
    print(f"\n== {title}")
    print(f"recall {found}/{total} = {found / total:.3f}; worst family {worst[1]} {worst[0]:.2f}")
    print("  " + "  ".join(f"{f}={h}/{n}" for f, (h, n) in hits.items()))
    print(f"false matches: {len(false)} {false[:5]}")
    print(
        f"query CPU time (one core): p50 {1000 * percentile(latencies, 50):.0f} ms, "
        f"p95 {1000 * percentile(latencies, 95):.0f} ms, max {1000 * max(latencies):.0f} ms "
        f"over {len(latencies)} queries; distractor features re-derived {loader.computed}×"
    )
    print(
        f"index: {disk / len(index):.0f} B/work on disk, tiers {memory / len(index):.0f} B/work "
        f"in RAM + ids {ids_memory / len(index):.0f} B/work; inserting the fingerprints took "
        f"{insert:.1f} s CPU "
        f"({len(index) / max(insert, 1e-9):.0f} works/s); registration from JPEG "
        f"~{1 / per_work:.0f} works per CPU-second"
    )
    if args.show_failures:
        print("  misses:", misses)
    return (
        f"| {title} | {found / total:.3f} | {worst[1]} {worst[0]:.2f} | {len(false)} | "
        f"{1000 * percentile(latencies, 50):.0f} / {1000 * percentile(latencies, 95):.0f} | "
        f"{disk / len(index):.0f} | {(memory + ids_memory) / len(index):.0f} |"
    )


CLUSTER_SHARDS = 2


def cluster_shard_task(
    key: str, data: bytes, use_crop_tier, show_rejected, report_prefix, whole_only=False
):
    """Dask task of the benchmark: one shard of the real-distractor index, built in the worker
    from the cache on first use (the product's `query_shard` reads an index directory)."""
    import cv2
    import faiss

    # The worker's per-process shard cache lives in an imported module: a global of this script
    # would travel by value with the function and be empty on every call.
    from fairclaim.matching.shards import _loaded as worker_shards
    from fairclaim.matching.shards import shard_of

    if key not in worker_shards:
        cv2.setNumThreads(1)
        faiss.omp_set_num_threads(1)
        photos, seed, count, number = key.split("|")
        seed, count, number = int(seed), int(count), int(number)
        root = Path(photos)
        with open(root / "manifest.csv", encoding="utf-8") as handle:
            files = sorted(row["file"] for row in csv.DictReader(handle))
        indexed, _, source_names = real_split(files, seed)
        index = MatchIndex()
        ids = [f"distractor-{i}" for i in range(count)]
        mine = np.array([shard_of(w, CLUSTER_SHARDS) == number for w in ids], bool)
        if count:
            pdq, hashable, sketches, lengths = load_distractors(seed, count)
            index.add_bulk(
                [w for w, m in zip(ids, mine, strict=True) if m],
                pdq[mine],
                hashable[mine],
                sketches[mine],
                lengths[mine],
            )
        real = {}
        for name in indexed:
            if shard_of(name, CLUSTER_SHARDS) == number:
                data_bytes = (root / name).read_bytes()
                fingerprint = fingerprint_work(
                    decode_image(data_bytes, min_long_side=WORK_FEATURE_SIDE)
                )
                index.add(name, fingerprint)
                real[name] = fingerprint.features
        loader = DistractorFeatures(real, distractor_sources(root, source_names), seed)
        worker_shards[key] = Matcher(index, loader)
    t0 = time.process_time()
    answer = worker_shards[key].match_bytes(data, whole_only=whole_only).to_json()
    answer["cpu"] = time.process_time() - t0  # read back by the bench
    return answer


def cluster_latency(args, size, count, queries, indexed_set) -> None:
    """Wall-clock latency of the queries fanned out to 2 shards on the default LocalCluster."""
    from fairclaim.matching.shards import ShardedMatcher, dask_client

    keys = [f"{args.photos}|{args.seed}|{count}|{n}" for n in range(CLUSTER_SHARDS)]
    with dask_client() as client:
        matcher = ShardedMatcher(None, client, shards=keys, task=cluster_shard_task, deadline=600)
        matcher.match_bytes(queries[0][2])  # shards built in the workers, not timed
        times, cpu, rounds, hits, total, false, partial = [], [], [], 0, 0, 0, 0
        for name, _family, data in queries:
            t0 = time.perf_counter()
            answer = matcher.match_bytes(data)
            times.append(time.perf_counter() - t0)
            cpu.append(sum(max(a["cpu"] for a in r) for r in matcher.last_rounds if r))
            rounds.append(len(matcher.last_rounds))
            ids = [m["id"] for m in answer.matches]
            false += sum(w != name for w in ids)
            partial += answer.partial
            if name in indexed_set:
                total += 1
                hits += name in ids
    print(
        f"\n== {size:,} works on the LocalCluster ({CLUSTER_SHARDS} shards, 2 workers): wall "
        f"p50 {1000 * percentile(times, 50):.0f} ms, p95 {1000 * percentile(times, 95):.0f} ms "
        f"per query over {len(times)} sampled queries; recall on them {hits}/{total} = "
        f"{hits / max(total, 1):.3f}; false {false}; partial answers {partial}; "
        f"{rounds.count(2)} needed the second round; CPU of the slower shard (summed over "
        f"rounds) p50 {1000 * percentile(cpu, 50):.0f} ms, "
        f"p95 {1000 * percentile(cpu, 95):.0f} ms (the wall time on an idle 2-core machine, "
        "plus Dask's round trip)"
    )


def registration_run(args) -> int:
    """The product's registration path end to end (`fairclaim match index` in a child process):
    works per second, peak RSS at two sizes (flat = bounded memory), bytes per work on disk, and
    an update run that finds nothing to do."""
    import resource
    import shutil
    import subprocess

    root = Path(args.photos)
    with open(root / "manifest.csv", encoding="utf-8") as handle:
        files = sorted(row["file"] for row in csv.DictReader(handle))
    _, _, source_names = real_split(files, args.seed)
    sources = distractor_sources(root, source_names)
    from fairclaim.matching.distractors import make_distractor

    folder = CACHE / f"registration-s{args.seed}"
    for number in range(args.registration):
        target = folder / f"{number // 1000:03d}" / f"d{number:07d}.jpg"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(encode_jpeg(make_distractor(sources, args.seed, number), 90))
    command = [sys.executable, "-m", "fairclaim.cli", "match", "index", "--quiet", "--out"]
    for count in sorted({max(1, args.registration // 4), args.registration}):
        subset = CACHE / f"registration-subset-{count}"
        shutil.rmtree(subset, ignore_errors=True)
        subset.mkdir(parents=True)
        for number in range(count):
            name = f"{number // 1000:03d}/d{number:07d}.jpg"
            (subset / name).parent.mkdir(exist_ok=True)
            os.link(folder / name, subset / name)
        out = CACHE / f"registration-index-{count}"
        shutil.rmtree(out, ignore_errors=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([*command, str(out), str(subset)], check=True, stdout=subprocess.DEVNULL)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        disk = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
        t0 = time.monotonic()
        subprocess.run([*command, str(out), str(subset)], check=True, stdout=subprocess.DEVNULL)
        print(
            f"registration of {count:,} JPEGs (fairclaim match index): "
            f"{count / cpu:.0f} works per CPU-second, peak RSS of the largest child so far "
            f"{after.ru_maxrss / 1024:.0f} MB, {disk / count:.0f} B/work on disk; "
            f"update run with nothing changed: {time.monotonic() - t0:.1f} s wall"
        )
        shutil.rmtree(subset, ignore_errors=True)
    return 0


def design_views(queries, seed) -> list:
    """ORB descriptors of 20 real queries in the crop tier's three views."""
    from fairclaim.matching.verify import QueryImage

    views = []
    for _name, _family, data in random.Random(seed).sample(queries, 20):
        decoded = decode_image(data, min_side=512)
        query = QueryImage.from_rgb(decoded.rgb, decoded.original_size)
        keys = [(0, False), (0, True)] + ([(1, False)] if len(query.levels) > 1 else [])
        views.append([query.features(level, flipped)[1] for level, flipped in keys])
    return views


def crop_tier_cost(index, views) -> float:
    """CPU seconds per query of the crop tier's search alone."""
    t0 = time.process_time()
    for descriptors in views:
        for view in descriptors:
            index.sketch_votes(view)
    return (time.process_time() - t0) / len(views)


DESIGN_SHARD_WORKS = 20_000


def shard_cost(views, seed) -> float:
    """The crop tier's cost in one shard of `DESIGN_SHARD_WORKS` random works."""
    rng = np.random.default_rng(seed)
    shard = MatchIndex()
    shard.add_sketches(
        [f"s{i}" for i in range(DESIGN_SHARD_WORKS)],
        rng.integers(0, 256, (DESIGN_SHARD_WORKS, SKETCH_SIZE, 32), dtype=np.uint8),
    )
    return crop_tier_cost(shard, views)


def design_line(index, views, one_shard: float) -> None:
    """The two ways to keep the crop tier on at this size: one inverted file with √-sized lists
    (this index) or shards of `DESIGN_SHARD_WORKS` works, each searched in turn (one measured,
    multiplied: random shards cost the same)."""
    works = len(index)
    single = crop_tier_cost(index, views)
    shards = -(-works // DESIGN_SHARD_WORKS)  # every shard at most DESIGN_SHARD_WORKS works
    print(
        f"crop tier design at {works:,} works: one inverted file ({index._sketch.lists} lists) "
        f"{1000 * single:.0f} ms CPU per query; {shards} shards of {DESIGN_SHARD_WORKS:,} "
        f"searched in turn {1000 * one_shard * shards:.0f} ms (one shard {1000 * one_shard:.1f} "
        f"ms; in parallel on c cores: ÷ c)"
    )


if __name__ == "__main__":
    sys.exit(main())
