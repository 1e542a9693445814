"""Reading bank statements: ISO 20022 camt.053 (XML) and CSV exports, into plain lines.

Pure: bytes in, `ParsedStatement` out; no Django, no database. XML is parsed with defusedxml
(no DTDs, no entity expansion, no external references). A line that cannot be read becomes a
`LineProblem` in the result and the others are still read; a file that cannot be read at all
raises `StatementError` naming the problem.

camt.053: read namespace-agnostically, so versions .001.02 to .001.13 all work. One line per
booked entry, or one per transaction when an entry is a batch of several. The unique key of a
line is the bank's account-servicer reference (AcctSvcrRef) where present; otherwise a hash of
the line's fields plus its ordinal among identical lines in the file, so importing the same file
twice yields the same keys.

CSV: the delimiter (, ; tab) and the encoding (UTF-8, else Windows-1252, common in German bank
exports) are detected; columns are found by header names in English or German (`CSV_COLUMNS`);
amounts may use a decimal comma and a sign, or a separate credit/debit column.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

# A year of daily statements for a busy account is a few MB; anything far larger is a mistake.
MAX_STATEMENT_BYTES = 50 * 1024 * 1024
MAX_REMITTANCE_CHARS = 1000  # camt allows 140 per Ustrd, several of them; we keep a readable cap

CSV_COLUMNS = {
    "booked_on": ["booking date", "booked", "date", "buchungstag", "buchungsdatum"],
    "value_on": ["value date", "valuta", "wertstellung", "valutadatum"],
    "amount": ["amount", "betrag", "umsatz"],
    "currency": ["currency", "ccy", "währung", "waehrung"],
    "direction": ["credit/debit", "cdtdbtind", "direction", "soll/haben"],
    "counterparty": ["counterparty", "name", "payer", "auftraggeber", "zahlungspflichtiger",
                     "beguenstigter/zahlungspflichtiger", "name zahlungsbeteiligter"],
    "counterparty_account": ["counterparty iban", "iban", "kontonummer/iban",
                             "iban zahlungsbeteiligter"],
    "remittance": ["remittance", "remittance information", "purpose", "description",
                   "verwendungszweck", "reference text"],
    "entry_reference": ["entry reference", "transaction id", "bank reference", "reference id",
                        "buchungsreferenz"],
    "status": ["status"],
}  # fmt: skip
REQUIRED_CSV_COLUMNS = ("booked_on", "amount", "remittance")
CREDIT_WORDS = {"crdt", "credit", "cr", "c", "h", "haben", "gutschrift"}
DEBIT_WORDS = {"dbit", "debit", "dr", "d", "s", "soll", "lastschrift"}


class StatementError(ValueError):
    """The statement file cannot be read; the message names the problem."""


@dataclass(frozen=True)
class LineProblem:
    position: str  # "row 7", "entry 3"
    reason: str


@dataclass(frozen=True)
class ParsedLine:
    key: str
    account: str
    booked_on: date | None
    value_on: date | None
    amount: Decimal  # always positive; `credit` says the direction
    currency: str
    credit: bool
    booked: bool  # False for pending/informational entries
    reversal: bool
    counterparty: str
    counterparty_account: str
    remittance: str
    entry_reference: str
    position: str


@dataclass
class ParsedStatement:
    format: str  # "csv" or "camt053"
    account: str
    lines: list[ParsedLine] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)


def parse_statement(
    data: bytes, *, format: str | None = None, account: str = "", currency: str = ""
) -> ParsedStatement:
    """Read a statement; `format` is "csv" or "camt053", or guessed from the content.
    For CSV exports that do not say them, `account` names the account (it becomes part of line
    keys) and `currency` is the account's currency."""
    if len(data) > MAX_STATEMENT_BYTES:
        raise StatementError(
            f"statement is {len(data)} bytes, over MAX_STATEMENT_BYTES={MAX_STATEMENT_BYTES}"
        )
    if format is None:
        format = "camt053" if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") else "csv"
    if format == "camt053":
        return parse_camt053(data)
    if format == "csv":
        return parse_csv(data, account=account, currency=currency)
    raise StatementError(f"unknown statement format {format!r}; use csv or camt053")


# -- keys --------------------------------------------------------------------------------------


def _with_keys(lines: list[ParsedLine]) -> list[ParsedLine]:
    """Give lines without a bank reference a content hash, numbered among identical lines."""
    seen: Counter[str] = Counter()
    keyed = []
    for line in lines:
        if line.key:
            keyed.append(line)
            continue
        fields = [
            line.account,
            str(line.booked_on),
            str(line.value_on),
            str(line.amount),
            line.currency,
            "C" if line.credit else "D",
            line.counterparty_account,
            " ".join(line.remittance.split()).lower(),
        ]
        digest = hashlib.sha256("|".join(fields).encode()).hexdigest()[:40]
        seen[digest] += 1
        keyed.append(replace(line, key=f"hash:{digest}:{seen[digest]}"))
    return keyed


# -- camt.053 ----------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element, *path):
    for name in path:
        if element is None:
            return None
        element = next((c for c in element if _local(c.tag) == name), None)
    return element


def _children(element, name):
    return [c for c in element if _local(c.tag) == name] if element is not None else []


def _text(element, *path) -> str:
    found = _child(element, *path)
    return (found.text or "").strip() if found is not None else ""


def _date(element) -> date | None:
    if element is None:
        return None
    raw = _text(element, "Dt") or _text(element, "DtTm")[:10]
    return date.fromisoformat(raw) if raw else None


def _amount(text: str, where: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"amount {text!r} is not a number ({where})") from None
    if not value.is_finite():
        raise ValueError(f"amount {text!r} is not a number ({where})")
    return value


def _party(tx, role: str) -> tuple[str, str]:
    """Name and account of the debtor or creditor (camt .02 and .08+ shapes)."""
    parties = _child(tx, "RltdPties")
    party = _child(parties, role)
    name = _text(party, "Nm") or _text(party, "Pty", "Nm")
    account = _child(parties, f"{role}Acct", "Id")
    iban = _text(account, "IBAN") or _text(account, "Othr", "Id")
    return name, iban


def _remittance(tx) -> str:
    info = _child(tx, "RmtInf")
    # Banks split long remittance text into 140-character Ustrd chunks: join without a space so
    # a reference cut in two is whole again.
    parts = ["".join((u.text or "") for u in _children(info, "Ustrd"))]
    for structured in _children(info, "Strd"):
        parts.append(_text(structured, "CdtrRefInf", "Ref"))
    parts.append(_text(tx, "AddtlTxInf"))
    return " ".join(p.strip() for p in parts if p and p.strip())[:MAX_REMITTANCE_CHARS]


def parse_camt053(data: bytes) -> ParsedStatement:
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise StatementError(f"statement XML refused as unsafe: {exc!r}") from exc
    except SafeET.ParseError as exc:
        raise StatementError(f"statement is not well-formed XML: {exc}") from exc
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    if "camt.053" not in namespace:
        raise StatementError(
            f"not a camt.053 statement (root {_local(root.tag)!r}, namespace {namespace!r})"
        )
    report = _child(root, "BkToCstmrStmt")
    statements = _children(report, "Stmt")
    if not statements:
        raise StatementError("camt.053 document has no Stmt element")
    result = ParsedStatement("camt053", "")
    lines: list[ParsedLine] = []
    for stmt in statements:
        account = _text(stmt, "Acct", "Id", "IBAN") or _text(stmt, "Acct", "Id", "Othr", "Id")
        result.account = result.account or account
        for number, entry in enumerate(_children(stmt, "Ntry"), start=1):
            position = f"statement {_text(stmt, 'Id') or '?'} entry {number}"
            try:
                lines.extend(_entry_lines(entry, account, position))
            except ValueError as exc:
                result.problems.append(LineProblem(position, str(exc)))
    result.lines = _with_keys(lines)
    return result


def _entry_lines(entry, account: str, position: str) -> list[ParsedLine]:
    amount_el = _child(entry, "Amt")
    if amount_el is None:
        raise ValueError("entry has no Amt")
    currency = (amount_el.get("Ccy") or "").upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ValueError(f"entry amount has no valid currency (Ccy={currency!r})")
    amount = _amount((amount_el.text or "").strip(), position)
    direction = _text(entry, "CdtDbtInd")
    if direction not in {"CRDT", "DBIT"}:
        raise ValueError(f"CdtDbtInd is {direction!r}, expected CRDT or DBIT")
    status = _text(entry, "Sts", "Cd") or _text(entry, "Sts")
    reversal = _text(entry, "RvslInd").lower() == "true"
    booked_on, value_on = _date(_child(entry, "BookgDt")), _date(_child(entry, "ValDt"))
    entry_ref = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
    transactions = [
        tx for details in _children(entry, "NtryDtls") for tx in _children(details, "TxDtls")
    ]
    credit = direction == "CRDT"
    base = {
        "account": account,
        "booked_on": booked_on,
        "value_on": value_on,
        "currency": currency,
        "credit": credit,
        "booked": status == "BOOK",
        "reversal": reversal,
    }
    if len(transactions) <= 1:
        tx = transactions[0] if transactions else None
        name, iban = _party(tx, "Dbtr" if credit else "Cdtr") if tx is not None else ("", "")
        remittance = _remittance(tx) if tx is not None else ""
        remittance = remittance or _text(entry, "AddtlNtryInf")[:MAX_REMITTANCE_CHARS]
        return [
            ParsedLine(
                key=f"camt:{account}:{entry_ref}" if entry_ref else "",
                amount=amount,
                counterparty=name,
                counterparty_account=iban,
                remittance=remittance,
                entry_reference=entry_ref,
                position=position,
                **base,
            )
        ]
    lines = []
    for index, tx in enumerate(transactions, start=1):
        tx_amount = _text(tx, "AmtDtls", "TxAmt", "Amt") or _text(tx, "Amt")
        if not tx_amount:
            raise ValueError(f"batch transaction {index} has no amount")
        tx_ref = _text(tx, "Refs", "AcctSvcrRef")
        name, iban = _party(tx, "Dbtr" if credit else "Cdtr")
        key = ""
        if tx_ref:
            key = f"camt:{account}:{tx_ref}"
        elif entry_ref:
            key = f"camt:{account}:{entry_ref}:{index}"
        lines.append(
            ParsedLine(
                key=key,
                amount=_amount(tx_amount, f"{position} transaction {index}"),
                counterparty=name,
                counterparty_account=iban,
                remittance=_remittance(tx),
                entry_reference=tx_ref or entry_ref,
                position=f"{position} transaction {index}",
                **base,
            )
        )
    return lines


# -- CSV ---------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _csv_amount(raw: str) -> Decimal:
    text = raw.strip().replace("\u00a0", "").replace(" ", "").replace("'", "")
    text = re.sub(r"[A-Za-z€$£]+", "", text)
    if "," in text and "." in text:
        # The separator that comes last is the decimal one: 1.234,56 or 1,234.56.
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".")
    return _amount(text, f"raw {raw!r}")


def _csv_date(raw: str) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"):
        try:
            return datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"date {raw!r} is not YYYY-MM-DD or DD.MM.YYYY")


def parse_csv(data: bytes, *, account: str = "", currency: str = "") -> ParsedStatement:
    text = _decode(data)
    if not text.strip():
        raise StatementError("CSV statement is empty")
    first_line = text.splitlines()[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    columns = {}
    for name, aliases in CSV_COLUMNS.items():
        for alias in aliases:
            if alias in header:
                columns[name] = header.index(alias)
                break
    missing = [name for name in REQUIRED_CSV_COLUMNS if name not in columns]
    if missing:
        raise StatementError(
            f"CSV header lacks column(s) {', '.join(missing)}; found {', '.join(header)}"
        )
    result = ParsedStatement("csv", account)
    lines = []
    for row_number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        position = f"row {row_number}"

        def cell(name, row=row):
            index = columns.get(name)
            return row[index].strip() if index is not None and index < len(row) else ""

        try:
            amount = _csv_amount(cell("amount"))
            direction = cell("direction").lower()
            if direction in DEBIT_WORDS:
                credit = False
            elif direction in CREDIT_WORDS or not direction:
                credit = amount >= 0
            else:
                raise ValueError(f"credit/debit column is {direction!r}")
            line_currency = (cell("currency") or currency).upper()
            if not re.fullmatch(r"[A-Z]{3}", line_currency):
                raise ValueError(f"currency {line_currency!r} is not a three-letter code")
            status = cell("status").lower()
            reference = cell("entry_reference")
            lines.append(
                ParsedLine(
                    key=f"csv:{account}:{reference}" if reference else "",
                    account=account,
                    booked_on=_csv_date(cell("booked_on")),
                    value_on=_csv_date(cell("value_on")),
                    amount=abs(amount),
                    currency=line_currency,
                    credit=credit,
                    booked=status in {"", "book", "booked", "gebucht"},
                    reversal=False,
                    counterparty=cell("counterparty")[:200],
                    counterparty_account=cell("counterparty_account").replace(" ", "")[:64],
                    remittance=cell("remittance")[:MAX_REMITTANCE_CHARS],
                    entry_reference=reference,
                    position=position,
                )
            )
        except ValueError as exc:
            result.problems.append(LineProblem(position, str(exc)))
    result.lines = _with_keys(lines)
    return result
