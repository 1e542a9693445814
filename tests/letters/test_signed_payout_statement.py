"""The rest of issue 22's "Done when" for documents: the payout statement is a signed, tagged
PDF/A-3b like every other document we issue, and a one-byte change is reported by both pdfsig
and pyHanko for every document type (test_signed_documents.py checks three of them)."""

from cryptography.hazmat.primitives import hashes

from fairclaim.evidence.pdfsign import check_pdf
from fairclaim.payments.actions import do_choose_offer
from fairclaim.payments.statements import statement_pdf
from fairclaim.portal.signing import platform_signer
from tests.cases.conftest import evidence_site, signing  # noqa: F401 - fixtures
from tests.letters.test_signed_documents import SIGNER_NAME, documents, poppler, tamper  # noqa: F401
from tests.payments.conftest import offer
from tests.payments.money import NOW, book
from tests.payments.test_payouts import case, draft, finalise, operator, org  # noqa: F401


def test_the_payout_statement_is_signed_tagged_pdf_a_3b(case, operator, signing, tmp_path):  # noqa: F811
    [payment] = do_choose_offer(case, offer("300.00"), 1, NOW)
    book(payment, "bank:1", "300.00")
    pdf = statement_pdf(finalise(draft(operator)).statements.get())
    certificate = platform_signer().document.certificate
    report = poppler("pdfsig", pdf, tmp_path)
    assert "Signature Validation: Signature is Valid." in report, report
    assert "Total document signed" in report
    assert f"Signer Certificate Common Name: {SIGNER_NAME}" in report
    assert "Tagged:          yes" in poppler("pdfinfo", pdf, tmp_path)
    metadata = poppler("pdfinfo", pdf, tmp_path, "-meta")
    assert 'pdfaid:part="3"' in metadata
    assert 'pdfaid:conformance="B"' in metadata
    check = check_pdf(pdf, [certificate])
    assert check.ok, check.problems
    assert check.covers_whole_file
    assert check.signer_certificate_sha256 == certificate.fingerprint(hashes.SHA256()).hex()

    changed = tamper(pdf)
    assert "Signature is Valid" not in poppler("pdfsig", changed, tmp_path)
    assert not check_pdf(changed, [certificate]).intact


def test_a_one_byte_change_in_any_document_type_is_reported_by_both_tools(documents, tmp_path):  # noqa: F811
    certificate = platform_signer().document.certificate
    for kind, pdf in documents.items():
        changed = tamper(pdf)
        report = poppler("pdfsig", changed, tmp_path)
        assert "Signature is Valid" not in report, (kind, report)
        assert "Digest Mismatch" in report or "Signature is Invalid" in report, (kind, report)
        check = check_pdf(changed, [certificate])
        assert not check.intact, kind
        assert not check.ok, kind
