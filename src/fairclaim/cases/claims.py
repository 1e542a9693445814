"""From a match to a case: the linter's verdict, the rights holder's approval, the draft case.

Product rule 1 (docs/architecture.md): no notice without a verified match, a clear linter result
and a rights-holder approval. `do_check_claim` runs the pure core on the facts
`claim_facts.build_facts` gathers and keeps every statement; `do_open_cases` groups approved
claims by recipient into draft cases. The facts live in `claim_facts`, the statements read back
in `statements`; the names imported from them here stay importable from this module.
"""

from __future__ import annotations

from datetime import date, datetime
from itertools import groupby

from django.db import transaction

from fairclaim.accounts.models import User
from fairclaim.letters.formats import letter_language
from fairclaim.monitoring.models import Match
from fairclaim.rules.case_events import LogKind
from fairclaim.rules.check import check_claim
from fairclaim.rules.facts import InvalidFacts, parse_facts
from fairclaim.rules.money import currency_for

from .claim_facts import (
    DEFAULT_INPUTS,
    LICENCE_METADATA_TAGS,
    ClaimNotReady,
    build_facts,
    initial_inputs,
    recipient_calendar,
    work_licence,
)
from .log import append_event
from .models import Case, CaseLine, Claim, FeeStatement
from .statements import (
    OFFERS,
    case_offers,
    latest_statement,
    latest_statements,
    past_use_total,
    statement_lines,
)

__all__ = [
    "DEFAULT_INPUTS",
    "FALLBACK_CURRENCY",
    "LICENCE_METADATA_TAGS",
    "OFFERS",
    "ClaimNotReady",
    "build_facts",
    "case_offers",
    "do_approve_claim",
    "do_check_claim",
    "do_open_cases",
    "initial_inputs",
    "latest_statements",
    "recipient_calendar",
    "statement_lines",
    "work_licence",
]

# A case's currency when the table in rules.money lists none for its law (the linter holds
# such a claim itself: CURRENCY_MISMATCH or JURISDICTION_UNSUPPORTED).
FALLBACK_CURRENCY = "EUR"


def open_claim(sender, match: Match, **kwargs) -> None:
    """A match claimed in triage (`monitoring.triage.match_claimed`) gets its claim, prefilled."""
    Claim.objects.get_or_create(match=match, defaults={"inputs": initial_inputs(match)})


def do_check_claim(claim: Claim, today: date) -> Claim:
    """Run the linter and the fee statement; keep the statement as a new version."""
    try:
        facts = parse_facts(build_facts(claim, today))
    except InvalidFacts as exc:
        raise ClaimNotReady(f"The claim's facts are not valid: {exc}") from None
    result = check_claim(facts)
    payload = result.as_json()
    with transaction.atomic():
        FeeStatement.objects.create(
            claim=claim,
            version=result.statement.version,
            inputs_digest=result.statement.inputs_digest,
            facts=facts.model_dump(mode="json"),
            statement=payload["statement"],
        )
        claim.decision = payload["decision"]
        # The statement is kept once, in the FeeStatement above; the result names its version.
        statement = payload.pop("statement")
        claim.result = {**payload, "statement_version": statement["version"]}
        claim.status = Claim.Status.CHECKED
        claim.save(update_fields=["decision", "result", "status", "updated_at"])
    return claim


def do_approve_claim(claim: Claim, user: User, now: datetime) -> Claim:
    """The rights holder's approval; only a checked claim the linter lets through may pass."""
    if claim.status != Claim.Status.CHECKED:
        raise ClaimNotReady("Check the claim before approving it.")
    if claim.decision != "send":
        raise ClaimNotReady(
            f"The claim check says “{claim.decision}”: resolve its findings before approving."
        )
    updated = Claim.objects.filter(pk=claim.pk, status=Claim.Status.CHECKED).update(
        status=Claim.Status.APPROVED, approved_by=user, approved_at=now
    )
    if not updated:
        raise ClaimNotReady("The claim changed meanwhile; reload it.")
    claim.refresh_from_db()
    return claim


def do_open_cases(claims: list[Claim], *, actor: str, now: datetime) -> list[Case]:
    """Group approved claims by rights holder and recipient domain into draft cases: one case
    per recipient, one line per work, each with its statement total as the amount."""
    ready = [c for c in claims if c.status == Claim.Status.APPROVED and c.case_id is None]

    def recipient(claim: Claim) -> tuple[int, str]:
        return claim.match.work.owner_id, claim.match.sighting.page_domain

    cases = []
    for (owner_id, domain), group in groupby(sorted(ready, key=recipient), key=recipient):
        group = list(group)
        first = group[0]
        inputs = {**DEFAULT_INPUTS, **first.inputs}
        jurisdiction = inputs["jurisdiction"] or inputs["recipient_country"]
        with transaction.atomic():
            # One case per recipient: a draft not yet sent takes further works as lines.
            case = Case.objects.filter(
                rights_holder_id=owner_id, recipient_domain=domain, state="draft"
            ).first() or Case.objects.create(
                rights_holder_id=owner_id,
                jurisdiction=jurisdiction,
                currency=currency_for(jurisdiction, FALLBACK_CURRENCY),
                language=letter_language(jurisdiction, inputs["recipient_country"]),
                recipient_name=inputs["recipient_name"],
                recipient_domain=domain,
                recipient_email=_first_email(first),
                recipient_country=inputs["recipient_country"],
                recipient_type=_case_recipient_type(inputs["recipient_type"]),
                next_capture_at=now,  # evidence is captured as soon as the case opens
            )
            if not case.events.exists():
                append_event(case, LogKind.CASE_OPENED, {"recipient": domain}, actor=actor, at=now)
            for claim in group:
                statement = latest_statement(claim)
                CaseLine.objects.create(
                    case=case,
                    work=claim.match.work,
                    match=claim.match,
                    description=claim.match.sighting.page_url[:300],
                    amount=past_use_total(statement),
                    basis=f"Fee statement v{statement.version} ({statement.inputs_digest[:12]})"
                    if statement
                    else "",
                )
                Claim.objects.filter(pk=claim.pk).update(case=case, status=Claim.Status.IN_CASE)
                Match.objects.filter(pk=claim.match_id).update(status=Match.Status.CLAIMED)
                append_event(
                    case,
                    LogKind.CLAIM_ADDED,
                    {"claim": claim.pk, "work": claim.match.work_id, "decision": claim.decision},
                    actor=actor,
                    at=now,
                )
        cases.append(case)
    return cases


def _case_recipient_type(value: str) -> str:
    return {"consumer": "consumer", "micro_business": "micro"}.get(value, "business")


def _first_email(claim: Claim) -> str:
    emails = (claim.match.sighting.context or {}).get("contact_emails") or []
    return emails[0] if emails else ""
