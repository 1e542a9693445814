"""A sharded index on Dask: shards built in parallel, each query fanned out to every shard,
verified there, merged here — and an answer that says which shards did not answer.

Layout of a sharded `IDX/`:

    shards.json         {"format": 1, "shards": K, "root": DIR}
    shard-000/ ...      one index directory per shard (`store.py` layout)

A work's shard is a stable hash of its id, so re-running the build updates every shard in
place (new works added, vanished ones removed) and a work never moves between shards.

A query is one Dask task per shard: the worker keeps the shard's `IndexDirectory` loaded (per
process, reloaded when the shard's id map changes), finds candidates, verifies them against the
shard's own originals and returns the verified reports. The client merges them, best first. A
shard whose task fails (its worker died too often, its directory is unreadable) or does not
answer within the deadline is named in `shards_failed` and the answer is marked `partial` — the
caller sees that part of the index was not searched, never a silent miss. A worker lost while
idle costs nothing: the shard's next task is simply run (and the shard loaded) elsewhere.
With a remote scheduler, the index directory and the originals' folder must be storage the
workers share (as for `discovery.batch`).

Must not import Django.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator
from concurrent.futures import TimeoutError as FuturesTimeout
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from fairclaim.matching.errors import IndexFormatError
from fairclaim.matching.matcher import MIN_UNEXPLAINED_SHARE
from fairclaim.matching.store import BuildStats, build_index_directory

LOCAL_WORKERS = 2  # the default LocalCluster: 2 worker processes, 1 thread each
# Seconds a query waits for every shard's answer before reporting the missing ones; a shard of
# 50,000 works answers in ~0.1–0.5 s, loading it the first time takes a few seconds.
QUERY_DEADLINE_SECONDS = 60.0
SHARDS_FORMAT = 1


def shard_of(work_id: str, shards: int) -> int:
    digest = hashlib.blake2b(work_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") % shards


def shard_path(index_dir: str | os.PathLike, number: int) -> Path:
    return Path(index_dir) / f"shard-{number:03d}"


def is_sharded(index_dir: str | os.PathLike) -> bool:
    return (Path(index_dir) / "shards.json").is_file()


def read_layout(index_dir: str | os.PathLike) -> dict:
    try:
        layout = json.loads((Path(index_dir) / "shards.json").read_text(encoding="utf-8"))
        if layout.get("format") != SHARDS_FORMAT or int(layout["shards"]) < 1:
            raise ValueError(f"unknown layout {layout!r}")
        return layout
    except (OSError, ValueError, KeyError) as exc:
        raise IndexFormatError(f"cannot read the shard layout of {index_dir}: {exc}") from exc


@contextmanager
def dask_client(scheduler: str | None = None, workers: int = LOCAL_WORKERS) -> Iterator:
    """A Dask client: of the cluster at `scheduler`, or of a LocalCluster closed afterwards."""
    from dask.distributed import Client, LocalCluster

    if scheduler:
        client = Client(scheduler)
        try:
            yield client
        finally:
            client.close()
        return
    # The scheduler's HTTP server starts whatever `dashboard_address` says (None still means
    # port 8787): a free port, so two clusters on one machine never collide.
    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def build_shard(root: str, index_dir: str, number: int, shards: int, store_features: bool):
    """Dask task: build (or update) one shard; returns its `BuildStats` as a dict."""
    stats = build_index_directory(
        root,
        shard_path(index_dir, number),
        store_features=store_features,
        select=lambda work_id: shard_of(work_id, shards) == number,
    )
    return {
        "registered": stats.registered,
        "unhashable": stats.unhashable,
        "skipped": stats.skipped,
        "added": stats.added,
        "removed": stats.removed,
        "unchanged": stats.unchanged,
    }


def build_sharded_index(
    root: str | os.PathLike,
    index_dir: str | os.PathLike,
    shards: int,
    client,
    *,
    store_features: bool = False,
    progress=None,
) -> BuildStats:
    """Build or update every shard of `index_dir` as a Dask task; failures are raised.
    `progress(shard number, shards, its stats dict)` is called as each shard finishes."""
    from dask.distributed import as_completed

    index_path = Path(index_dir)
    root_path = str(Path(root).resolve())
    if is_sharded(index_path):
        layout = read_layout(index_path)
        if layout["shards"] != shards or layout["root"] != root_path:
            raise IndexFormatError(
                f"{index_path} holds {layout['shards']} shards of {layout['root']}; write a new "
                "index directory to change either"
            )
    index_path.mkdir(parents=True, exist_ok=True)
    futures = [
        client.submit(
            build_shard, root_path, str(index_path), n, shards, store_features, pure=False
        )
        for n in range(shards)
    ]
    numbers = {future.key: n for n, future in enumerate(futures)}
    results = []
    for future in as_completed(futures):
        result = future.result()  # a failed shard build raises here: the layout is not written
        results.append(result)
        if progress:
            progress(numbers[future.key], shards, result)
    layout = {"format": SHARDS_FORMAT, "shards": shards, "root": root_path}
    (index_path / "shards.json").write_text(json.dumps(layout), encoding="utf-8")
    total = BuildStats(registered=0, unhashable=0, skipped=[])
    for result in results:
        total.registered += result["registered"]
        total.unhashable += result["unhashable"]
        total.skipped += result["skipped"]
        total.added += result["added"]
        total.removed += result["removed"]
        total.unchanged += result["unchanged"]
    return total


# Per worker process: shard path → (id map mtime, IndexDirectory, Matcher).
_loaded: dict[str, tuple[int, object, object]] = {}


def query_shard(
    shard: str,
    data: bytes,
    use_crop_tier: bool,
    show_rejected: bool,
    report_prefix: str | None = None,
    whole_only: bool = False,
) -> dict:
    """Dask task: match one found image against one shard (its whole-image stage only when
    `whole_only`); the result as JSON-ready dicts (with side-by-side PNGs written at
    `report_prefix`-s<shard>-m<rank>.png when given)."""
    import cv2

    cv2.setNumThreads(1)  # one core per task: the shards are the parallelism
    from fairclaim.matching.matcher import Matcher
    from fairclaim.matching.store import IndexDirectory

    stamp = (Path(shard) / "ids.json").stat().st_mtime_ns
    loaded = _loaded.get(shard)
    if loaded is None or loaded[0] != stamp:
        directory = IndexDirectory(shard)
        loaded = (stamp, directory, Matcher(directory.index, directory.load_features))
        _loaded[shard] = loaded
    matcher = loaded[2]
    matcher.use_crop_tier = use_crop_tier
    result = matcher.match_bytes(data, whole_only=whole_only)
    answer = result.to_json()
    if report_prefix and result.matches:
        from fairclaim.matching.report import write_report_pngs

        prefix = f"{report_prefix}-s{Path(shard).name}"
        written = write_report_pngs(prefix, data, result, loaded[1].load_features)
        for match, path in zip(answer["matches"], written, strict=True):
            match["report_png"] = path
    if show_rejected:
        answer["rejected"] = [r.to_json() for r in result.rejected]
    return answer


@dataclass
class ShardedAnswer:
    """The merged answer of every shard for one found image."""

    matches: list[dict]
    rejected: list[dict]
    candidates_checked: int
    pdq_quality: int
    hashable: bool
    found_size: list[int]
    notes: list[str]
    shards: int
    shards_failed: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def partial(self) -> bool:
        return bool(self.shards_failed)

    def to_json(self) -> dict:
        data = {
            "matches": self.matches,
            "candidates_checked": self.candidates_checked,
            "pdq_quality": self.pdq_quality,
            "hashable": self.hashable,
            "found_size": self.found_size,
            "notes": self.notes,
            "shards": self.shards,
            "shards_answered": self.shards - len(self.shards_failed),
            "shards_failed": self.shards_failed,
            "partial": self.partial,
        }
        return data


class ShardedMatcher:
    """Fan found images out to every shard of a sharded index on a Dask client.

    Example:
        >>> with dask_client() as client:
        ...     answer = ShardedMatcher("IDX", client).match_bytes(data)
        >>> answer.partial, [m["id"] for m in answer.matches]
    """

    def __init__(
        self,
        index_dir: str | os.PathLike,
        client,
        *,
        deadline: float = QUERY_DEADLINE_SECONDS,
        use_crop_tier: bool = True,
        show_rejected: bool = False,
        shards: list[str] | None = None,
        task=None,
    ) -> None:
        """`shards` and `task` replace the layout's shard directories and `query_shard` (a
        benchmark's shards held in memory); the fan-out and merge stay the same."""
        if shards is None:
            layout = read_layout(index_dir)
            shards = [str(shard_path(index_dir, n).resolve()) for n in range(layout["shards"])]
        self.shards = shards
        self.task = task or query_shard
        self.client = client
        self.deadline = deadline
        self.use_crop_tier = use_crop_tier
        self.show_rejected = show_rejected
        self.last_rejected: list[dict] = []
        self.last_rounds: list[list[dict]] = []  # each round's shard answers, for inspection
        self._home: dict[str, list[str]] = {}  # shard → the worker that last answered for it

    def match_bytes(self, data: bytes, report_prefix: str | None = None) -> ShardedAnswer:
        """Every shard's answer merged; shards that failed or missed the deadline named.

        Two rounds, as one index searches in stages: first every shard tries the whole image's
        PDQ codes only (a plain copy — most copies — is settled there); only when no shard's
        verified copy explains the found image does every shard run every stage. A shard cannot
        know that another shard's work explains the image, so without the first round each
        shard would pay the full search (region proposals, the crop tier) for every query.

        A found image that cannot be decoded fails in every shard alike: that is raised as the
        decoding error (`ImageDecodeError`), not reported as failed shards.
        """
        started = time.monotonic()
        payload = self.client.scatter(data, broadcast=False) if len(data) > 1 << 20 else data
        answers, failed = self._fan_out(payload, True, report_prefix, self.deadline)
        self.last_rounds = [answers]
        if failed or not any(
            a["matches"] and a.get("unexplained_share", 1.0) < MIN_UNEXPLAINED_SHARE
            for a in answers
        ):
            remaining = max(0.0, self.deadline - (time.monotonic() - started))
            answers, failed = self._fan_out(payload, False, report_prefix, remaining)
            self.last_rounds.append(answers)
        matches = sorted(
            (m for a in answers for m in a["matches"]),
            key=lambda m: (-m["score"], -m["inliers"], m["id"]),
        )
        notes = sorted({n for a in answers for n in a["notes"]})
        notes += [f"shard {f['shard']} not searched: {f['error']}" for f in failed]
        self.last_rejected = [r for a in answers for r in a.get("rejected", [])]
        return ShardedAnswer(
            matches=matches,
            rejected=self.last_rejected,
            candidates_checked=sum(a["candidates_checked"] for a in answers),
            pdq_quality=max((a["pdq_quality"] for a in answers), default=0),
            hashable=any(a["hashable"] for a in answers),
            found_size=answers[0]["found_size"] if answers else [0, 0],
            notes=notes,
            shards=len(self.shards),
            shards_failed=failed,
            seconds=time.monotonic() - started,
        )

    def _fan_out(
        self, payload, whole_only: bool, report_prefix: str | None, deadline: float
    ) -> tuple[list[dict], list[dict]]:
        """One task per shard; (answers of the shards that answered, failures named)."""
        from dask.distributed import wait

        from fairclaim.matching.errors import ImageDecodeError

        futures = [
            self.client.submit(
                self.task,
                shard,
                payload,
                self.use_crop_tier,
                self.show_rejected,
                report_prefix,
                whole_only,
                pure=False,
                # Prefer the worker that served this shard before (its index is loaded there);
                # any other worker takes it when that one is gone.
                workers=self._home.get(shard),
                allow_other_workers=shard in self._home,
            )
            for shard in self.shards
        ]
        with suppress(FuturesTimeout, TimeoutError):
            wait(futures, timeout=deadline)
        holders = self.client.who_has([f for f in futures if f.status == "finished"])
        answers, failed = [], []
        for number, future in enumerate(futures):
            if future.status == "finished":
                answers.append(future.result())
                where = holders.get(future.key)
                if where:
                    self._home[self.shards[number]] = list(where)
                continue
            if future.status == "error":
                error = future.exception()
                if isinstance(error, ImageDecodeError):
                    for other in futures:
                        other.cancel()
                    raise error
                failed.append({"shard": number, "error": f"{type(error).__name__}: {error}"})
            else:
                failed.append({"shard": number, "error": f"no answer within {self.deadline:g} s"})
            future.cancel()
        return answers, failed
