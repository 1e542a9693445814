"""Agency scale: several works in one found image, an index updated in place (added, removed,
changed originals), a compact index that re-derives verification features from the originals,
and a sharded index queried on a Dask LocalCluster that survives a lost worker and names the
shards that did not answer."""

from __future__ import annotations

import io
import os
import shutil
import signal

import numpy as np
import pytest
from PIL import Image

from fairclaim.matching.edits import encode_jpeg
from fairclaim.matching.index import MatchIndex
from fairclaim.matching.store import IndexDirectory, build_index_directory


def collage_of(images: list[Image.Image], cell: int = 400) -> bytes:
    """A 2×2 collage with white gaps, each picture letterboxed in its cell."""
    from PIL import ImageOps

    canvas = Image.new("RGB", (2 * cell + 10, 2 * cell + 10), (255, 255, 255))
    for i, image in enumerate(images):
        fitted = ImageOps.contain(image, (cell - 10, cell - 10))
        canvas.paste(fitted, (10 + (i % 2) * cell, 10 + (i // 2) * cell))
    return encode_jpeg(canvas, 90)


def test_two_works_in_one_collage_are_both_found_with_their_placement(small_index, photos):
    matcher, _ = small_index
    first, second = photos.indexed[0], photos.indexed[2]
    tiles = [photos.image(first), photos.image(photos.unindexed[0])]
    tiles += [photos.image(photos.unindexed[1]), photos.image(second)]
    result = matcher.match_bytes(collage_of(tiles))
    found = {m.work_id: m for m in result.matches}
    assert set(found) == {first, second}
    # top-left cell and bottom-right cell of the 810 × 810 collage
    x0, y0, x1, y1 = found[first].transform.placement_box
    assert x1 <= 420
    assert y1 <= 420
    x0, y0, x1, y1 = found[second].transform.placement_box
    assert x0 >= 390
    assert y0 >= 390


def test_a_plain_copy_is_settled_without_searching_further(small_index, photos):
    matcher, _ = small_index
    result = matcher.match_bytes(photos.bytes(photos.indexed[1]))
    assert [m.work_id for m in result.matches] == [photos.indexed[1]]
    assert result.candidates_checked == 1


def test_removed_work_is_never_a_candidate_and_its_id_can_return():
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 256, (50, 32), dtype=np.uint8)
    index = MatchIndex()
    index.add_codes([f"w{i}" for i in range(50)], codes)
    index.remove("w7")
    assert "w7" not in index
    assert len(index) == 49
    assert "w7" not in index.pdq_candidates(codes[7:8], [(0, 0, 1, 1)])
    index.add_codes(["w7"], codes[7:8])
    assert "w7" in index.pdq_candidates(codes[7:8], [(0, 0, 1, 1)])


@pytest.fixture
def works_dir(tmp_path, photos):
    works = tmp_path / "works"
    works.mkdir()
    for name in photos.indexed[:3]:
        shutil.copy(photos.folder / name, works / name)
    return works


def test_rerunning_the_build_updates_the_index_in_place(works_dir, tmp_path, photos):
    out = tmp_path / "IDX"
    events: list[tuple[str, str]] = []
    first = build_index_directory(works_dir, out, progress=lambda e, w, d: events.append((e, w)))
    assert (first.registered, first.added) == (3, 3)
    assert [e for e, _ in events].count("added") == 3
    gone, kept = photos.indexed[0], photos.indexed[1]
    (works_dir / gone).unlink()
    shutil.copy(photos.folder / photos.indexed[3], works_dir / photos.indexed[3])
    second = build_index_directory(works_dir, out)
    assert (second.added, second.removed, second.unchanged, second.registered) == (1, 1, 2, 3)
    directory = IndexDirectory(out)
    from fairclaim.matching.matcher import Matcher

    matcher = Matcher(directory.index, directory.load_features)
    assert not matcher.match_bytes(photos.bytes(gone)).matches
    assert [m.work_id for m in matcher.match_bytes(photos.bytes(kept)).matches] == [kept]
    new = photos.indexed[3]
    assert [m.work_id for m in matcher.match_bytes(photos.bytes(new)).matches] == [new]
    # A changed original is replaced; removing it afterwards removes the new entry only.
    shutil.copy(photos.folder / photos.indexed[4], works_dir / kept)
    third = build_index_directory(works_dir, out)
    assert (third.added, third.removed, third.unchanged) == (1, 1, 2)
    (works_dir / kept).unlink()
    fourth = build_index_directory(works_dir, out)
    assert (fourth.removed, fourth.registered) == (1, 2)


def test_compact_index_verifies_exactly_as_stored_features_do(works_dir, tmp_path, photos):
    compact = build_index_directory(works_dir, tmp_path / "compact")
    stored = build_index_directory(works_dir, tmp_path / "stored", store_features=True)
    assert compact.registered == stored.registered == 3
    size = sum(f.stat().st_size for f in (tmp_path / "compact").rglob("*") if f.is_file())
    assert size / 3 < 10_000  # bytes per work on disk (the stored features alone are ~50 kB)
    a, b = IndexDirectory(tmp_path / "compact"), IndexDirectory(tmp_path / "stored")
    for name in photos.indexed[:3]:
        left, right = a.load_features(name), b.load_features(name)
        assert np.array_equal(left.descriptors, right.descriptors)
        assert np.array_equal(left.keypoints, right.keypoints)
        assert left.thumb_jpeg == right.thumb_jpeg


def test_a_changed_original_is_named_not_verified_against(works_dir, tmp_path, photos):
    from fairclaim.matching.matcher import Matcher

    build_index_directory(works_dir, tmp_path / "IDX")
    name = photos.indexed[0]
    buffer = io.BytesIO()
    photos.image(photos.unindexed[0]).save(buffer, "JPEG")
    (works_dir / name).write_bytes(buffer.getvalue())  # replaced behind the index's back
    directory = IndexDirectory(tmp_path / "IDX")
    result = Matcher(directory.index, directory.load_features).match_bytes(photos.bytes(name))
    assert not result.matches
    assert any(name in note and "changed since it was indexed" in note for note in result.notes)


@pytest.fixture(scope="module")
def cluster():
    from dask.distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as local,
        Client(local) as client,
    ):
        yield client


@pytest.fixture
def sharded(tmp_path, photos, cluster):
    from fairclaim.matching.shards import build_sharded_index, shard_of

    works = tmp_path / "works"
    works.mkdir()
    for name in photos.indexed:
        shutil.copy(photos.folder / name, works / name)
    stats = build_sharded_index(works, tmp_path / "IDX", 2, cluster)
    assert stats.registered == len(photos.indexed)
    spread = {shard_of(name, 2) for name in photos.indexed}
    assert spread == {0, 1}  # the photos fall in both shards
    return tmp_path / "IDX"


def test_sharded_query_merges_every_shard(sharded, cluster, photos):
    from fairclaim.matching.shards import ShardedMatcher

    matcher = ShardedMatcher(sharded, cluster)
    tiles = [photos.image(n) for n in photos.indexed[:4]]
    answer = matcher.match_bytes(collage_of(tiles))
    assert not answer.partial
    assert answer.to_json()["shards_answered"] == 2
    assert {m["id"] for m in answer.matches} == set(photos.indexed[:4])
    assert len(matcher.last_rounds) == 2  # no whole-image code explains a collage
    # A plain copy is settled by the whole-image round: no shard runs the full search.
    plain = matcher.match_bytes(photos.bytes(photos.indexed[4]))
    assert [m["id"] for m in plain.matches] == [photos.indexed[4]]
    assert len(matcher.last_rounds) == 1


def test_a_lost_worker_costs_no_answer_and_a_lost_shard_is_named(sharded, cluster, photos):
    from fairclaim.matching.shards import ShardedMatcher, shard_of, shard_path

    matcher = ShardedMatcher(sharded, cluster, deadline=120)
    target = photos.indexed[0]
    assert [m["id"] for m in matcher.match_bytes(photos.bytes(target)).matches] == [target]
    # Kill one worker process outright (as a crashed machine would): the next query still
    # searches both shards, on the worker left (or its restarted replacement).
    pids = cluster.run(os.getpid)
    os.kill(next(iter(pids.values())), signal.SIGKILL)
    answer = matcher.match_bytes(photos.bytes(target))
    assert not answer.partial, answer.shards_failed
    assert [m["id"] for m in answer.matches] == [target]
    # A shard that cannot be read is named, and the other shard's answer still comes back.
    lost = 1 - shard_of(target, 2)
    (shard_path(sharded, lost) / "ids.json").unlink()
    answer = matcher.match_bytes(photos.bytes(target))
    assert answer.partial
    assert [f["shard"] for f in answer.shards_failed] == [lost]
    assert [m["id"] for m in answer.matches] == [target]
    assert any(f"shard {lost} not searched" in note for note in answer.notes)


def test_a_shard_past_the_deadline_is_reported_not_waited_for(sharded, cluster, photos):
    from fairclaim.matching.shards import ShardedMatcher

    slow = ShardedMatcher(sharded, cluster, deadline=0.001)
    answer = slow.match_bytes(photos.bytes(photos.indexed[0]))
    assert answer.partial
    assert all("no answer within" in f["error"] for f in answer.shards_failed)


def test_an_index_of_another_folder_is_not_updated_with_this_one(works_dir, tmp_path):
    from fairclaim.matching.errors import IndexFormatError

    build_index_directory(works_dir, tmp_path / "IDX")
    other = tmp_path / "other"
    other.mkdir()
    with pytest.raises(IndexFormatError, match="write a new index directory"):
        build_index_directory(other, tmp_path / "IDX")


def test_an_index_directory_of_the_previous_format_is_still_queried(works_dir, tmp_path, photos):
    import json

    from fairclaim.matching.matcher import Matcher

    out = tmp_path / "IDX"
    build_index_directory(works_dir, out, store_features=True)
    # Rewrite it as format 2 wrote it: row maps inside ids.json, no sources or file list.
    id_map = json.loads((out / "ids.json").read_text())
    id_map |= {"format": 2, "pdq_work": np.load(out / "pdq_work.npy").tolist()}
    id_map["sketch_work"] = np.load(out / "sketch_work.npy").tolist()
    del id_map["removed"]
    (out / "ids.json").write_text(json.dumps(id_map))
    for name in ("pdq_work.npy", "sketch_work.npy", "sources.json", "files.npy"):
        (out / name).unlink()
    directory = IndexDirectory(out)
    matcher = Matcher(directory.index, directory.load_features)
    name = photos.indexed[1]
    assert [m.work_id for m in matcher.match_bytes(photos.bytes(name)).matches] == [name]
