"""Finding a case reference in free text, as people type it in a bank transfer's remittance.

Case references look like `FC-2026-000123` (cases.models.Case.save). Payers write them as
"FC 2026 000123", "fc-2026-000123", "FC2026/123", "Ref. FC-2026-000123 Rate 2": the pattern
tolerates case, spaces and punctuation between the parts and a missing leading zero. Pure.
"""

from __future__ import annotations

import re

# F, C, a year 20xx and a number of 1-6 digits, with any non-alphanumeric run between the parts;
# not glued to other letters/digits, so "OFC-2026-1" or "FC-2026-0001234" do not count.
REFERENCE_PATTERN = re.compile(
    r"(?<![A-Z0-9])F[\W_]*C[\W_]*(20\d{2})[\W_]*(\d{1,6})(?!\d)", re.IGNORECASE
)


def case_reference(year: int | str, number: int | str) -> str:
    return f"FC-{int(year)}-{int(number):06d}"


def find_case_references(text: str) -> list[str]:
    """Every case reference in `text`, normalised to `FC-YYYY-NNNNNN`, in order, once each."""
    found: list[str] = []
    for year, number in REFERENCE_PATTERN.findall(text or ""):
        reference = case_reference(year, number)
        if reference not in found:
            found.append(reference)
    return found
