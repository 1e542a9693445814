import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from fairclaim.ops.schedule import run_steps


class Command(BaseCommand):
    help = (
        "Queue scheduled work (scans, captures, notices, reminders, payout runs, webhook retries)"
        " when it falls due; --once for a single pass."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between passes")

    def handle(self, *args, once=False, interval=30.0, **options):
        while True:
            queued = run_steps(timezone.now())
            if queued and options["verbosity"]:
                self.stdout.write(f"queued {queued} scheduled task(s)")
            if once:
                return
            time.sleep(interval)
