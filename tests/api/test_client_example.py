"""The Python client example in docs/api/ against the live test server: it uploads a folder of
photos (in batches, with idempotency keys) and polls for new matches."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from django.utils import timezone

from fairclaim.api.keys import do_issue_key
from fairclaim.api.scopes import READ, WORKS_WRITE
from fairclaim.monitoring.models import Match, Sighting
from fairclaim.works.models import Work
from tests.images import photo_bytes

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "api" / "client_example.py"


def load_example():
    spec = importlib.util.spec_from_file_location("client_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def folder(tmp_path):
    photos = tmp_path / "shoot"
    (photos / "day2").mkdir(parents=True)
    for n in range(5):
        (photos / f"img_{n}.jpg").write_bytes(photo_bytes(100 + n))
    (photos / "day2" / "pier.png").write_bytes(photo_bytes(110, fmt="PNG"))
    (photos / "day2" / "broken.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    (photos / "notes.txt").write_text("not a photo; not sent")
    return photos


def test_uploads_a_folder_and_polls_new_matches(live_server, transactional_db, cast, folder):
    example = load_example()
    _, token = do_issue_key(cast.alice, "example", [READ, WORKS_WRITE])
    client = example.FairclaimClient(live_server.url, token)

    outcome = client.upload_folder(folder, batch_files=3)
    names = sorted(w["original_filename"] for w in outcome["registered"])
    assert names == ["img_0.jpg", "img_1.jpg", "img_2.jpg", "img_3.jpg", "img_4.jpg", "pier.png"]
    assert [r["source"] for r in outcome["refused"]] == ["broken.jpg"]
    assert Work.objects.filter(owner=cast.alice.organisation).count() == 7  # 6 + the cast's

    seen: set[int] = set()
    first = client.poll_new_matches(seen, status="open")
    assert [m["id"] for m in first] == [cast.match.pk]
    assert client.poll_new_matches(seen, status="open") == []
    pier = Work.objects.get(original_filename="pier.png")
    now = timezone.now()
    sighting = Sighting.objects.create(
        organisation=cast.alice.organisation, source=Sighting.Source.CRAWL,
        page_url="https://blog.example/pier", image_url="https://blog.example/pier.png",
        page_domain="blog.example", first_seen=now, last_seen=now,
    )  # fmt: skip
    match = Match.objects.create(work=pier, sighting=sighting, score=0.99)
    new = client.poll_new_matches(seen, status="open")
    assert [(m["id"], m["work"], m["sighting"]["page_url"]) for m in new] == [
        (match.pk, pier.pk, "https://blog.example/pier")
    ]


def test_the_command_line_prints_what_it_did(live_server, transactional_db, cast, folder, capsys):
    example = load_example()
    _, token = do_issue_key(cast.alice, "example", [READ, WORKS_WRITE])
    assert example.main(["--url", live_server.url, "--key", token, "upload", str(folder)]) == 0
    out, err = capsys.readouterr()
    assert out.count("registered #") == 6
    assert "refused broken.jpg" in err
    assert example.main(["--url", live_server.url, "--key", token, "matches"]) == 0
    assert "https://shop.example/p/1" in capsys.readouterr().out
