"""Evidence for a case: a real Chromium capture becomes a signed bundle, a Capture and a log entry;
the public page verifies it and spots a changed byte."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fairclaim.cases.evidence import claim_due_captures, do_capture_case, timeline_for
from fairclaim.cases.log import verify_case_log
from fairclaim.cases.models import Capture
from tests.cast import sign_in
from tests.images import photo_bytes
from tests.webserver import drain, serving


@pytest.fixture
def captured(cast, settings, signing):
    settings.FAIRCLAIM_ALLOW_LOOPBACK = True
    routes = {
        "/p/1": ("text/html", b'<html><body><h1>Shop</h1><img src="/i/1.jpg"></body></html>'),
        "/i/1.jpg": ("image/jpeg", photo_bytes(5)),
    }
    with serving(routes) as base:
        sighting = cast.match.sighting
        sighting.page_url, sighting.image_url = f"{base}/p/1", f"{base}/i/1.jpg"
        sighting.save()
        assert do_capture_case(cast.case.pk, timezone.now()) == 1
        routes.pop("/i/1.jpg")  # the recipient removes the image
        do_capture_case(cast.case.pk, timezone.now())
    return cast.case


def test_a_capture_is_stored_signed_logged_and_shown_only_to_the_cases_parties(
    client, cast, captured
):
    first, second = Capture.objects.filter(case=captured).order_by("captured_at")
    assert (first.status, first.image_present) == ("captured", True)
    assert (second.status, second.image_present) == ("captured", False)
    with first.bundle.open("rb") as handle:
        names = zipfile.ZipFile(io.BytesIO(handle.read())).namelist()
    assert "datapackage.json" in names
    kinds = [e.kind for e in captured.events.order_by("seq")]
    assert kinds.count("evidence_captured") == 2
    assert verify_case_log(captured).ok
    timeline = timeline_for(first.line)
    assert (timeline.status, timeline.captures) == ("removed", 2)

    url = reverse("cases:capture", args=[captured.reference, first.pk])
    sign_in(client, cast.charlie)
    assert client.get(url).status_code == 404
    sign_in(client, cast.lawfirm)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert drain(response).startswith(b"PK")
    sign_in(client, cast.alice)
    page = client.get(captured.get_absolute_url()).content.decode()
    assert "gone at" in page


def test_the_public_page_verifies_a_bundle_and_spots_a_changed_byte(client, captured):
    capture = Capture.objects.filter(case=captured, image_present=True).get()
    with capture.bundle.open("rb") as handle:
        good = handle.read()
    page = client.post(reverse("verify:evidence"), {"bundle": SimpleUploadedFile("b.wacz", good)})
    assert "Verified: every hash and the signature hold" in page.content.decode()

    archive = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(archive, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith(".png"):
                data = data[:100] + bytes([data[100] ^ 1]) + data[101:]
            target.writestr(info, data)
    page = client.post(
        reverse("verify:evidence"),
        {"bundle": SimpleUploadedFile("b.wacz", archive.getvalue())},
    )
    body = page.content.decode()
    assert "Not verified" in body
    assert "FAILED" in body


def test_a_page_that_cannot_be_reached_is_recorded_as_a_failed_capture(cast, settings, signing):
    settings.FAIRCLAIM_ALLOW_LOOPBACK = False  # the address policy refuses 127.0.0.1
    sighting = cast.match.sighting
    sighting.page_url, sighting.image_url = "http://127.0.0.1:9/p", "http://127.0.0.1:9/i.jpg"
    sighting.save()
    assert do_capture_case(cast.case.pk, timezone.now()) == 0
    failed = Capture.objects.get(case=cast.case)
    assert failed.status == "failed"
    assert failed.error
    assert cast.case.events.filter(kind="evidence_capture_failed").exists()


def test_open_cases_are_claimed_for_capture_once_per_interval(cast):
    now = timezone.now()
    case = cast.case
    type(case).objects.filter(pk=case.pk).update(next_capture_at=now)
    assert claim_due_captures(now) == [case.pk]
    assert claim_due_captures(now) == []
    assert claim_due_captures(now + dt.timedelta(days=7)) == [case.pk]
