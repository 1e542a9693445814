"""`fairclaim manage payout_run`: draft a payout run, review it, make it final.

payout_run --operator ops --until 2026-11-30            draft (prints every statement)
payout_run --operator ops --until 2026-11-30 --final    draft and make final at once
payout_run --finalise 7 [--sepa-out run7.xml]            make a reviewed draft final
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fairclaim.accounts.models import Organisation
from fairclaim.payments.models import PayoutRun
from fairclaim.payments.payouts import PayoutError, do_draft_run, do_finalise_run


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as problem:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from problem


class Command(BaseCommand):
    help = "Draft a payout run (money booked up to --until), or make a reviewed draft final."

    def add_arguments(self, parser):
        parser.add_argument("--operator", help="operator organisation slug (default: none)")
        parser.add_argument("--until", help="include money booked up to the end of this day")
        parser.add_argument("--execution-date", help="requested transfer day (default: tomorrow)")
        parser.add_argument("--final", action="store_true", help="make the new draft final")
        parser.add_argument("--finalise", type=int, metavar="RUN", help="make draft RUN final")
        parser.add_argument("--sepa-out", help="write the run's pain.001 file here")

    def handle(self, *args, **options):
        now = timezone.now()
        try:
            if options["finalise"]:
                run = PayoutRun.objects.filter(pk=options["finalise"]).first()
                if run is None:
                    raise CommandError(f"no payout run {options['finalise']}")
            else:
                run = self.draft(options, now)
            if options["finalise"] or options["final"]:
                run = do_finalise_run(
                    run, actor="manage payout_run", now=now, debtor=settings.BANK_TRANSFER_ACCOUNT
                )
        except PayoutError as problem:
            raise CommandError(str(problem)) from problem
        self.report(run)
        if options["sepa_out"]:
            if not run.sepa_xml:
                raise CommandError(
                    f"payout run {run.pk} has no SEPA file (not final or pays nothing)"
                )
            with open(options["sepa_out"], "w", encoding="utf-8") as out:
                out.write(run.sepa_xml)
            self.stdout.write(f"SEPA file written to {options['sepa_out']}")

    def draft(self, options, now: datetime) -> PayoutRun:
        operator = None
        if options["operator"]:
            operator = Organisation.objects.filter(
                slug=options["operator"], kind=Organisation.Kind.OPERATOR
            ).first()
            if operator is None:
                raise CommandError(f"no operator organisation {options['operator']!r}")
        until = (
            _day(options["until"]) if options["until"] else timezone.localdate(now) - timedelta(1)
        )
        cutoff = datetime.combine(until, time.max, tzinfo=timezone.get_current_timezone())
        execution = (
            _day(options["execution_date"])
            if options["execution_date"]
            else timezone.localdate(now) + timedelta(1)
        )
        return do_draft_run(
            operator=operator,
            cutoff=cutoff,
            execution_date=execution,
            actor="manage payout_run",
            now=now,
        )

    def report(self, run: PayoutRun) -> None:
        self.stdout.write(
            f"payout run {run.pk}: {run.get_status_display()}, up to {run.cutoff:%Y-%m-%d}"
        )
        for s in run.statements.select_related("organisation"):
            self.stdout.write(
                f"  {s.organisation.slug}: carried in {s.previous_balance}, share {s.period}, "
                f"paid {s.paid} {s.currency} ({s.outcome}), carried on {s.carried}"
            )
        if run.sepa_sha256:
            self.stdout.write(f"SEPA pain.001 {run.sepa_message_id} sha256 {run.sepa_sha256}")
