"""`fairclaim manage import_bank_statement FILE...`: book bank transfers from statements."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fairclaim.payments.providers.bank_transfer.backend import import_statement
from fairclaim.payments.providers.bank_transfer.statements import StatementError


class Command(BaseCommand):
    help = (
        "Import bank statements (camt.053 XML or CSV), book transfers that quote a case "
        "reference, and report unmatched lines. Importing a file again books nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="statement files")
        parser.add_argument("--format", choices=["csv", "camt053"], help="default: guessed")
        parser.add_argument("--account", default="", help="account IBAN (CSV exports)")
        parser.add_argument("--currency", default="", help="account currency (CSV exports)")
        parser.add_argument("--json", action="store_true", help="print one JSON report per file")

    def handle(self, *args, files, format=None, account="", currency="", **options):
        failed = []
        for name in files:
            path = Path(name)
            try:
                report = import_statement(
                    path.read_bytes(),
                    path.name,
                    now=timezone.now(),
                    format=format,
                    account=account,
                    currency=currency,
                )
            except (OSError, StatementError) as exc:
                self.stderr.write(f"{name}: {exc}")
                failed.append(name)
                continue
            if options["json"]:
                data = report.as_dict()
                data["file"] = name
                data["unmatched_lines"] = [
                    {
                        "line": line.pk,
                        "booked_on": str(line.booked_on),
                        "amount": str(line.amount),
                        "currency": line.currency,
                        "counterparty": line.counterparty,
                        "remittance": line.remittance,
                        "reason": line.reason,
                    }
                    for line in report.unmatched
                ]
                self.stdout.write(json.dumps(data))
            else:
                self.stdout.write(f"{name}: {report.as_text()}")
        if failed:
            raise CommandError(f"{len(failed)} statement(s) could not be read: {', '.join(failed)}")
