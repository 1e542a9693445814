"""One claim, checked: the linter's findings, the decision and the fee statement together.

This is what `fairclaim rules check` prints and what the Django layer calls before a claim may
become a case (product rule 1, docs/architecture.md). Pure: `today` comes from the facts or the
caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fairclaim.rules.deadlines import (
    cadence_for,
    holiday_calendar,
    holiday_name,
    public_closed_days,
    schedule,
)
from fairclaim.rules.facts import ClaimFacts, parse_facts
from fairclaim.rules.fees import FeeStatement, fee_statement
from fairclaim.rules.findings import Decision, Finding, decide
from fairclaim.rules.linter import lint_claim
from fairclaim.rules.scope import claim_scope


@dataclass(frozen=True)
class CheckResult:
    claim_id: str
    today: date
    jurisdiction: str
    decision: Decision
    findings: tuple[Finding, ...]
    statement: FeeStatement
    deadlines: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "today": str(self.today),
            "jurisdiction": self.jurisdiction,
            "decision": self.decision.value,
            "findings": [finding.as_json(self.jurisdiction) for finding in self.findings],
            "statement": self.statement.as_json(),
            "payment_deadline": self.deadlines["payment_deadline"] if self.deadlines else None,
            "deadlines": self.deadlines,
        }


def notice_deadlines(facts: ClaimFacts, send_on: date) -> dict[str, Any]:
    """The payment deadline (and the reminders after it) a notice sent on `send_on` would set:
    the claim's notice period, moved off the recipient's weekends and public holidays (country
    and state), by the same calendar and cadence the letters and the reminder job use."""
    country = facts.recipient.country
    subdivision = facts.recipient_subdivision
    calendar = holiday_calendar(country, subdivision)
    closed = public_closed_days(country, subdivision)
    policy = cadence_for(facts.claim_jurisdiction)
    plan = schedule(send_on, policy, closed)
    nominal = send_on + timedelta(days=policy.notice_days)
    skipped = []
    day = nominal
    while day < plan.notice_deadline:
        name = holiday_name(day, country, subdivision)
        skipped.append({"date": str(day), "why": name or "weekend"})
        day += timedelta(days=1)
    return {
        "send_on": str(send_on),
        "notice_days": policy.notice_days,
        "payment_deadline": str(plan.notice_deadline),
        "nominal_deadline": str(nominal),
        "moved_past": skipped,
        "calendar": {
            "country": calendar.country,
            "subdivision": calendar.subdivision,
            "fallback": "weekends only" if calendar.country is None else None,
        },
        "reminders": [
            {"number": r.number, "send_on": str(r.send_on), "deadline": str(r.deadline)}
            for r in plan.reminders
        ],
        "final_deadline": str(plan.final_deadline),
    }


def check_claim(facts: ClaimFacts, today: date | None = None) -> CheckResult:
    """Lint and price one claim. `today` overrides `facts.today`; one of them is required."""
    if today is not None and today != facts.today:
        # Re-validate so the timeline checks run against the day actually used. Stored facts
        # re-checked later (at send time) may name a send day that has passed: it is today.
        data = {**facts.model_dump(mode="json"), "today": today.isoformat()}
        if facts.send_on is not None and facts.send_on < today:
            data["send_on"] = today.isoformat()
        facts = parse_facts(data)
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
        deadlines=notice_deadlines(facts, facts.send_on or day),
    )
