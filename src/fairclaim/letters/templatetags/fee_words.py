"""Template filters that word a stored fee-statement line (its JSON) in the active language:
`{{ line|fee_line }}` says what the line is, `{{ line|fee_basis:jurisdiction }}` what it rests on.
For screens that show a claim's statement; the letters use `letters.fee_section` directly."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from fairclaim.letters import fee_text
from fairclaim.letters.formats import locale_for
from fairclaim.rules.fees import FeeLine

register = template.Library()


@register.filter
def fee_line(line: dict, jurisdiction: str | None = "") -> str:
    jurisdiction = jurisdiction or ""
    return fee_text.describe(
        FeeLine.from_json(line), locale_for(get_language() or "en", jurisdiction)
    )


@register.filter
def fee_basis(line: dict, jurisdiction: str | None = "") -> str:
    return fee_text.explain(FeeLine.from_json(line), jurisdiction or "")
