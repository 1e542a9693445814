"""Every document we issue is a tagged PDF/A-3b with an embedded PAdES signature by the platform
certificate, checked here with tools nobody here wrote: poppler's pdfsig/pdfinfo/pdfdetach and
pyHanko's validator. A one-byte change is reported by both."""

import io
import json
import os
import subprocess
import zipfile
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives import hashes
from django.utils import timezone

from fairclaim.cases.casefile import build_case_file
from fairclaim.cases.notice_context import build_context
from fairclaim.cases.sending import do_create_demand
from fairclaim.evidence.pdfsign import check_pdf
from fairclaim.letters.render import render_notice
from fairclaim.portal.signing import platform_signer
from tests.cases.conftest import evidence_site, signing  # noqa: F401 - fixtures
from tests.cases.sound import case_with_claim

SIGNER_NAME = "fairclaim platform document signing"


def poppler(tool, pdf, tmp_path, *args):
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    done = subprocess.run([tool, *args, str(path)], capture_output=True, text=True, timeout=60)
    return done.stdout + done.stderr


def tamper(pdf: bytes) -> bytes:
    """Change one byte inside the signed range: a byte of the first stream's data (the colour
    profile), which leaves the file readable."""
    at = pdf.index(b"stream\n") + len(b"stream\n") + 100
    changed = bytearray(pdf)
    changed[at] ^= 0x01
    return bytes(changed)


@pytest.fixture
def documents(cast, signing, evidence_site):  # noqa: F811 - the fixtures imported above
    """One of each document kind we issue, made the way the product makes them."""
    case = case_with_claim(cast, "de-send-shop-missing-credit.json", language="de")
    now = timezone.now()
    notice = do_create_demand(case, now=now, actor="manager")
    with notice.pdf.open("rb") as handle:
        made = {"demand": handle.read()}
    case.refresh_from_db()
    context = build_context(case, access_code="", link_token="", today=now.date())
    made["reminder"] = render_notice(context, kind="reminder").pdf
    context.paid_total, context.offer = Decimal("492.75"), "past_and_future"
    context.licence_until = now.date().replace(year=now.year + 1)
    made["release"] = render_notice(context, kind="release").pdf
    made["certificate"] = render_notice(context, kind="certificate").pdf
    context.language = "en"
    context.host_name, context.agent_email, context.signatory = "Host Inc.", "dmca@h.example", "Ada"
    made["dmca"] = render_notice(context, kind="dmca").pdf
    with zipfile.ZipFile(io.BytesIO(build_case_file(case, now))) as archive:
        made["case-file summary"] = archive.read(f"{case.reference}/summary.pdf")
    return made


def test_every_document_is_signed_tagged_pdf_a_3b_and_checks_in_pdfsig_and_pyhanko(
    documents, tmp_path
):
    certificate = platform_signer().document.certificate
    fingerprint = certificate.fingerprint(hashes.SHA256()).hex()
    for kind, pdf in documents.items():
        report = poppler("pdfsig", pdf, tmp_path)
        assert "Signature Validation: Signature is Valid." in report, (kind, report)
        assert "Total document signed" in report, kind
        assert f"Signer Certificate Common Name: {SIGNER_NAME}" in report, kind
        assert "ETSI.CAdES.detached" in report, kind  # PAdES
        info = poppler("pdfinfo", pdf, tmp_path)
        assert "Tagged:          yes" in info, kind
        assert "PDF version:     1.7" in info, kind  # what PDF/A-3 is built on
        metadata = poppler("pdfinfo", pdf, tmp_path, "-meta")
        assert 'pdfaid:part="3"' in metadata, kind
        assert 'pdfaid:conformance="B"' in metadata, kind
        check = check_pdf(pdf, [certificate])
        assert check.ok, (kind, check.problems)
        assert check.intact
        assert check.valid
        assert check.trusted
        assert check.covers_whole_file
        assert check.signer_certificate_sha256 == fingerprint


def test_the_data_behind_a_demand_travels_inside_the_pdf(documents, tmp_path):
    listing = poppler("pdfdetach", documents["demand"], tmp_path, "-list")
    assert "fee-statement.json" in listing
    assert "case-log-extract.json" in listing
    path = tmp_path / "demand.pdf"
    path.write_bytes(documents["demand"])
    subprocess.run(["pdfdetach", "-saveall", "-o", str(tmp_path), str(path)], check=True)
    statement = json.loads((tmp_path / "fee-statement.json").read_text())
    assert statement["format"] == "fairclaim-fee-statement/1"
    assert statement["damages"]
    assert all("basis" in str(line) for line in statement["damages"])
    log = json.loads((tmp_path / "case-log-extract.json").read_text())
    assert log["entries"]
    assert log["head"] == log["entries"][-1]["hash"]
    assert all(set(entry) == {"seq", "kind", "at", "hash"} for entry in log["entries"])
    summary = poppler("pdfdetach", documents["case-file summary"], tmp_path, "-list")
    assert "case-log.json" in summary


def test_a_one_byte_change_is_reported_by_pdfsig_and_pyhanko(documents, tmp_path):
    certificate = platform_signer().document.certificate
    for kind in ("demand", "certificate", "case-file summary"):
        changed = tamper(documents[kind])
        report = poppler("pdfsig", changed, tmp_path)
        assert "Signature is Valid" not in report, (kind, report)
        assert "Digest Mismatch" in report or "Signature is Invalid" in report, report
        check = check_pdf(changed, [certificate])
        assert not check.intact, kind
        assert not check.ok, kind
        assert "changed after it was signed" in " ".join(check.problems)


def test_a_pdf_signed_by_another_certificate_is_not_trusted(documents, tmp_path):
    from fairclaim.evidence.certificates import DocumentKey
    from fairclaim.evidence.pdfsign import sign_pdf
    from fairclaim.letters.render import render_pdf_a

    other = DocumentKey.from_folder(tmp_path / "other", create=True, now=timezone.now())
    forged = sign_pdf(render_pdf_a("<p>Pay now</p>"), other, reason="forged")
    check = check_pdf(forged, [platform_signer().document.certificate])
    assert check.intact
    assert not check.trusted
    assert not check.ok
    assert "not a platform certificate" in " ".join(check.problems)


def test_fairclaim_evidence_verify_checks_a_pdf_against_the_published_key_list(documents, tmp_path):
    import sys
    from datetime import UTC, datetime

    from fairclaim.evidence.keyring import platform_keyring

    keylist = tmp_path / "fairclaim-signing-keys.json"
    keylist.write_bytes(platform_keyring(platform_signer(), datetime.now(UTC)).to_json_bytes())
    genuine, changed = tmp_path / "demand.pdf", tmp_path / "changed.pdf"
    genuine.write_bytes(documents["demand"])
    changed.write_bytes(tamper(documents["demand"]))

    # no signing key on this machine: verify has no key list of its own to trust
    env = {**os.environ, "FAIRCLAIM_SIGNING_KEY": str(tmp_path / "none" / "signing.pem")}

    def verify(path, *flags):
        return subprocess.run(
            [sys.executable, "-m", "fairclaim.cli", "evidence", "verify", str(path), *flags],
            capture_output=True, text=True, timeout=120, env=env,
        )  # fmt: skip

    ok = verify(genuine, "--trusted-keys", str(keylist))
    assert ok.returncode == 0, ok.stdout
    assert "OK     trusted key: platform certificate rsa:" in ok.stdout
    untrusted = verify(genuine)
    assert untrusted.returncode == 1
    assert "not checked against a trusted key" in untrusted.stdout
    broken = verify(changed, "--trusted-keys", str(keylist))
    assert broken.returncode == 1
    assert "FAILED PDF signature (PAdES): the document changed after it was signed" in (
        broken.stdout
    )
