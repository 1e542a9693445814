"""The whole role matrix against every endpoint: owner, read-only member, stranger, case manager
and law firm, each with a key holding every scope they may grant. Nobody reaches another
organisation's objects (404, as on the web), and read-only or wrong-role members cannot change
anything (403)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fairclaim.cases.models import Claim
from fairclaim.monitoring.models import Match
from fairclaim.payments.models import Payment
from fairclaim.works.models import Licence, Registration
from tests.images import photo_bytes

ROLES = ["owner", "viewer", "stranger", "manager", "lawfirm"]


@pytest.fixture
def world(cast):
    claim = Claim.objects.create(match=cast.match, inputs={}, case=cast.case)
    payment = Payment.objects.create(
        case=cast.case, offer=Payment.Offer.PAST_ONLY, amount=Decimal("450.00"), currency="EUR"
    )
    return {"claim": claim, "payment": payment}


def reads(cast, world):
    work, ref = cast.work.pk, cast.case.reference
    return {
        f"/api/v1/works/{work}/": ("owner", "viewer", "manager"),
        f"/api/v1/works/{work}/registrations/": ("owner", "viewer", "manager"),
        f"/api/v1/matches/{cast.match.pk}/": ("owner", "viewer", "manager"),
        f"/api/v1/claims/{world['claim'].pk}/": ("owner", "viewer", "manager"),
        f"/api/v1/cases/{ref}/": ("owner", "viewer", "manager", "lawfirm"),
        f"/api/v1/cases/{ref}/events/": ("owner", "viewer", "manager", "lawfirm"),
        f"/api/v1/cases/{ref}/statement/": ("owner", "viewer", "manager", "lawfirm"),
        f"/api/v1/payments/{world['payment'].pk}/": ("owner", "viewer", "manager", "lawfirm"),
    }


def test_object_reads_are_404_for_everyone_outside_the_organisation(clients, cast, world):
    for path, allowed in reads(cast, world).items():
        for role in ROLES:
            response = clients[role].get(path)
            expected = 200 if role in allowed else 404
            assert response.status_code == expected, (role, path, response.content[:200])
            if expected == 404:
                assert response["Content-Type"] == "application/problem+json"
                assert response.json()["status"] == 404


def listed(client, path, key="id"):
    response = client.get(path)
    assert response.status_code == 200, (path, response.content[:200])
    return {row[key] for row in response.json()["results"]}


def test_lists_show_only_what_each_member_may_see(clients, cast, world):
    lists = {
        "/api/v1/works/": (cast.work.pk, "id", {"owner", "viewer", "manager"}),
        "/api/v1/sightings/": (cast.sighting.pk, "id", {"owner", "viewer", "manager"}),
        "/api/v1/matches/?status=new": (cast.match.pk, "id", {"owner", "viewer", "manager"}),
        "/api/v1/claims/": (world["claim"].pk, "id", {"owner", "viewer", "manager"}),
        "/api/v1/cases/": (cast.case.reference, "reference", {"owner", "viewer", "manager",
                                                              "lawfirm"}),
        "/api/v1/payments/": (world["payment"].pk, "id", {"owner", "viewer", "manager",
                                                          "lawfirm"}),
    }  # fmt: skip
    Licence.objects.create(owner=cast.alice.organisation, licensee_name="Laden GmbH")
    for path, (alice_id, key, allowed) in lists.items():
        for role in ROLES:
            assert (alice_id in listed(clients[role], path, key)) == (role in allowed), (role, path)
    # Charlie's own work is his alone.
    for role in ROLES:
        seen = listed(clients[role], "/api/v1/works/")
        assert (cast.charlie_work.pk in seen) == (role == "stranger"), role
    licensees = {r: listed(clients[r], "/api/v1/licences/", "licensee_name") for r in ROLES}
    assert {r for r in ROLES if "Laden GmbH" in licensees[r]} == {"owner", "viewer", "manager"}


def test_metadata_and_registration_changes(clients, cast):
    work = cast.work.pk
    expected = {"owner": 200, "viewer": 403, "stranger": 404, "manager": 403, "lawfirm": 404}
    for role, status in expected.items():
        response = clients[role].patch(
            f"/api/v1/works/{work}/", {"title": f"by {role}"}, format="json"
        )
        assert response.status_code == status, (role, response.content[:200])
    cast.work.refresh_from_db()
    assert cast.work.title == "by owner"

    expected = {"owner": 201, "viewer": 403, "stranger": 404, "manager": 403, "lawfirm": 404}
    for number, (role, status) in enumerate(expected.items()):
        body = {"office": "us_co", "number": f"VA 1-000-00{number}", "effective_date": "2024-01-02"}
        response = clients[role].post(f"/api/v1/works/{work}/registrations/", body, format="json")
        assert response.status_code == status, (role, response.content[:200])
    assert list(Registration.objects.values_list("number", flat=True)) == ["VA 1-000-000"]


def test_archive_tags_and_bulk_edits_follow_the_roles(clients, cast):
    work = cast.work.pk
    expected = {"owner": 200, "viewer": 403, "stranger": 404, "manager": 403, "lawfirm": 404}
    for role, status in expected.items():
        body = {"tags": [role], "collections": [role], "archived": True}
        response = clients[role].patch(f"/api/v1/works/{work}/", body, format="json")
        assert response.status_code == status, (role, response.content[:200])
    cast.work.refresh_from_db()
    assert list(cast.work.tags.values_list("name", flat=True)) == ["owner"]
    assert cast.work.archived

    # Bulk: other organisations' works are not there (nothing changed), read-only is refused.
    expected = {"owner": 200, "viewer": 403, "stranger": 200, "manager": 403, "lawfirm": 403}
    for role, status in expected.items():
        body = {"works": [work], "action": "tag", "names": [f"bulk {role}"]}
        response = clients[role].post("/api/v1/works/bulk/", body, format="json")
        assert response.status_code == status, (role, response.content[:200])
        if role == "stranger":
            assert response.json() == {"changed": 0}
    assert sorted(cast.work.tags.values_list("name", flat=True)) == ["bulk owner", "owner"]


def test_uploads_land_only_in_the_members_own_organisation(clients, cast):
    expected = {"owner": 201, "viewer": 403, "stranger": 201, "manager": 403, "lawfirm": 403}
    for seed, (role, status) in enumerate(expected.items(), start=40):
        upload = SimpleUploadedFile(f"{role}.jpg", photo_bytes(seed))
        response = clients[role].post("/api/v1/works/", {"files": [upload]}, format="multipart")
        assert response.status_code == status, (role, response.content[:200])
        if status == 201:
            owner = response.json()["registered"][0]["owner"]
            assert owner == {"owner": "alice", "stranger": "charlie"}[role]


def test_licences_name_only_the_members_own_works(clients, cast):
    body = {"licensee_name": "Shop", "work": cast.work.pk, "domains": ["shop.example"]}
    expected = {"owner": 201, "viewer": 403, "stranger": 400, "manager": 403, "lawfirm": 403}
    for role, status in expected.items():
        response = clients[role].post("/api/v1/licences/", body, format="json")
        assert response.status_code == status, (role, response.content[:200])
    assert Licence.objects.get().owner == cast.alice.organisation

    csv_file = f"licensee,work,domains\nBlog,{cast.work.pk},blog.example\n".encode()
    expected = {"owner": 201, "viewer": 403, "stranger": 422, "manager": 403, "lawfirm": 403}
    for role, status in expected.items():
        upload = SimpleUploadedFile("ledger.csv", csv_file, content_type="text/csv")
        response = clients[role].post(
            "/api/v1/licences/import/", {"csv_file": upload}, format="multipart"
        )
        assert response.status_code == status, (role, response.content[:200])
    assert Licence.objects.filter(licensee_name="Blog").count() == 1


def test_triage_decides_only_visible_matches(clients, cast):
    expected = {"owner": 200, "viewer": 403, "stranger": 200, "manager": 200, "lawfirm": 403}
    for role, status in expected.items():
        Match.objects.filter(pk=cast.match.pk).update(status=Match.Status.NEW)
        response = clients[role].post(
            "/api/v1/matches/triage/",
            {"action": "ignore", "matches": [cast.match.pk]},
            format="json",
        )
        assert response.status_code == status, (role, response.content[:200])
        cast.match.refresh_from_db()
        changed = cast.match.status == Match.Status.IGNORED
        assert changed == (role in {"owner", "manager"}), role
        if role == "stranger":
            assert response.json() == {"done": {}}


def test_url_registration_is_for_rights_holders_members_who_may_change(clients, settings):
    settings.FAIRCLAIM_ALLOW_LOOPBACK = False  # the URL is refused: no fetch leaves the test
    body = {"urls": ["http://127.0.0.1:9/photo.jpg"]}
    expected = {"owner": 422, "viewer": 403, "stranger": 422, "manager": 403, "lawfirm": 403}
    for role, status in expected.items():
        response = clients[role].post("/api/v1/works/from-url/", body, format="json")
        assert response.status_code == status, (role, response.content[:200])
