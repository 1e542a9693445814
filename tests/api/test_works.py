"""Registering works through the API: many files or zip archives in one request, or image URLs
fetched through the guarded outbound fetch; metadata and registrations."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fairclaim.api.keys import do_issue_key
from fairclaim.api.scopes import READ, WORKS_WRITE
from fairclaim.works.models import Work
from tests.api.conftest import api_client
from tests.images import photo_bytes, with_rights_metadata
from tests.webserver import serving


@pytest.fixture
def owner(cast):
    return api_client(do_issue_key(cast.alice, "k", [READ, WORKS_WRITE])[1])


def test_uploads_several_photos_and_a_zip_and_names_each_refusal(owner, cast):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.jpg", photo_bytes(31))
        z.writestr("b.png", photo_bytes(32, fmt="PNG"))
    signed = with_rights_metadata(
        photo_bytes(33), creator="Ada Lens", copyright_notice="© Ada", taken="2024:05:06 10:11:12"
    )
    files = [
        SimpleUploadedFile("harbour.jpg", signed),
        SimpleUploadedFile("set.zip", archive.getvalue()),
        SimpleUploadedFile("notes.txt", b"hello"),
        SimpleUploadedFile("again.jpg", photo_bytes(1)),  # the cast's work: a duplicate
    ]
    response = owner.post("/api/v1/works/", {"files": files}, format="multipart")
    assert response.status_code == 201
    body = response.json()
    assert sorted(w["original_filename"] for w in body["registered"]) == [
        "a.jpg", "b.png", "harbour.jpg",
    ]  # fmt: skip
    harbour = next(w for w in body["registered"] if w["original_filename"] == "harbour.jpg")
    assert (harbour["creator"], harbour["created_on"], harbour["status"]) == (
        "Ada Lens", "2024-05-06", "pending",
    )  # fmt: skip
    refused = {r["source"]: r["reason"] for r in body["refused"]}
    assert set(refused) == {"notes.txt", "again.jpg"}
    assert "already registered" in refused["again.jpg"]


def test_registers_photos_fetched_from_urls(owner, cast, settings):
    settings.FAIRCLAIM_ALLOW_LOOPBACK = True
    routes = {
        "/img/sunset.jpg": ("image/jpeg", photo_bytes(51)),
        "/page.html": ("text/html", b"<html><body>not a photo</body></html>"),
    }
    with serving(routes) as base:
        response = owner.post(
            "/api/v1/works/from-url/",
            {"urls": [f"{base}/img/sunset.jpg", f"{base}/page.html", f"{base}/missing.jpg"]},
            format="json",
        )
    assert response.status_code == 201
    body = response.json()
    assert [w["original_filename"] for w in body["registered"]] == ["sunset.jpg"]
    reasons = {r["source"].rsplit("/", 1)[1]: r["reason"] for r in body["refused"]}
    assert "expected an image" in reasons["page.html"]
    assert "404" in reasons["missing.jpg"]
    work = Work.objects.get(original_filename="sunset.jpg")
    with work.file.open("rb") as handle:
        assert handle.read() == photo_bytes(51)


def test_url_fetches_obey_the_address_guard(owner, settings):
    settings.FAIRCLAIM_ALLOW_LOOPBACK = False
    with serving({"/a.jpg": ("image/jpeg", photo_bytes(52))}) as base:
        response = owner.post(
            "/api/v1/works/from-url/",
            {"urls": [f"{base}/a.jpg", "http://169.254.169.254/latest/meta-data"]},
            format="json",
        )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert all("could not fetch" in r["reason"] for r in response.json()["refused"])
    assert not Work.objects.filter(original_filename="a.jpg").exists()
    too_many = owner.post(
        "/api/v1/works/from-url/", {"urls": ["https://x.example/a.jpg"] * 21}, format="json"
    )
    assert too_many.status_code == 400


def test_metadata_changes_are_validated(owner, cast):
    path = f"/api/v1/works/{cast.work.pk}/"
    bad = owner.patch(
        path, {"created_on": "2024-05-06", "first_published_on": "2024-01-01"}, format="json"
    )
    assert bad.status_code == 400
    assert "first_published_on" in bad.json()["errors"]
    ignored = owner.patch(path, {"sha256": "0" * 64, "title": "Harbour"}, format="json")
    assert ignored.status_code == 200
    cast.work.refresh_from_db()
    assert (cast.work.title, cast.work.sha256 != "0" * 64) == ("Harbour", True)


def test_registrations_are_listed_and_a_duplicate_is_a_conflict(owner, cast):
    path = f"/api/v1/works/{cast.work.pk}/registrations/"
    body = {"office": "us_co", "number": "VA 2-123-456", "effective_date": "2024-02-03"}
    assert owner.post(path, body, format="json").status_code == 201
    again = owner.post(path, body, format="json")
    assert (again.status_code, again["Content-Type"]) == (409, "application/problem+json")
    listed = owner.get(path).json()
    assert [r["number"] for r in listed] == ["VA 2-123-456"]
    work = owner.get(f"/api/v1/works/{cast.work.pk}/").json()
    assert work["registrations"][0]["effective_date"] == "2024-02-03"


def test_an_unreadable_licence_csv_is_refused_with_its_line_not_a_server_error(owner):
    for content in (b"licensee,work\rx\x00\n", b'licensee,domains\nA,a.example\nB,"b\rc"x\ry\n'):
        upload = SimpleUploadedFile("ledger.csv", content, content_type="text/csv")
        response = owner.post("/api/v1/licences/import/", {"csv_file": upload}, format="multipart")
        assert response.status_code == 422, response.content[:300]
        assert response.json()["type"].endswith("/import-refused")
