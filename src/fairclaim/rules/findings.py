"""What the claim linter says about a claim: findings, their effects and the decision (pure values).

A finding's `code` is the stable machine contract (JSON of `fairclaim rules check`, stored claim
results, the send gate); its `reason` is the linter's own English account with the figures of this
claim; `details` holds those figures as values. How a person reads a finding — a title, one plain
sentence and the legal source — comes from `finding_texts.CATALOGUE`, looked up by code, so a
screen or a letter can translate it (`describe`).

Effects: block (no claim may be sent), hold (a person must decide first), downgrade (sent, but
narrowed: the fee statement applies it), info (checked and fine). Decision precedence: any block
→ "block"; else any hold → "hold"; else "send".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from fairclaim.rules.finding_texts import CATALOGUE, FindingText
from fairclaim.rules.sources import LegalSource


class Effect(StrEnum):
    BLOCK = "block"
    HOLD = "hold"
    DOWNGRADE = "downgrade"
    INFO = "info"


class Decision(StrEnum):
    SEND = "send"
    HOLD = "hold"
    BLOCK = "block"


@dataclass(frozen=True)
class Finding:
    code: str
    effect: Effect
    reason: str
    source: str
    details: dict[str, Any] = field(default_factory=dict)

    def as_json(self, jurisdiction: str | None = None) -> dict[str, Any]:
        """The finding as JSON: code, effect, reason, source and details (the stable keys), plus
        the reader's title, sentence and legal source (`legal_source`) when the code is known."""
        data: dict[str, Any] = {
            "code": self.code,
            "effect": self.effect.value,
            "reason": self.reason,
            "source": self.source,
            "details": self.details,
        }
        text = CATALOGUE.get(self.code)
        if text is not None:
            data["title"] = text.title
            data["sentence"] = fill(text.sentence_for(jurisdiction), sentence_params(self.details))
            data["legal_source"] = text.source_for(jurisdiction).as_json()
        return data


def decide(findings: Iterable[Finding]) -> Decision:
    effects = {f.effect for f in findings}
    if Effect.BLOCK in effects:
        return Decision.BLOCK
    if Effect.HOLD in effects:
        return Decision.HOLD
    return Decision.SEND


def describe(code: str) -> FindingText | None:
    """The reader's text for a finding code (None for a code this version does not know, such as
    one stored by a later version: show the code's reason then)."""
    return CATALOGUE.get(code)


def legal_source(code: str, jurisdiction: str | None) -> LegalSource | None:
    text = CATALOGUE.get(code)
    return text.source_for(jurisdiction) if text is not None else None


def sentence_params(details: Mapping[str, Any]) -> dict[str, Any]:
    """A finding's details as sentence parameters: scalars as they are, lists joined by commas
    (case references, licence references), nested values left out."""
    params: dict[str, Any] = {}
    for key, value in details.items():
        if isinstance(value, list | tuple):
            if all(isinstance(item, str | int) for item in value):
                params[key] = ", ".join(str(item) for item in value)
            if len(value) == 2 and all(isinstance(item, str) for item in value):
                # a period [start, end]: its ends by name ("claimable_from", "residual_to")
                params[f"{key}_from"], params[f"{key}_to"] = value
        elif isinstance(value, str | int | float | date) or value is None:
            params[key] = value
    return params


PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def fill(template: str, params: Mapping[str, Any]) -> str:
    """`template` ("Licence %(reference)s …") with `params`. A parameter the finding does not
    carry (a result stored by an older version) reads "…" instead of failing."""
    return PLACEHOLDER.sub(lambda m: str(params.get(m.group(1)) or "…"), template)
