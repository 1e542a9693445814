"""API keys: shown once, stored hashed, scoped, revocable, with a last-used time; the account
page that manages them checks CSRF and who may do what."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fairclaim.api.keys import KeyRefused, do_issue_key, do_revoke_key
from fairclaim.api.models import ApiKey
from fairclaim.api.scopes import CASES_READ, READ, TRIAGE, WORKS_WRITE
from tests.api.conftest import api_client
from tests.cast import sign_in


def test_a_key_is_stored_only_as_its_hash_with_a_visible_prefix(cast):
    key, token = do_issue_key(cast.alice, "DAM sync", [READ])
    assert token.startswith("fck_")
    assert len(token) > 40
    stored = ApiKey.objects.get(pk=key.pk)
    assert stored.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token.startswith(stored.prefix)
    assert len(stored.prefix) < 16
    assert token not in str(ApiKey.objects.values().get(pk=key.pk))


def test_requests_need_a_live_key(cast):
    key, token = do_issue_key(cast.alice, "k", [READ])
    assert api_client(token).get("/api/v1/works/").status_code == 200
    for bad in ["", "Bearer", f"Bearer {token}x", "Bearer fck_nope", f"Token {token}"]:
        client = api_client("")
        client.credentials(HTTP_AUTHORIZATION=bad)
        response = client.get("/api/v1/works/")
        assert response.status_code == 401, bad
        assert response["Content-Type"] == "application/problem+json"
        assert response["WWW-Authenticate"].startswith("Bearer")
    do_revoke_key(key, cast.alice, timezone.now())
    assert api_client(token).get("/api/v1/works/").status_code == 401


def test_a_key_stops_working_when_its_creator_leaves_the_organisation(cast):
    _, token = do_issue_key(cast.alice, "k", [READ])
    cast.alice.organisation = cast.charlie.organisation
    cast.alice.save()
    assert api_client(token).get("/api/v1/works/").status_code == 401


def test_last_used_time_is_recorded(cast):
    key, token = do_issue_key(cast.alice, "k", [READ])
    assert key.last_used_at is None
    api_client(token).get("/api/v1/works/")
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_each_scope_opens_only_its_own_requests(cast):
    clients = {scope: api_client(do_issue_key(cast.alice, scope, [scope])[1]) for scope in
               [READ, WORKS_WRITE, TRIAGE, CASES_READ]}  # fmt: skip
    ref = cast.case.reference
    assert clients[READ].get("/api/v1/works/").status_code == 200
    assert clients[CASES_READ].get("/api/v1/works/").status_code == 403
    assert clients[CASES_READ].get(f"/api/v1/cases/{ref}/").status_code == 200
    assert clients[READ].get(f"/api/v1/cases/{ref}/").status_code == 403
    assert clients[READ].get("/api/v1/payments/").status_code == 403
    patch = {"title": "New"}
    path = f"/api/v1/works/{cast.work.pk}/"
    refused = clients[READ].patch(path, patch, format="json")
    assert refused.status_code == 403
    assert "works:write" in refused.json()["detail"]
    assert clients[WORKS_WRITE].patch(path, patch, format="json").status_code == 200
    triage = {"action": "seen", "matches": [cast.match.pk]}
    assert clients[WORKS_WRITE].post("/api/v1/matches/triage/", triage).status_code == 403
    assert clients[TRIAGE].post("/api/v1/matches/triage/", triage, format="json").status_code == 200


def test_a_read_only_member_cannot_issue_a_key_that_writes(cast):
    with pytest.raises(KeyRefused, match="read-only"):
        do_issue_key(cast.alice_viewer, "k", [READ, WORKS_WRITE])
    with pytest.raises(KeyRefused, match="Unknown scope"):
        do_issue_key(cast.alice, "k", ["admin"])


# The account page -------------------------------------------------------------------------


def create_on_page(client, name, scopes):
    return client.post(reverse("api:keys"), {"name": name, "scopes": scopes})


def test_the_page_shows_a_new_key_once(client, cast):
    sign_in(client, cast.alice)
    response = create_on_page(client, "Accounting", [READ, CASES_READ])
    assert response.status_code == 200
    token = re.search(r'value="(fck_[^"]+)"', response.content.decode()).group(1)
    assert "no-store" in response["Cache-Control"]
    assert api_client(token).get("/api/v1/works/").status_code == 200
    again = client.get(reverse("api:keys")).content.decode()
    assert token not in again
    assert token[:12] in again
    assert "Accounting" in again


def test_the_page_refuses_a_post_without_csrf_token(cast):
    client = Client(enforce_csrf_checks=True)
    sign_in(client, cast.alice)
    assert create_on_page(client, "k", [READ]).status_code == 403
    key, _ = do_issue_key(cast.alice, "k", [READ])
    assert client.post(reverse("api:revoke_key", args=[key.pk])).status_code == 403
    assert ApiKey.objects.filter(revoked_at__isnull=True).count() == 1


def test_read_only_member_may_create_reading_keys_only(client, cast):
    sign_in(client, cast.alice_viewer)
    response = create_on_page(client, "k", [READ, WORKS_WRITE])
    assert response.status_code == 400
    assert "read-only" in response.content.decode()
    assert not ApiKey.objects.exists()
    assert create_on_page(client, "k", [READ]).status_code == 200
    assert ApiKey.objects.get().created_by == cast.alice_viewer


def test_keys_are_seen_and_revoked_only_within_the_organisation(client, cast):
    alice_key, _ = do_issue_key(cast.alice, "alice's", [READ])
    sign_in(client, cast.charlie)
    assert "alice&#x27;s" not in client.get(reverse("api:keys")).content.decode()
    assert client.post(reverse("api:revoke_key", args=[alice_key.pk])).status_code == 404
    sign_in(client, cast.alice_viewer)
    assert client.post(reverse("api:revoke_key", args=[alice_key.pk])).status_code == 403
    sign_in(client, cast.alice)
    assert client.post(reverse("api:revoke_key", args=[alice_key.pk])).status_code == 302
    alice_key.refresh_from_db()
    assert alice_key.revoked_at is not None
    assert alice_key.revoked_by == cast.alice


def test_the_page_needs_a_signed_in_member(client, cast):
    assert client.get(reverse("api:keys")).status_code == 302
    orphan = type(cast.alice).objects.create_user("orphan", password="x" * 12)
    sign_in(client, orphan)
    assert client.get(reverse("api:keys")).status_code == 403


def test_the_account_menu_links_the_page(client, cast):
    sign_in(client, cast.alice)
    page = client.get(reverse("works:list")).content.decode()
    assert f'href="{reverse("api:keys")}"' in page
