"""What every client relies on: problem-details errors, idempotent creates, per-key rate limits
with Retry-After, cursor pages and filters."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fairclaim.api.keys import do_issue_key
from fairclaim.api.models import ApiKey, IdempotencyRecord
from fairclaim.api.scopes import READ, WORKS_WRITE
from fairclaim.monitoring.models import Match, Sighting
from fairclaim.works.models import Licence, Work
from tests.api.conftest import api_client
from tests.images import photo_bytes
from tests.works.test_upload_view import stored_files

PROBLEM = "application/problem+json"


@pytest.fixture
def owner(cast):
    return api_client(do_issue_key(cast.alice, "k", [READ, WORKS_WRITE])[1])


def test_validation_errors_are_problems_naming_each_field(owner):
    response = owner.post(
        "/api/v1/licences/", {"licensee_name": "", "usage": "sometimes"}, format="json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["type"].endswith("/invalid-request")
    assert body["status"] == 400
    assert set(body["errors"]) == {"licensee_name", "usage"}
    assert body["instance"] == "/api/v1/licences/"


def test_unknown_paths_and_methods_are_problems(owner):
    response = owner.get("/api/v1/no-such-thing/")
    assert (response.status_code, response["Content-Type"]) == (404, PROBLEM)
    response = owner.get("/api/v1/works")
    assert response.status_code == 404
    assert "Did you mean /api/v1/works/" in response.json()["detail"]
    response = owner.delete("/api/v1/works/")
    assert (response.status_code, response["Content-Type"]) == (405, PROBLEM)
    response = owner.post("/api/v1/licences/", "not json", content_type="application/json")
    assert (response.status_code, response["Content-Type"]) == (400, PROBLEM)


def test_same_key_and_body_replays_the_first_response(owner, cast):
    body = {"licensee_name": "Laden GmbH", "domains": ["laden.example"]}
    first = owner.post("/api/v1/licences/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    again = owner.post("/api/v1/licences/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Licence.objects.count() == 1
    other = owner.post(
        "/api/v1/licences/", {**body, "licensee_name": "Other"}, format="json",
        HTTP_IDEMPOTENCY_KEY="abc-1",
    )  # fmt: skip
    assert (other.status_code, other["Content-Type"]) == (422, PROBLEM)
    assert other.json()["type"].endswith("/idempotency-key-reused")
    assert Licence.objects.count() == 1


def test_a_retried_multipart_upload_registers_once(owner, cast, private_storage):
    data = photo_bytes(77)

    def send():
        upload = SimpleUploadedFile("harbour.jpg", data)
        return owner.post(
            "/api/v1/works/", {"files": [upload]}, format="multipart", HTTP_IDEMPOTENCY_KEY="up-1"
        )

    first, second = send(), send()
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Work.objects.filter(original_filename="harbour.jpg").count() == 1
    sha = hashlib.sha256(data).hexdigest()
    assert [p.name for p in stored_files(private_storage) if sha in p.name] == [f"{sha}.jpg"]


def test_a_key_still_running_answers_409_and_one_that_failed_can_be_retried(owner, cast):
    key = do_issue_key(cast.alice, "other", [READ, WORKS_WRITE])[0]
    IdempotencyRecord.objects.create(
        api_key=key, key="busy", request_sha256="x", created_at=cast.work.created_at
    )
    body = {"licensee_name": "A"}
    # Another key's record with the same string does not collide.
    assert owner.post("/api/v1/licences/", body, format="json",
                      HTTP_IDEMPOTENCY_KEY="busy").status_code == 201  # fmt: skip
    mine = ApiKey.objects.exclude(pk=key.pk).get()
    IdempotencyRecord.objects.filter(api_key=mine).update(status=None)
    response = owner.post("/api/v1/licences/", body, format="json", HTTP_IDEMPOTENCY_KEY="busy")
    assert (response.status_code, response["Content-Type"]) == (409, PROBLEM)


def test_a_refused_create_is_replayed_too(owner):
    def send():
        return owner.post(
            "/api/v1/works/",
            {"files": [SimpleUploadedFile("bad.jpg", b"not an image")]},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="bad-1",
        )

    first, second = send(), send()
    assert first.status_code == second.status_code == 422
    assert second["Content-Type"] == PROBLEM
    assert first.json()["refused"][0]["source"] == "bad.jpg"
    assert first.json() == second.json()


def test_rate_limit_per_key_answers_429_with_retry_after(cast, settings):
    settings.FAIRCLAIM_API_RATE_PER_MINUTE = 3
    limited = api_client(do_issue_key(cast.alice, "a", [READ])[1])
    other = api_client(do_issue_key(cast.alice, "b", [READ])[1])
    assert [limited.get("/api/v1/works/").status_code for _ in range(3)] == [200] * 3
    refused = limited.get("/api/v1/works/")
    assert (refused.status_code, refused["Content-Type"]) == (429, PROBLEM)
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["retry_after"] == int(refused["Retry-After"])
    assert other.get("/api/v1/works/").status_code == 200  # per key, not per organisation


def test_cursor_pages_walk_every_row_once(owner, cast):
    now = cast.sighting.first_seen
    for n in range(7):
        sighting = Sighting.objects.create(
            organisation=cast.alice.organisation, source=Sighting.Source.MANUAL,
            page_url=f"https://blog{n}.example/p", image_url=f"https://blog{n}.example/i.jpg",
            page_domain=f"blog{n}.example", first_seen=now, last_seen=now,
        )  # fmt: skip
        Match.objects.create(work=cast.work, sighting=sighting, score=0.9 + n / 100)
    seen, url = [], "/api/v1/matches/?page_size=3"
    while url:
        page = owner.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 8
    assert seen == sorted(seen, reverse=True)
    filtered = owner.get("/api/v1/matches/?domain=blog3&min_score=0.5").json()["results"]
    assert [m["sighting"]["page_domain"] for m in filtered] == ["blog3.example"]
    bad = owner.get("/api/v1/matches/?status=maybe")
    assert (bad.status_code, bad["Content-Type"]) == (400, PROBLEM)


def test_idempotency_keys_are_forgotten_after_their_window(owner, cast):
    from datetime import timedelta

    from fairclaim.api.idempotency import IDEMPOTENCY_WINDOW, forget_old_records
    from fairclaim.ops import schedule

    body = {"licensee_name": "A"}
    owner.post("/api/v1/licences/", body, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    record = IdempotencyRecord.objects.get()
    assert forget_old_records(record.created_at + IDEMPOTENCY_WINDOW - timedelta(seconds=1)) == 0
    assert IdempotencyRecord.objects.exists()
    forget_old_records(record.created_at + IDEMPOTENCY_WINDOW + timedelta(seconds=1))
    assert not IdempotencyRecord.objects.exists()
    assert forget_old_records in schedule.STEPS
