"""One claim, checked: the linter's findings, the decision and the fee statement together.

This is what `fairclaim rules check` prints and what the Django layer calls before a claim may
become a case (DESIGN.md product rule 1). Pure: `today` comes from the facts or the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fairclaim.rules.facts import ClaimFacts, parse_facts
from fairclaim.rules.fees import FeeStatement, fee_statement
from fairclaim.rules.linter import Decision, Finding, claim_scope, decide, lint_claim


@dataclass(frozen=True)
class CheckResult:
    claim_id: str
    today: date
    jurisdiction: str
    decision: Decision
    findings: tuple[Finding, ...]
    statement: FeeStatement

    def as_json(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "today": str(self.today),
            "jurisdiction": self.jurisdiction,
            "decision": self.decision.value,
            "findings": [finding.as_json() for finding in self.findings],
            "statement": self.statement.as_json(),
        }


def check_claim(facts: ClaimFacts, today: date | None = None) -> CheckResult:
    """Lint and price one claim. `today` overrides `facts.today`; one of them is required."""
    if today is not None and today != facts.today:
        # Re-validate so the timeline checks run against the day actually used.
        facts = parse_facts({**facts.model_dump(mode="json"), "today": today.isoformat()})
    if facts.today is None:
        raise ValueError("today is required: set it in the facts or pass it in")
    day = facts.today
    findings = lint_claim(facts, day)
    statement = fee_statement(facts, claim_scope(facts, day))
    every = (*findings, *statement.findings)
    return CheckResult(
        claim_id=facts.claim_id,
        today=day,
        jurisdiction=facts.claim_jurisdiction,
        decision=decide(every),
        findings=every,
        statement=statement,
    )
