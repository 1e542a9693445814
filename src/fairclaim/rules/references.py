"""The case reference, in one place: how it is made, read back from a form, and found in free text.

A case reference looks like `FC-2026-000123`: the prefix, the year the case was opened and its
number (the row's key, so unique without a counter) with six digits. Recipients type it into the
portal from a letter; payers write it into a bank transfer's remittance as "FC 2026 000123",
"fc-2026-000123", "FC2026/123" or "Ref. FC-2026-000123 Rate 2". Pure.
"""

from __future__ import annotations

import re

PREFIX = "FC"
NUMBER_DIGITS = 6

# F, C, a year 20xx and a number of 1-6 digits, with any non-alphanumeric run between the parts;
# not glued to other letters/digits, so "OFC-2026-1" or "FC-2026-0001234" do not count.
REFERENCE_PATTERN = re.compile(
    r"(?<![A-Z0-9])F[\W_]*C[\W_]*(20\d{2})[\W_]*(\d{1,6})(?!\d)", re.IGNORECASE
)


def case_reference(year: int | str, number: int | str) -> str:
    """The reference of case `number` opened in `year`: `FC-YYYY-NNNNNN`."""
    return f"{PREFIX}-{int(year)}-{int(number):0{NUMBER_DIGITS}d}"


def normalise_reference(typed: str) -> str:
    """A reference as someone typed it into a form ("fc 2026 123"), in its stored form; text
    that is not shaped like one comes back stripped and upper-cased, so it matches nothing."""
    parts = re.findall(r"[A-Za-z]+|\d+", typed)
    if len(parts) == 3 and parts[0].upper() == PREFIX:
        return case_reference(parts[1], parts[2])
    return typed.strip().upper()


def find_case_references(text: str) -> list[str]:
    """Every case reference in `text`, normalised to `FC-YYYY-NNNNNN`, in order, once each."""
    found: list[str] = []
    for year, number in REFERENCE_PATTERN.findall(text or ""):
        reference = case_reference(year, number)
        if reference not in found:
            found.append(reference)
    return found
