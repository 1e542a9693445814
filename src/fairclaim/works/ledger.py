"""The licence ledger's CSV import: rows in, validated licences or row-numbered errors out.

All or nothing: a file with any bad row imports nothing, and every bad row is named, so a
rights holder fixes the file and imports it again without creating half a ledger.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass

COLUMNS = ["licensee", "licensee_email", "domains", "work", "usage", "source", "territory",
           "media", "starts_on", "ends_on", "reference"]  # fmt: skip
REQUIRED = {"licensee"}
USAGES = {"any", "editorial", "commercial"}
SOURCES = {"own_sale", "agency", "stock", "cc", "recipient_proof"}
MAX_ROWS = 20_000  # a ledger export, not a data dump; larger files are split by the user


@dataclass(frozen=True)
class LedgerRow:
    line: int
    licensee_name: str
    licensee_email: str
    domains: list[str]
    work_id: int | None
    usage: str
    source: str
    territory: str
    media: str
    starts_on: dt.date | None
    ends_on: dt.date | None
    reference: str


def parse_ledger(text: str, find_work: Callable[[str], int | None]) -> tuple[list, list[str]]:
    """`find_work(key)` maps a work reference (id, SHA-256 or file name) to a work id or None."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:  # e.g. a stray carriage return inside a field: say so, not a 500
        return [], [f"The file is not a readable CSV ({exc})"]
    missing = REQUIRED - set(header)
    unknown = set(header) - set(COLUMNS)
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"missing column(s): {', '.join(sorted(missing))}")
        if unknown:
            problems.append(f"unknown column(s): {', '.join(sorted(unknown))}")
        return [], [f"Header: {'; '.join(problems)}. Columns are: {', '.join(COLUMNS)}."]
    rows, errors = [], []
    for number, raw in enumerate(_records(reader, errors), start=2):
        if number - 1 > MAX_ROWS:
            errors.append(f"The file has more than {MAX_ROWS} rows; split it.")
            break
        record = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        if not any(record.values()):
            continue
        row, problems = _row(number, record, find_work)
        if problems:
            errors.extend(f"Line {number}: {p}" for p in problems)
        else:
            rows.append(row)
    return rows, errors


def _records(reader: csv.DictReader, errors: list[str]):
    """The reader's rows; a line the csv module cannot read ends them with an error, not a 500."""
    try:
        yield from reader
    except csv.Error as exc:
        errors.append(f"Line {reader.line_num}: not readable as CSV ({exc})")


def _row(number: int, r: dict, find_work) -> tuple[LedgerRow | None, list[str]]:
    problems = []
    if not r.get("licensee"):
        problems.append("licensee is empty")
    work_id = None
    if r.get("work"):
        work_id = find_work(r["work"])
        if work_id is None:
            problems.append(f"no registered work matches “{r['work']}” (use its id or SHA-256)")
    usage = (r.get("usage") or "any").lower()
    if usage not in USAGES:
        problems.append(f"usage “{usage}” is not one of {', '.join(sorted(USAGES))}")
    source = (r.get("source") or "own_sale").lower()
    if source not in SOURCES:
        problems.append(f"source “{source}” is not one of {', '.join(sorted(SOURCES))}")
    dates = {}
    for name in ("starts_on", "ends_on"):
        try:
            dates[name] = dt.date.fromisoformat(r[name]) if r.get(name) else None
        except ValueError:
            problems.append(f"{name} “{r[name]}” is not a date like 2026-01-31")
    if dates.get("starts_on") and dates.get("ends_on") and dates["ends_on"] < dates["starts_on"]:
        problems.append("ends_on is before starts_on")
    domains = [
        d.strip().lower().removeprefix("https://").removeprefix("http://").strip("/")
        for d in r.get("domains", "").replace(";", " ").replace(",", " ").split()
    ]
    if problems:
        return None, problems
    return LedgerRow(
        line=number,
        licensee_name=r["licensee"][:200],
        licensee_email=r.get("licensee_email", "")[:254],
        domains=[d for d in domains if d],
        work_id=work_id,
        usage=usage,
        source=source,
        territory=r.get("territory") or "worldwide",
        media=r.get("media", "")[:100],
        starts_on=dates.get("starts_on"),
        ends_on=dates.get("ends_on"),
        reference=r.get("reference", "")[:100],
    ), []
