import sys

from django.core.management.base import BaseCommand
from django.utils import timezone

from fairclaim.cases.inbound import record_inbound


class Command(BaseCommand):
    help = "Record a reply or bounce read from stdin (pipe it from the mail server)."

    def handle(self, *args, **options):
        notice = record_inbound(sys.stdin.buffer.read(), timezone.now())
        if notice is None:
            self.stderr.write("No notice of ours is referred to; nothing recorded.")
            sys.exit(1)
        self.stdout.write(f"Recorded on {notice.case.reference}.")
