"""A recipient's answers to a case (licence proof, defence, messages), and how a case manager
decides them. The portal and the case pages are faces over these.

Every step moves the case through `rules.case_states` (licence proof and defence pause the clock)
and lands in the case log; decisions carry written reasons, which the recipient sees.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from django.core.files.base import ContentFile
from django.db import transaction

from fairclaim.accounts.models import User
from fairclaim.rules.case_events import LogKind
from fairclaim.rules.case_states import CaseEvent as FlowEvent
from fairclaim.rules.case_states import allowed_events
from fairclaim.rules.deadlines import resumed_deadline
from fairclaim.works.actions import LicenceTerms, do_record_licence
from fairclaim.works.models import Licence

from .actions import do_transition
from .claim_facts import recipient_calendar
from .log import append_event
from .models import Case, Defence, LicenceSubmission, Message
from .proofs import CheckedProof


class StepNotAllowed(Exception):
    """The case is not in a state where this step makes sense; the message says why."""


def _require(case: Case, event: FlowEvent, what: str) -> None:
    if event not in allowed_events(case.state):
        raise StepNotAllowed(
            f"{what} is not possible while the case is “{case.get_state_display()}”."
        )


def do_submit_licence(case: Case, details: dict, proof: CheckedProof, now: datetime):
    _require(case, FlowEvent.LICENCE_UPLOADED, "Showing a licence")
    with transaction.atomic():
        submission = LicenceSubmission(case=case, proof_content_type=proof.content_type, **details)
        digest = hashlib.sha256(proof.data).hexdigest()
        submission.proof.save(f"{digest}{proof.extension}", ContentFile(proof.data), save=False)
        submission.save()
        do_transition(
            case,
            FlowEvent.LICENCE_UPLOADED,
            actor="recipient",
            now=now,
            payload={
                "submission": submission.pk,
                "proof_sha256": digest,
                "paused_on": now.date().isoformat(),
            },
        )
    return submission


def do_raise_defence(case: Case, kind: str, statement: str, proof: CheckedProof | None, now):
    _require(case, FlowEvent.DEFENCE_RAISED, "Raising a defence")
    with transaction.atomic():
        defence = Defence(case=case, kind=kind, statement=statement)
        digest = ""
        if proof is not None:
            digest = hashlib.sha256(proof.data).hexdigest()
            defence.evidence.save(f"{digest}{proof.extension}", ContentFile(proof.data), save=False)
        defence.save()
        do_transition(
            case,
            FlowEvent.DEFENCE_RAISED,
            actor="recipient",
            now=now,
            payload={
                "defence": defence.pk,
                "kind": kind,
                "evidence_sha256": digest,
                "paused_on": now.date().isoformat(),
            },
        )
    return defence


def do_post_message(case: Case, body: str, *, author_kind: str, author: User | None, now):
    with transaction.atomic():
        message = Message.objects.create(
            case=case, author_kind=author_kind, author=author, body=body
        )
        append_event(
            case,
            LogKind.MESSAGE_POSTED,
            {
                "message": message.pk,
                "author": author_kind,
                "body_sha256": hashlib.sha256(body.encode()).hexdigest(),
            },
            actor=author.get_username() if author else author_kind,
            at=now,
        )
    return message


def do_decide_licence(
    submission: LicenceSubmission, *, accept: bool, reasons: str, user: User, now: datetime
) -> LicenceSubmission:
    """Accepted: the case closes and the licence joins the ledger, so this licensee is never claimed
    again for these works (product rule 2, docs/architecture.md). Rejected: the clock runs again,
    with every paused day given back."""
    if submission.status != LicenceSubmission.Status.OPEN:
        raise StepNotAllowed("This licence proof has already been decided.")
    if not reasons.strip():
        raise StepNotAllowed("A decision needs its reasons in writing.")
    case = submission.case
    with transaction.atomic():
        event = FlowEvent.LICENCE_ACCEPTED if accept else FlowEvent.LICENCE_REJECTED
        do_transition(
            case,
            event,
            actor=user.get_username(),
            now=now,
            payload={"submission": submission.pk, "reasons": reasons},
        )
        LicenceSubmission.objects.filter(pk=submission.pk).update(
            status="accepted" if accept else "rejected", decision_reasons=reasons, decided_at=now
        )
        if accept:
            do_record_licence(
                case.rights_holder_id,
                *(
                    LicenceTerms(
                        work_id=line.work_id,
                        licensee_name=submission.licensee,
                        domains=[case.recipient_domain],
                        source=Licence.Source.RECIPIENT_PROOF,
                        reference=submission.reference,
                        proven_in_case=case.reference,
                        notes=f"Proven in case {case.reference}: {reasons}",
                    )
                    for line in case.lines.all()
                ),
            )
        else:
            _resume_clock(case, now)
    submission.refresh_from_db()
    return submission


def do_decide_defence(defence: Defence, *, uphold: bool, reasons: str, user: User, now):
    if defence.status != Defence.Status.OPEN:
        raise StepNotAllowed("This defence has already been decided.")
    if not reasons.strip():
        raise StepNotAllowed("A decision needs its reasons in writing.")
    case = defence.case
    with transaction.atomic():
        event = FlowEvent.DEFENCE_UPHELD if uphold else FlowEvent.DEFENCE_REJECTED
        do_transition(
            case,
            event,
            actor=user.get_username(),
            now=now,
            payload={"defence": defence.pk, "reasons": reasons},
        )
        Defence.objects.filter(pk=defence.pk).update(
            status="upheld" if uphold else "rejected",
            decision_reasons=reasons,
            decided_by=user,
            decided_at=now,
        )
        if not uphold:
            _resume_clock(case, now)
    defence.refresh_from_db()
    return defence


def _resume_clock(case: Case, now: datetime) -> None:
    """Give back the days the clock stood still (rules.deadlines.resumed_deadline)."""
    if case.deadline is None:
        return
    paused = (
        case.events.filter(kind__in=["licence_uploaded", "defence_raised"]).order_by("-seq").first()
    )
    if paused is None or "paused_on" not in paused.payload:
        return
    closed = recipient_calendar(case)
    new = resumed_deadline(
        case.deadline, date.fromisoformat(paused.payload["paused_on"]), now.date(), closed
    )
    if new != case.deadline:
        Case.objects.filter(pk=case.pk).update(deadline=new)
        append_event(
            case,
            LogKind.DEADLINE_EXTENDED,
            {
                "from": case.deadline.isoformat(),
                "to": new.isoformat(),
                "reason": "clock paused while a licence or defence was reviewed",
            },
            actor="system",
            at=now,
        )
        case.deadline = new
