"""Uploading through the registry page: good photos land with their metadata, bad ones never do."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fairclaim.works.models import Work
from tests.cast import sign_in
from tests.images import photo_bytes, png_claiming_size, with_rights_metadata


def upload(client, *files):
    uploads = [SimpleUploadedFile(name, data) for name, data in files]
    return client.post(reverse("works:upload"), {"photos": uploads}, follow=True)


def stored_files(private_storage):
    return (
        [p for p in private_storage.rglob("*") if p.is_file()] if private_storage.exists() else []
    )


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_registers_a_photo_with_its_embedded_rights_metadata(client, cast, private_storage):
    sign_in(client, cast.alice)
    data = with_rights_metadata(
        photo_bytes(11), creator="Ada Lens", copyright_notice="© 2024 Ada Lens",
        taken="2024:05:06 10:11:12",
    )  # fmt: skip
    response = upload(client, ("harbour.jpg", data))
    assert messages_of(response) == ["Registered 1 photo."]
    work = Work.objects.get(original_filename="harbour.jpg")
    assert (work.creator, work.copyright_notice, str(work.created_on)) == (
        "Ada Lens", "© 2024 Ada Lens", "2024-05-06"
    )  # fmt: skip
    assert work.owner == cast.alice.organisation
    with work.file.open("rb") as handle:
        assert handle.read() == data
    assert "Ada Lens" in response.content.decode()


def test_registers_several_files_and_a_zip_in_one_go(client, cast):
    sign_in(client, cast.alice)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.jpg", photo_bytes(21))
        z.writestr("b.png", photo_bytes(22, fmt="PNG"))
    response = upload(
        client, ("one.jpg", photo_bytes(23)), ("two.webp", photo_bytes(24, fmt="WEBP")),
        ("set.zip", archive.getvalue()),
    )  # fmt: skip
    assert messages_of(response) == ["Registered 4 photos."]
    names = set(
        Work.objects.filter(owner=cast.alice.organisation).values_list(
            "original_filename", flat=True
        )
    )
    assert {"one.jpg", "two.webp", "a.jpg", "b.png"} <= names


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("cut.jpg", photo_bytes(31)[:3000], "the image is damaged and cannot be decoded"),
        ("bomb.png", png_claiming_size(40_000, 40_000), "the image claims 1600.0 MP"),
        (
            "report.jpg",
            b"%PDF-1.4\n%\xe2\xe3\n",
            "this is not an image: its content is a PDF document",
        ),
        ("empty.jpg", b"", "the file is empty (0 bytes)"),
    ],
    ids=["corrupt-jpeg", "decompression-bomb", "renamed-pdf", "zero-bytes"],
)
def test_refuses_bad_files_with_a_clear_message_and_stores_nothing(
    client, cast, private_storage, name, data, reason
):
    sign_in(client, cast.alice)
    works_before = Work.objects.count()
    files_before = stored_files(private_storage)
    response = upload(client, (name, data))
    [message] = messages_of(response)
    assert message.startswith(f"Not registered — {name}: {reason}")
    assert Work.objects.count() == works_before
    assert stored_files(private_storage) == files_before


def test_refuses_an_exact_duplicate_and_names_the_existing_work(client, cast):
    sign_in(client, cast.alice)
    with cast.work.file.open("rb") as handle:
        same = handle.read()
    response = upload(client, ("again.jpg", same))
    [message] = messages_of(response)
    assert f"already registered as “{cast.work}” (work #{cast.work.pk}" in message
    assert Work.objects.filter(sha256=cast.work.sha256, owner=cast.work.owner).count() == 1


def test_another_rights_holder_may_register_the_same_photo(client, cast):
    """Two parties claiming one photo is a dispute to surface, not an upload error for the other."""
    sign_in(client, cast.charlie)
    with cast.work.file.open("rb") as handle:
        response = upload(client, ("mine-too.jpg", handle.read()))
    assert messages_of(response) == ["Registered 1 photo."]


def test_edits_metadata_and_registrations(client, cast):
    sign_in(client, cast.alice)
    url = reverse("works:edit", args=[cast.work.pk])
    form = {
        "title": "Harbour at dawn", "creator": "Ada Lens", "copyright_notice": "© Ada",
        "description": "", "created_on": "2023-01-02", "first_published_on": "2023-02-03",
        "registrations-TOTAL_FORMS": "1", "registrations-INITIAL_FORMS": "0",
        "registrations-MIN_NUM_FORMS": "0", "registrations-MAX_NUM_FORMS": "1000",
        "registrations-0-office": "us_co", "registrations-0-number": "VA 2-123-456",
        "registrations-0-effective_date": "2023-04-05",
    }  # fmt: skip
    response = client.post(url, form)
    assert response.status_code == 302
    cast.work.refresh_from_db()
    assert cast.work.title == "Harbour at dawn"
    [registration] = cast.work.registrations.all()
    assert (registration.number, str(registration.effective_date)) == ("VA 2-123-456", "2023-04-05")


def test_refuses_publication_before_creation(client, cast):
    sign_in(client, cast.alice)
    form = {
        "title": "x", "created_on": "2023-05-01", "first_published_on": "2023-04-01",
        "registrations-TOTAL_FORMS": "0", "registrations-INITIAL_FORMS": "0",
        "registrations-MIN_NUM_FORMS": "0", "registrations-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    response = client.post(reverse("works:edit", args=[cast.work.pk]), form)
    assert response.status_code == 200
    assert "A photo cannot be published before it is taken." in response.content.decode()


def test_upload_without_csrf_token_is_refused(cast):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    sign_in(client, cast.alice)
    response = client.post(
        reverse("works:upload"), {"photos": SimpleUploadedFile("a.jpg", photo_bytes(41))}
    )
    assert response.status_code == 403
    assert not Work.objects.filter(original_filename="a.jpg").exists()
