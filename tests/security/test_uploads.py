"""Uploads are bounded and streamed: a big proof or a zip of big members never sits in a web
worker's memory (issue 16 item 4), proofs are checked as strictly as the registry's (item 10),
and one file with long embedded metadata never costs the rest of a batch (item 7). The tests
touching the database also run on PostgreSQL (scripts/test-postgres.sh)."""

from __future__ import annotations

import datetime as dt
import io
import tracemalloc
import zipfile

import pyexiv2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from fairclaim.cases.access_codes import new_access_code
from fairclaim.cases.models import Case
from fairclaim.cases.proofs import ProofRefused, check_proof
from fairclaim.works.actions import do_register_uploads
from fairclaim.works.models import Work
from tests.cast import PASSWORD
from tests.images import photo_bytes

MB = 1024 * 1024


@pytest.fixture
def recipient(client, cast):
    case = cast.case
    Case.objects.filter(pk=case.pk).update(
        state="notice_sent", deadline=dt.date(2026, 12, 14), law_firm=None
    )
    code = new_access_code(case)
    client.post(reverse("portal:enter"), {"reference": case.reference, "code": code})
    return client, case


def peak_while(call) -> tuple[object, int]:
    """Run `call`; return its result and the peak bytes Python allocated meanwhile."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_an_oversized_portal_proof_is_refused_without_being_read_into_memory(recipient):
    client, case = recipient
    size = 40 * MB
    fields = {
        "licensee": "Shop Ltd",
        "source": "Stock agency",
        "proof": SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * size),
    }
    body = encode_multipart(BOUNDARY, fields)  # built before measuring: the client's copy
    url = reverse("portal:licence", args=[case.reference])
    response, peak = peak_while(
        lambda: client.generic("POST", url, body, content_type=MULTIPART_CONTENT)
    )
    assert "larger than 20 MB" in response.content.decode()
    # The test client copies the body once into its fake socket; the view must add no copy.
    assert peak < len(body) + 8 * MB, f"peak {peak / MB:.0f} MB for a {len(body) / MB:.0f} MB body"
    case.refresh_from_db()
    assert case.state == "notice_sent"


def test_a_zip_of_big_refused_members_does_not_keep_them_in_memory(client, cast):
    member = 20 * MB
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for i in range(10):
            zipped.writestr(f"zeros-{i}.jpg", b"\0" * member)
    client.login(username="alice", password=PASSWORD)
    upload = SimpleUploadedFile("zeros.zip", archive.getvalue(), "application/zip")
    response, peak = peak_while(
        lambda: client.post(reverse("works:upload"), {"photos": [upload]}, follow=True)
    )
    page = response.content.decode()
    assert page.count("this is not an image") == 10
    # One member at a time (read, decoded, refused) needs a few times its size, never all ten.
    assert peak < 4 * member, f"peak {peak / MB:.0f} MB for ten refused {member // MB} MB members"


def test_an_empty_zip_says_so(client, cast):
    archive = io.BytesIO()
    zipfile.ZipFile(archive, "w").close()
    client.login(username="alice", password=PASSWORD)
    upload = SimpleUploadedFile("empty.zip", archive.getvalue(), "application/zip")
    page = client.post(reverse("works:upload"), {"photos": [upload]}, follow=True)
    assert "the zip archive holds no photos" in page.content.decode()


def _with_copyright(data: bytes, notice: str, title: str = "") -> bytes:
    with pyexiv2.ImageData(data) as image:
        image.modify_exif({"Exif.Image.Copyright": notice})
        if title:
            image.modify_xmp({"Xmp.dc.title": {'lang="x-default"': title}})
        return image.get_bytes()


def test_long_embedded_metadata_is_shortened_with_a_note_and_the_batch_is_kept(cast):
    notice = "© 2024 Jane Example Photography. All rights reserved. " * 8  # 430 characters
    files = [
        SimpleUploadedFile("plain.jpg", photo_bytes(31)),
        SimpleUploadedFile("long.jpg", _with_copyright(photo_bytes(32), notice, "T" * 1538)),
        SimpleUploadedFile("after.jpg", photo_bytes(33)),
    ]
    outcome = do_register_uploads(cast.work.owner, cast.alice, files)
    assert [work.original_filename for work in outcome.registered] == [
        "plain.jpg",
        "long.jpg",
        "after.jpg",
    ]
    assert outcome.refused == []
    long = Work.objects.get(original_filename="long.jpg")
    assert len(long.copyright_notice) == 300
    assert long.copyright_notice.endswith("…")
    assert len(long.title) == 300
    assert long.embedded_metadata["Exif.Image.Copyright"] == notice.strip()
    assert any("long.jpg" in note and "shortened" in note for note in outcome.notes)


def test_a_nul_byte_in_embedded_metadata_is_dropped(cast):
    data = _with_copyright(photo_bytes(34), "Jane\x00 Example")
    outcome = do_register_uploads(
        cast.work.owner, cast.alice, [SimpleUploadedFile("nul.jpg", data)]
    )
    assert outcome.refused == []
    assert "\x00" not in outcome.registered[0].copyright_notice


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-", "incomplete or damaged"),
        (
            b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction 2 0 R >> endobj\n"
            b"2 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj\ntrailer << >>\n%%EOF\n",
            "scripts or embedded programs",
        ),
        (photo_bytes(35, fmt="PNG")[:-200], "damaged"),
        (photo_bytes(36)[:-400], "damaged"),
    ],
)
def test_proofs_that_are_truncated_empty_pdfs_or_carry_scripts_are_refused(data, reason):
    import weasyprint  # noqa: F401 - it switches Pillow's LOAD_TRUNCATED_IMAGES on globally

    with pytest.raises(ProofRefused, match=reason):
        check_proof("proof", data)
