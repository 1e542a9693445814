"""The case file a partner law firm receives: one zip holding everything the case rests on.

summary.pdf, the case log with its hash chain (case-log.json, checkable with `fairclaim evidence
verify`), every evidence bundle, every notice sent (PDF and text), every fee statement version,
the works with their rights metadata and registrations (chain of title) and the registered
photographs themselves (works/), the recipient's side (recipient/defences.json with each
defence's evidence file, recipient/licence-proofs.json with each proof; every decision with its
reasons), messages.json, payments.json (the plan, each instalment and the money received), and
MANIFEST.json with the SHA-256 of every file.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import datetime

from django.template.loader import render_to_string

from fairclaim.letters.render import pdf_of
from fairclaim.rules.case_status import case_status

from .evidence import timeline_for
from .log import export_case_log, verify_case_log
from .models import Case, FeeStatement


def build_case_file(case: Case, now: datetime) -> bytes:
    files: dict[str, bytes] = {}
    log = export_case_log(case)
    files["case-log.json"] = _json(log)
    lines = list(case.lines.select_related("work", "match__sighting"))
    for line in lines:
        line.timeline = timeline_for(line)
    for capture in case.captures.filter(status="captured").order_by("captured_at"):
        with capture.bundle.open("rb") as handle:
            files[f"evidence/capture-{capture.pk}-{capture.captured_at:%Y%m%dT%H%M%SZ}.wacz"] = (
                handle.read()
            )
    for notice in case.notices.exclude(status="draft").order_by("created_at"):
        stem = f"notices/{notice.created_at:%Y%m%d}-{notice.kind}-{notice.pk}"
        if notice.pdf:
            with notice.pdf.open("rb") as handle:
                files[f"{stem}.pdf"] = handle.read()
        files[f"{stem}.txt"] = (
            f"Message-ID: {notice.message_id}\nTo: {notice.recipient_email}\n"
            f"Subject: {notice.subject}\nStatus: {notice.status}\nSent: {notice.sent_at}\n"
            f"PDF SHA-256: {notice.pdf_sha256}\nPDF signature (Ed25519, {notice.key_id}): "
            f"{notice.pdf_signature}\n\n{notice.body_text}"
        ).encode()
    for statement in FeeStatement.objects.filter(claim__case=case).order_by("claim", "version"):
        files[f"fee-statements/claim-{statement.claim_id}-v{statement.version}.json"] = _json(
            {"facts": statement.facts, "statement": statement.statement}
        )
    works = [
        {
            "work": line.work.pk,
            "title": line.work.title,
            "creator": line.work.creator,
            "copyright_notice": line.work.copyright_notice,
            "sha256": line.work.sha256,
            "created_on": str(line.work.created_on or ""),
            "first_published_on": str(line.work.first_published_on or ""),
            "rights_holder": case.rights_holder.name,
            "registrations": [
                {
                    "office": r.get_office_display(),
                    "number": r.number,
                    "effective_date": str(r.effective_date),
                }
                for r in line.work.registrations.all()
            ],
            "embedded_metadata": line.work.embedded_metadata,
        }
        for line in lines
    ]
    files["chain-of-title.json"] = _json(works)
    files.update(_registered_photographs(lines))
    files.update(_recipient_side(case))
    chain = verify_case_log(case)
    summary = render_to_string(
        "cases/case_file_summary.html",
        {
            "case": case,
            "lines": lines,
            "chain": chain,
            "now": now,
            "files": sorted(files),
            "events": log["events"],
            "document_title": f"Case file {case.reference}",
            "recipient_status": case_status(case.state, case.deadline, now.date()),
        },
    )
    # The summary carries the case log inside it (PDF/A-3 associated file) as well as beside it.
    files["summary.pdf"] = pdf_of(summary, attachments={"case-log.json": files["case-log.json"]})
    manifest = {
        "case": case.reference,
        "generated_at": now.isoformat(),
        "case_log_head": log["events"][-1]["hash"] if log["events"] else None,
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(f"{case.reference}/{name}", data)
        archive.writestr(f"{case.reference}/MANIFEST.json", _json(manifest))
    return out.getvalue()


def _read(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def _suffix(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _registered_photographs(lines) -> dict[str, bytes]:
    """The registered photograph itself, once per work: what the claim is about."""
    files = {}
    for line in lines:
        work = line.work
        if work.file:
            files[f"works/work-{work.pk}-registered{_suffix(work.file.name)}"] = _read(work.file)
    return files


def _recipient_side(case: Case) -> dict[str, bytes]:
    """What the recipient did and what was decided: defences with their evidence, licence
    proofs, every decision with its reasons, the messages both ways, the payment plan and the
    money received (payments are read through the case's reverse relation: no upward import)."""
    files: dict[str, bytes] = {}
    defences = []
    for d in case.defences.order_by("created_at"):
        evidence = ""
        if d.evidence:
            evidence = f"recipient/defence-{d.pk}-evidence{_suffix(d.evidence.name)}"
            files[evidence] = _read(d.evidence)
        defences.append(
            {
                "defence": d.pk,
                "kind": d.kind,
                "kind_label": d.get_kind_display(),
                "statement": d.statement,
                "evidence_file": evidence,
                "raised_at": d.created_at.isoformat(),
                "status": d.status,
                "decision_reasons": d.decision_reasons,
                "decided_at": d.decided_at.isoformat() if d.decided_at else None,
                "decided_by": d.decided_by.get_username() if d.decided_by_id else "",
            }
        )
    files["recipient/defences.json"] = _json({"defences": defences})
    proofs = []
    for sub in case.licence_submissions.order_by("created_at"):
        proof = f"recipient/licence-{sub.pk}-proof{_suffix(sub.proof.name)}" if sub.proof else ""
        if proof:
            files[proof] = _read(sub.proof)
        proofs.append(
            {
                "submission": sub.pk,
                "licensee": sub.licensee,
                "source": sub.source,
                "reference": sub.reference,
                "licensed_on": str(sub.licensed_on or ""),
                "details": sub.details,
                "proof_file": proof,
                "submitted_at": sub.created_at.isoformat(),
                "status": sub.status,
                "decision_reasons": sub.decision_reasons,
                "decided_at": sub.decided_at.isoformat() if sub.decided_at else None,
            }
        )
    files["recipient/licence-proofs.json"] = _json({"licence_proofs": proofs})
    files["messages.json"] = _json(
        {
            "messages": [
                {
                    "author": m.author_kind,
                    "by": m.author.get_username() if m.author_id else "",
                    "at": m.created_at.isoformat(),
                    "body": m.body,
                }
                for m in case.messages.order_by("created_at")
            ]
        }
    )
    payments = []
    for p in case.payments.order_by("created_at", "instalment_number"):
        payments.append(
            {
                "payment": p.pk,
                "offer": p.offer,
                "instalment": f"{p.instalment_number}/{p.instalment_count}",
                "amount": str(p.amount),
                "currency": p.currency,
                "due_on": str(p.due_on or ""),
                "method": p.method,
                "status": p.status,
                "received": str(p.amount_received),
                "refunded": str(p.amount_refunded),
                "cancelled_at": p.cancelled_at.isoformat() if p.cancelled_at else None,
                "facts": [
                    {
                        "kind": f.kind,
                        "amount": str(f.amount),
                        "currency": f.currency,
                        "source": f.source,
                        "recorded_at": f.recorded_at.isoformat(),
                    }
                    for f in p.facts.order_by("recorded_at")
                ],
            }
        )
    files["payments.json"] = _json({"payments": payments})
    return files


def _json(value) -> bytes:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str).encode()
