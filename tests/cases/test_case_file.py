"""The law firm's case file holds everything it needs to act: every part listed and checked."""

import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.utils import timezone

from fairclaim.cases.casefile import build_case_file
from fairclaim.cases.claims import case_offers
from fairclaim.cases.models import Case, Defence
from fairclaim.cases.proofs import check_proof
from fairclaim.cases.responses import (
    do_decide_defence,
    do_decide_licence,
    do_post_message,
    do_raise_defence,
    do_submit_licence,
)
from fairclaim.cases.sending import do_create_demand, do_send_notice
from fairclaim.payments.actions import do_choose_offer
from fairclaim.payments.providers.bank_transfer.backend import import_statement
from tests.cases.sound import case_with_claim
from tests.images import photo_bytes

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _site(evidence_site):
    """The case needs the recipient's page captured."""


def test_the_case_file_lists_every_part_the_law_firm_needs(cast, inbox, signing):
    case = case_with_claim(cast, "de-send-shop-missing-credit.json", language="de")
    now = timezone.now()
    do_send_notice(do_create_demand(case, now=now, actor="manager").pk, now)
    case.refresh_from_db()
    evidence = check_proof("proof.png", photo_bytes(3, fmt="PNG"))
    do_raise_defence(case, "fair_use", "A quotation.", evidence, now)
    do_decide_defence(
        Defence.objects.get(case=case), uphold=False, reasons="Not a quotation.",
        user=cast.manager, now=now,
    )  # fmt: skip
    case.refresh_from_db()
    submission = do_submit_licence(
        case, {"licensee": "Shop GmbH", "source": "Agency"}, check_proof("l.pdf", PDF), now
    )
    do_decide_licence(submission, accept=False, reasons="Expired 2025.", user=cast.manager,
                      now=now)  # fmt: skip
    case.refresh_from_db()
    do_post_message(case, "Instalments?", author_kind="recipient", author=None, now=now)
    do_post_message(case, "Yes.", author_kind="case_manager", author=cast.manager, now=now)
    plan = do_choose_offer(case, case_offers(case)["past_only"], 2, now)
    csv = (
        "date,amount,currency,purpose,name\n"
        f"2026-11-28,{plan[0].amount},EUR,{case.reference},Shop GmbH\n"
    ).encode()
    import_statement(csv, "statement.csv", now=now, format="csv")
    Case.objects.filter(pk=case.pk).update(state="escalated", law_firm=cast.lawfirm.organisation)
    case.refresh_from_db()

    archive = zipfile.ZipFile(io.BytesIO(build_case_file(case, now)))
    root = f"{case.reference}/"
    names = {n.removeprefix(root) for n in archive.namelist()}

    def read(name):
        return archive.read(root + name)

    # Every part, by name.
    assert {
        "summary.pdf",
        "case-log.json",
        "chain-of-title.json",
        "MANIFEST.json",
        "recipient/defences.json",
        "recipient/licence-proofs.json",
        "messages.json",
        "payments.json",
    } <= names
    assert any(n.startswith("evidence/") and n.endswith(".wacz") for n in names)
    assert any(n.startswith("notices/") and n.endswith(".pdf") for n in names)
    assert any(n.startswith("fee-statements/") for n in names)
    # The registered photograph itself.
    [photo] = [n for n in names if n.startswith("works/")]
    with cast.work.file.open("rb") as handle:
        assert read(photo) == handle.read()
    # The defence with its evidence and the decision with its reasons.
    [defence] = json.loads(read("recipient/defences.json"))["defences"]
    assert (defence["statement"], defence["status"]) == ("A quotation.", "rejected")
    assert defence["decision_reasons"] == "Not a quotation."
    assert defence["decided_by"] == "manager"
    assert read(defence["evidence_file"]) == evidence.data
    [proof] = json.loads(read("recipient/licence-proofs.json"))["licence_proofs"]
    assert (proof["status"], proof["decision_reasons"]) == ("rejected", "Expired 2025.")
    assert read(proof["proof_file"]) == PDF
    # Messages both ways, the plan and the money.
    messages = json.loads(read("messages.json"))["messages"]
    assert [(m["author"], m["body"]) for m in messages] == [
        ("recipient", "Instalments?"),
        ("case_manager", "Yes."),
    ]
    payments = json.loads(read("payments.json"))["payments"]
    assert [p["instalment"] for p in payments] == ["1/2", "2/2"]
    assert Decimal(payments[0]["received"]) == plan[0].amount
    assert payments[0]["facts"][0]["kind"] == "receipt"
    # The manifest covers every file.
    manifest = json.loads(read("MANIFEST.json"))
    assert set(manifest["files"]) == names - {"MANIFEST.json"}
