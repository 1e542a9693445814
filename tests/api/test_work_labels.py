"""Archive, tags, collections and bulk edits through the API: the same actions and access as the
works grid, so nobody reaches another organisation's works."""

from __future__ import annotations

import pytest

from fairclaim.api.keys import do_issue_key
from fairclaim.api.scopes import READ, WORKS_WRITE
from fairclaim.works.models import Tag, Work
from tests.api.conftest import api_client
from tests.cast import register


@pytest.fixture
def owner(cast):
    return api_client(do_issue_key(cast.alice, "k", [READ, WORKS_WRITE])[1])


def listed(client, query: str) -> list[int]:
    return [row["id"] for row in client.get(f"/api/v1/works/{query}").json()["results"]]


def test_patch_sets_tags_collections_and_archives(owner, cast):
    path = f"/api/v1/works/{cast.work.pk}/"
    body = {"tags": ["Berlin", " street ", "berlin"], "collections": ["Book"], "archived": True}
    response = owner.patch(path, body, format="json")
    assert response.status_code == 200, response.content
    work = response.json()
    assert (work["tags"], work["collections"], work["archived"]) == (
        ["Berlin", "street"], ["Book"], True,
    )  # fmt: skip
    assert work["archived_at"]
    assert listed(owner, "?archived=true&tag=berlin") == [cast.work.pk]
    assert listed(owner, "?archived=false") == []
    assert listed(owner, "?collection=book") == [cast.work.pk]
    restored = owner.patch(path, {"archived": False, "tags": []}, format="json").json()
    assert (restored["archived"], restored["archived_at"], restored["tags"]) == (False, None, [])


def test_too_long_a_tag_is_a_clear_400(owner, cast):
    response = owner.patch(f"/api/v1/works/{cast.work.pk}/", {"tags": ["x" * 81]}, format="json")
    assert response.status_code == 400
    assert "tags" in response.json()["errors"]
    assert not Tag.objects.exists()


def test_bulk_tags_collects_archives_and_sets_metadata(owner, cast):
    second = register(cast.alice.organisation, cast.alice, seed=6)
    ids = [cast.work.pk, second.pk, cast.charlie_work.pk]  # Charlie's is not Alice's to change
    for body in [
        {"action": "tag", "names": ["Berlin"]},
        {"action": "collect", "names": ["Book"]},
        {"action": "metadata", "creator": "Alice A."},
        {"action": "archive"},
    ]:
        response = owner.post("/api/v1/works/bulk/", {"works": ids, **body}, format="json")
        assert response.json() == {"changed": 2}, body
    for work in (cast.work, second):
        work.refresh_from_db()
        assert work.creator == "Alice A."
        assert work.archived
        assert list(work.tags.values_list("name", flat=True)) == ["Berlin"]
    cast.charlie_work.refresh_from_db()
    assert not cast.charlie_work.archived
    assert not cast.charlie_work.tags.exists()


def test_bulk_refusal_is_a_problem_and_changes_nothing(owner, cast):
    body = {"works": [cast.work.pk], "action": "metadata", "licence_url": "nope"}
    response = owner.post("/api/v1/works/bulk/", body, format="json")
    assert response.status_code == 422
    assert "not a web address" in response.json()["detail"]
    assert Work.objects.get(pk=cast.work.pk).licence_url == ""
