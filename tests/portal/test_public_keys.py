"""The key list and the PDF certificate are published beside the signing key, and /verify/ says
how to check a PDF's signature in a reader; a notice signed before a key rotation stays genuine."""

import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from django.urls import reverse
from django.utils import timezone

from fairclaim.cases.sending import do_create_demand, verify_notice_pdf
from fairclaim.evidence.keyring import rotate
from fairclaim.portal.signing import platform_signer
from tests.cases.conftest import evidence_site  # noqa: F401 - fixture
from tests.cases.sound import case_with_claim


@pytest.fixture
def keys(settings, tmp_path):
    settings.FAIRCLAIM_SIGNING_KEY = str(tmp_path / "keys" / "signing-ed25519.pem")
    platform_signer.cache_clear()
    yield tmp_path / "keys" / "signing-ed25519.pem"
    platform_signer.cache_clear()


def test_the_key_list_and_certificate_are_published_for_anyone(client, db, keys):
    signer = platform_signer()
    listed = client.get("/.well-known/fairclaim-signing-keys.json")
    assert listed.status_code == 200
    assert listed["Access-Control-Allow-Origin"] == "*"
    document = json.loads(listed.content)
    assert {entry["key_id"] for entry in document["keys"]} == {
        signer.key_id, signer.document.key_id, signer.wacz.key_id,
    }  # fmt: skip
    assert b"PRIVATE" not in listed.content
    pem = client.get("/.well-known/fairclaim-signing-certificate.pem")
    assert pem.status_code == 200
    assert pem["Content-Type"] == "application/x-pem-file"
    [certificate] = x509.load_pem_x509_certificates(pem.content)
    assert certificate == signer.document.certificate


def test_verify_page_explains_the_pdf_reader_check_with_the_fingerprint(client, db, keys):
    page = client.get(reverse("verify:notice")).content.decode()
    assert "Check the signature in your PDF reader" in page
    assert "/.well-known/fairclaim-signing-certificate.pem" in page
    fingerprint = platform_signer().document.certificate.fingerprint(hashes.SHA256())
    shown = fingerprint.hex(":").upper()
    assert shown[:47] in page  # in two halves, compared by eye
    assert shown[48:] in page


def test_a_notice_signed_before_a_rotation_is_still_genuine_after_it(
    client,
    cast,
    keys,
    evidence_site,  # noqa: F811 - the fixture imported above
):
    case = case_with_claim(cast, "de-send-shop-missing-credit.json", language="de")
    notice = do_create_demand(case, now=timezone.now(), actor="manager")
    with notice.pdf.open("rb") as handle:
        pdf = handle.read()
    rotate(keys, timezone.now())
    platform_signer.cache_clear()  # the processes restart after a rotation
    assert platform_signer().key_id != notice.key_id
    assert verify_notice_pdf(pdf) == notice
    response = client.post(reverse("verify:notice"), {"pdf": _upload(pdf)})
    text = response.content.decode()
    assert "The PDF is exactly the one we sent" in text
    assert "PDF signature (PAdES)" in text
    assert "intact, covers the whole file" in text
    assert "platform certificate rsa:" in text
    changed = bytearray(pdf)
    changed[len(changed) // 3] ^= 0x01
    response = client.post(reverse("verify:notice"), {"pdf": _upload(bytes(changed))})
    assert "We cannot confirm this notice" in response.content.decode()


def _upload(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("notice.pdf", data, content_type="application/pdf")
