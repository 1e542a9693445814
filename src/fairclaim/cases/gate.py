"""The send gate's facts, gathered from the database: the Django side of `rules.send_gate`.

Every path that sends (the demand, a reminder, a DMCA takedown, an escalation) asks `evaluate`
before it queues anything, and the sending task asks again just before delivery: licences,
limitation, open cases and captures may have changed in between. Here we re-run the claim linter on
today's facts (the same `build_facts` and `check_claim` as the claim page), read each line's
captures and verify its latest bundle; the pure core decides.
"""

from __future__ import annotations

from datetime import date

from fairclaim.rules.check import check_claim
from fairclaim.rules.facts import InvalidFacts, parse_facts
from fairclaim.rules.send_gate import (
    Evidence,
    LineFacts,
    NoticeKind,
    SendFacts,
    Verdict,
    send_gate,
)

from .claim_facts import ClaimNotReady, build_facts
from .models import Capture, Case, CaseLine, Claim
from .statements import latest_statements, past_use_total

# Findings that stop a claim; the others (info, downgrade) are part of a clear result.
STOPPING_EFFECTS = {"block", "hold"}


def evaluate(
    case: Case, kind: NoticeKind | str, today: date, *, recipient_email: str | None = None
) -> Verdict:
    """May `case` send a notice of `kind` today? `recipient_email` overrides the case's address
    (a takedown goes to the host's agent; a queued notice to the address it was made for)."""
    kind = NoticeKind(kind)
    statements = {s.claim_id: s for s in latest_statements(case)}
    lines = tuple(
        line_facts(line, statements, today)
        for line in case.lines.select_related("work", "match__sighting")
    )
    email = case.recipient_email if recipient_email is None else recipient_email
    engaged = recipient_open(case) if kind == NoticeKind.REMINDER else ()
    return send_gate(SendFacts(kind, case.state, email or "", lines, engaged))


def recipient_open(case: Case) -> tuple[str, ...]:
    """What the recipient has started and we have not settled: a reminder must wait for it."""
    found = []
    if case.defences.filter(status="open").exists():
        found.append("defence")
    if case.licence_submissions.filter(status="open").exists():
        found.append("licence proof")
    if case.payments.filter(cancelled_at__isnull=True).exists():
        found.append("payment plan")
    last_theirs = case.messages.filter(author_kind="recipient").order_by("-created_at").first()
    if last_theirs is not None:
        answered = case.messages.filter(created_at__gt=last_theirs.created_at).exclude(
            author_kind="recipient"
        )
        if not answered.exists():
            found.append("unanswered message")
    return tuple(found)


def line_facts(line: CaseLine, statements: dict, today: date) -> LineFacts:
    claim = _claim_of(line)
    decision, reasons = rerun_linter(line, claim, today)
    statement = statements.get(claim.pk) if claim else None
    status, latest = line_evidence(line)
    decided = bool(
        latest is not None
        and line.evidence_decision_capture_id is not None
        and line.evidence_decision_capture_id >= latest.pk
    )
    return LineFacts(
        label=line_label(line),
        linter_decision=decision,
        linter_reasons=reasons,
        amount=past_use_total(statement),
        evidence=status,
        bundle_verifies=bundle_verifies(latest) if latest is not None else False,
        absence_decided=decided,
    )


def rerun_linter(
    line: CaseLine, claim: Claim | None, today: date
) -> tuple[str | None, tuple[str, ...]]:
    """The claim linter's decision for this line on today's facts, and the reasons that stop it."""
    if claim is None:
        return None, ("no checked claim for this work",)
    try:
        facts = build_facts(claim, today)
    except ClaimNotReady as problem:
        return None, (str(problem),)
    # The claim's own case is open for this work and recipient; only another one would make
    # this a repeat claim.
    facts["open_cases"] = [c for c in facts["open_cases"] if c["case_ref"] != line.case.reference]
    try:
        result = check_claim(parse_facts(facts))
    except InvalidFacts as problem:
        return None, (str(problem),)
    stopping = tuple(f.reason for f in result.findings if f.effect.value in STOPPING_EFFECTS)
    return result.decision.value, stopping


def line_evidence(line: CaseLine) -> tuple[Evidence, Capture | None]:
    """The line's one evidence status and its latest finished capture (failed attempts prove
    nothing either way: an unreachable page is not a removed image)."""
    finished = list(line.captures.filter(status=Capture.Status.CAPTURED).order_by("captured_at"))
    if not finished:
        return Evidence.WAITING, None
    latest = finished[-1]
    if latest.image_present:
        return Evidence.PRESENT, latest
    if any(c.image_present for c in finished):
        return Evidence.REMOVED, latest
    return Evidence.ABSENT, latest


def bundle_verifies(capture: Capture) -> bool:
    """Every hash holds and a platform key signed this capture's stored bundle (any key of the
    published list in its period: a key rotation does not void earlier evidence)."""
    from fairclaim.evidence.verify import verify_bundle
    from fairclaim.letters.signing import published_keyring

    if not capture.bundle:
        return False
    try:
        with capture.bundle.open("rb") as handle:
            return verify_bundle(handle, keyring=published_keyring()).ok
    except OSError:
        return False


def line_label(line: CaseLine) -> str:
    title = line.work.title or line.work.original_filename
    page = line.match.sighting.page_url if line.match else line.description
    return f"{title} on {page}" if page else title


def _claim_of(line: CaseLine) -> Claim | None:
    if line.match_id is None:
        return None
    return Claim.objects.filter(match_id=line.match_id, case_id=line.case_id).first()
