"""Bank transfer as a `PaymentProvider`, and reconciliation by importing bank statements.

The recipient transfers the amount quoting the case reference. `import_statement` reads a
statement (payments.providers.bank_transfer.statements), stores each line once (unique line
key: a second import of the same statement books nothing), finds the case reference in the
remittance text (payments.references), and books the amount against the case's open
instalments in order: exact → matched; short → the instalment is part paid; more than all that
is open → the last one is overpaid. Lines it cannot place are kept as unmatched, with the
reason, for a case manager (`do_assign_statement_line`); debits and unbooked entries are
ignored. Every line is handled in its own transaction: one bad line never stops an import.

Settings: BANK_TRANSFER_ACCOUNT = {"holder", "iban", "bic"} shown to recipients.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction

from fairclaim.cases.log import append_event
from fairclaim.cases.models import Case
from fairclaim.payments.ledger import plan_of, record_fact, resettle
from fairclaim.payments.models import BankStatement, Payment, PaymentFact, StatementLine
from fairclaim.payments.providers.base import (
    PaymentProvider,
    PaymentStart,
    check_open,
    check_refund,
)
from fairclaim.rules.case_events import LogKind
from fairclaim.rules.references import find_case_references

from .statements import ParsedLine, parse_statement

ACTOR = "bank-import"
# Shown until the operator configures its own account (development only; the IBAN is the
# documented example IBAN of the ISO 13616 standard, not a real account).
DEFAULT_ACCOUNT = {
    "holder": "fairclaim demo",
    "iban": "DE89370400440532013000",
    "bic": "COBADEFFXXX",
}


class BankTransferProvider(PaymentProvider):
    name = "bank"
    method = Payment.Method.BANK_TRANSFER

    def start(self, payment, *, success_url, cancel_url, now) -> PaymentStart:
        payment.refresh_from_db()
        check_open(payment)
        account = {**DEFAULT_ACCOUNT, **getattr(settings, "BANK_TRANSFER_ACCOUNT", {})}
        instructions = {
            "holder": account["holder"],
            "iban": account["iban"],
            "bic": account["bic"],
            "amount": str(payment.outstanding),
            "currency": payment.currency,
            "reference": payment.case.reference,
            "due_on": payment.due_on.isoformat() if payment.due_on else "",
        }
        return PaymentStart(success_url, instructions)

    def cancel(self, payment, *, now) -> None:
        """Nothing to stop: a transfer that still arrives is booked against the new plan."""

    def refund(self, payment, amount, *, now) -> Payment:
        """Books a refund the case manager makes by transfer from the bank account."""
        check_refund(payment, amount)
        with transaction.atomic():
            # Derived from the refund state: a double click books one refund.
            record_fact(
                payment,
                key=f"bank-refund:{payment.pk}:{payment.amount_refunded}:{amount}",
                kind=PaymentFact.Kind.REFUND,
                amount=amount,
                currency=payment.currency,
                source=self.name,
                now=now,
                actor=ACTOR,
            )
            return resettle(payment, now=now, actor=ACTOR)


@dataclass
class ImportReport:
    statement_id: int
    format: str
    account: str
    lines: int = 0
    matched: int = 0
    partial: int = 0
    overpaid: int = 0
    ignored: int = 0
    duplicates: int = 0
    unmatched: list[StatementLine] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "statement": self.statement_id,
            "format": self.format,
            "account": self.account,
            "lines": self.lines,
            "matched": self.matched,
            "partial": self.partial,
            "overpaid": self.overpaid,
            "ignored": self.ignored,
            "duplicates": self.duplicates,
            "unmatched": len(self.unmatched),
            "problems": self.problems,
        }

    def as_text(self) -> str:
        out = [
            f"Statement {self.statement_id} ({self.format}, account {self.account or '?'}): "
            f"{self.lines} lines read, {self.matched} matched, {self.partial} partial, "
            f"{self.overpaid} overpaid, {len(self.unmatched)} unmatched, {self.ignored} ignored, "
            f"{self.duplicates} already imported, {len(self.problems)} unreadable."
        ]
        for line in self.unmatched:
            out.append(
                f"  UNMATCHED {line.booked_on} {line.amount} {line.currency} "
                f"{line.counterparty!r} {line.remittance!r}: {line.reason}"
            )
        out.extend(f"  UNREADABLE {problem}" for problem in self.problems)
        return "\n".join(out)


def import_statement(
    data: bytes,
    filename: str,
    *,
    now: datetime,
    format: str | None = None,
    account: str = "",
    currency: str = "",
) -> ImportReport:
    """Import one statement file; see the module docstring. Raises `StatementError` when the
    file cannot be read at all (nothing is stored then)."""
    parsed = parse_statement(data, format=format, account=account, currency=currency)
    statement = BankStatement.objects.create(
        filename=filename[:300],
        format=parsed.format,
        sha256=hashlib.sha256(data).hexdigest(),
        account=parsed.account,
        imported_at=now,
    )
    report = ImportReport(statement.pk, parsed.format, parsed.account)
    report.problems = [f"{p.position}: {p.reason}" for p in parsed.problems]
    for parsed_line in parsed.lines:
        report.lines += 1
        try:
            line = _import_line(statement, parsed_line, now)
        except Exception as exc:  # one bad line must not stop the batch
            report.problems.append(f"{parsed_line.position}: {type(exc).__name__}: {exc}")
            continue
        if line is None:
            report.duplicates += 1
        elif line.status == StatementLine.Status.UNMATCHED:
            report.unmatched.append(line)
        else:
            status = StatementLine.Status
            counter = {
                status.MATCHED: "matched",
                status.PARTIAL: "partial",
                status.OVERPAID: "overpaid",
                status.IGNORED: "ignored",
            }[line.status]
            setattr(report, counter, getattr(report, counter) + 1)
    statement.summary = report.as_dict()
    statement.save(update_fields=["summary"])
    return report


def _import_line(statement: BankStatement, parsed: ParsedLine, now: datetime):
    with transaction.atomic():
        try:
            with transaction.atomic():
                line = StatementLine.objects.create(
                    statement=statement,
                    line_key=parsed.key[:200],
                    booked_on=parsed.booked_on,
                    value_on=parsed.value_on,
                    amount=parsed.amount,
                    currency=parsed.currency,
                    credit=parsed.credit,
                    counterparty=parsed.counterparty[:200],
                    counterparty_account=parsed.counterparty_account[:64],
                    remittance=parsed.remittance,
                    entry_reference=parsed.entry_reference[:200],
                    status=StatementLine.Status.UNMATCHED,
                )
        except IntegrityError:
            return None  # imported before: booked then, nothing to do now
        if not parsed.credit or parsed.reversal or not parsed.booked:
            why = "debit" if not parsed.credit else "reversal" if parsed.reversal else "not booked"
            return _mark(line, StatementLine.Status.IGNORED, why)
        references = find_case_references(parsed.remittance)
        if not references:
            return _mark(line, StatementLine.Status.UNMATCHED, "no case reference in remittance")
        cases = {c.reference: c for c in Case.objects.filter(reference__in=references)}
        case = next((cases[r] for r in references if r in cases), None)
        if case is None:
            return _mark(line, StatementLine.Status.UNMATCHED, f"no case {', '.join(references)}")
        return _book(line, case, now=now, actor=ACTOR)


def _mark(line: StatementLine, status: str, reason: str, case: Case | None = None):
    line.status, line.reason, line.case = status, reason[:300], case
    line.save(update_fields=["status", "reason", "case"])
    return line


def _book(line: StatementLine, case: Case, *, now: datetime, actor: str) -> StatementLine:
    """Book a credit line against the case's open instalments, oldest first."""
    open_payments = [p for p in plan_of(case).order_by("instalment_number") if p.is_open]
    if not open_payments:
        return _mark(
            line, StatementLine.Status.UNMATCHED, f"{case.reference} has no open payment", case
        )
    if line.currency != open_payments[0].currency:
        return _mark(
            line,
            StatementLine.Status.UNMATCHED,
            f"paid in {line.currency}, {case.reference} is owed in {open_payments[0].currency}",
            case,
        )
    shares: dict[Payment, Decimal] = {}
    remaining = line.amount
    for payment in open_payments:
        if remaining <= 0:
            break
        share = min(remaining, payment.outstanding)
        if share > 0:
            shares[payment] = share
        remaining -= share
    last = list(shares)[-1] if shares else open_payments[-1]
    shares.setdefault(last, Decimal(0))
    shares[last] += remaining  # more than everything open: the last one carries the excess
    for payment, share in shares.items():
        if payment.method == Payment.Method.UNCHOSEN:
            Payment.objects.filter(pk=payment.pk).update(
                method=Payment.Method.BANK_TRANSFER, provider=BankTransferProvider.name
            )
        record_fact(
            payment,
            key=f"bank:{line.line_key}:{payment.pk}",
            kind=PaymentFact.Kind.RECEIPT,
            amount=share,
            currency=line.currency,
            source=BankTransferProvider.name,
            statement_line=line,
            now=now,
            actor=actor,
            details={"statement": line.statement_id, "line": line.pk},
        )
    settled = [resettle(payment, now=now, actor=actor) for payment in shares]
    if remaining > 0:
        status, reason = StatementLine.Status.OVERPAID, f"{remaining} {line.currency} over"
    elif settled[-1].status == Payment.Status.PART_PAID:
        short = settled[-1].outstanding
        status, reason = StatementLine.Status.PARTIAL, f"{short} {line.currency} short"
    else:
        status, reason = StatementLine.Status.MATCHED, ""
    instalments = ", ".join(f"{p.instalment_number}/{p.instalment_count}" for p in settled)
    return _mark(line, status, f"{case.reference} instalment {instalments} {reason}".strip(), case)


def assign_line(line: StatementLine, case: Case, *, actor: str, now: datetime) -> StatementLine:
    """A case manager books an unmatched credit line to `case` (see actions)."""
    from fairclaim.payments.providers.base import PaymentError

    with transaction.atomic():
        line = StatementLine.objects.select_for_update().get(pk=line.pk)
        if line.status != StatementLine.Status.UNMATCHED or not line.credit:
            raise PaymentError(f"statement line {line.pk} is {line.get_status_display().lower()}")
        append_event(
            case,
            LogKind.STATEMENT_LINE_ASSIGNED,
            {"line": line.pk, "amount": str(line.amount), "currency": line.currency},
            actor=actor,
            at=now,
        )
        line = _book(line, case, now=now, actor=actor)
        if line.status == StatementLine.Status.UNMATCHED:
            raise PaymentError(f"cannot book line {line.pk} to {case.reference}: {line.reason}")
        return line
