"""The stable CLI contract: `fairclaim match index` and `fairclaim match query`, run for real."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fairclaim.matching.edits import encode_jpeg, make_edit

CLI = [sys.executable, "-m", "fairclaim.cli", "match"]


@pytest.fixture(scope="module")
def built_index(tmp_path_factory, photos):
    works = tmp_path_factory.mktemp("works")
    (works / "holder" / "2024").mkdir(parents=True)
    shutil.copy(photos.folder / photos.indexed[0], works / "top.jpg")
    shutil.copy(photos.folder / photos.indexed[2], works / "holder" / "2024" / "street.jpg")
    (works / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really")
    (works / "notes.txt").write_text("not an image")
    index = tmp_path_factory.mktemp("idx") / "IDX"
    done = subprocess.run(
        [*CLI, "index", "--out", str(index), str(works)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return index, json.loads(done.stdout), done.stderr


def test_index_registers_images_recursively_with_forward_slash_ids(built_index):
    index, summary, stderr = built_index
    assert (summary["registered"], summary["skipped"]) == (2, 1)
    ids = json.loads((index / "ids.json").read_text())["ids"]
    assert sorted(ids) == ["holder/2024/street.jpg", "top.jpg"]
    assert "broken.jpg" in stderr


def test_query_prints_one_json_line_per_path_and_survives_bad_files(built_index, photos, tmp_path):
    index, _, _ = built_index
    copy = tmp_path / "copy.jpg"
    copy.write_bytes(encode_jpeg(make_edit("crop", photos.image(photos.indexed[2]), seed=5)))
    unrelated = tmp_path / "unrelated.jpg"
    unrelated.write_bytes(photos.bytes(photos.unindexed[0]))
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    paths = [str(copy), str(tmp_path / "missing.jpg"), str(empty), str(unrelated)]
    reports = tmp_path / "reports"
    done = subprocess.run(
        [*CLI, "query", "--index", str(index), "--report-dir", str(reports), *paths],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["query"] for line in lines] == paths
    first = lines[0]["matches"]
    assert [m["id"] for m in first] == ["holder/2024/street.jpg"]
    assert 0 < first[0]["score"] <= 1
    assert first[0]["inliers"] >= 12
    assert first[0]["summary"].startswith("The found image shows")
    assert (reports / "q000000-m0.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [line["matches"] for line in lines[1:]] == [[], [], []]
    assert "missing.jpg" in lines[1]["error"]
    assert lines[2]["error"].startswith("empty")
    assert "error" not in lines[3]


def test_query_with_a_missing_index_fails_cleanly(tmp_path):
    done = subprocess.run(
        [*CLI, "query", "--index", str(tmp_path / "nope"), "x.jpg"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "cannot read index" in done.stderr


def test_query_reads_paths_from_stdin_when_given_a_dash(built_index, photos, tmp_path):
    index, _, _ = built_index
    copy = tmp_path / "small.jpg"
    copy.write_bytes(encode_jpeg(make_edit("resize_1_8", photos.image(photos.indexed[0]), seed=2)))
    done = subprocess.run(
        [*CLI, "query", "--index", str(index), "-"],
        input=f"{copy}\n{tmp_path / 'nothing.jpg'}\n",
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["query"] for line in lines] == [str(copy), str(tmp_path / "nothing.jpg")]
    assert [m["id"] for m in lines[0]["matches"]] == ["top.jpg"]
    assert "error" in lines[1]


def test_sharded_index_is_built_and_queried_on_a_local_cluster(photos, tmp_path):
    works = tmp_path / "works"
    works.mkdir()
    for name in photos.indexed[:4]:
        shutil.copy(photos.folder / name, works / name)
    index = tmp_path / "IDX"
    built = subprocess.run(
        [*CLI, "index", "--out", str(index), "--shards", "2", "--workers", "1", str(works)],
        capture_output=True,
        text=True,
        check=True,
        timeout=180,
    )
    assert json.loads(built.stdout)["registered"] == 4
    copy = tmp_path / "copy.jpg"
    copy.write_bytes(encode_jpeg(make_edit("crop", photos.image(photos.indexed[1]), seed=5)))
    reports = tmp_path / "reports"
    done = subprocess.run(
        [
            *CLI,
            "query",
            "--index",
            str(index),
            "--workers",
            "1",
            "--report-dir",
            str(reports),
            str(copy),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=180,
    )
    (line,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert [m["id"] for m in line["matches"]] == [photos.indexed[1]]
    assert (line["shards"], line["shards_answered"], line["partial"]) == (2, 2, False)
    assert Path(line["matches"][0]["report_png"]).read_bytes()[:4] == b"\x89PNG"


def test_rerunning_index_reports_what_changed(photos, tmp_path):
    works = tmp_path / "works"
    works.mkdir()
    for name in photos.indexed[:2]:
        shutil.copy(photos.folder / name, works / name)
    index = tmp_path / "IDX"
    command = [*CLI, "index", "--out", str(index), str(works)]
    subprocess.run(command, capture_output=True, text=True, check=True, timeout=120)
    (works / photos.indexed[0]).unlink()
    again = subprocess.run(command, capture_output=True, text=True, check=True, timeout=120)
    summary = json.loads(again.stdout)
    assert (summary["registered"], summary["removed"], summary["unchanged"]) == (1, 1, 1)
    assert "progress:" in again.stderr
