"""A real worker process for the exactly-once test: `setup`, `send NOTICE_ID MINUTES_LATER`,
`show NOTICE_ID`. Runs on its own SQLite file (DATABASE_URL) so the test can kill it mid-send."""

import json
import os
import sys
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fairclaim.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402


def setup() -> int:
    from fairclaim.accounts.models import Organisation
    from fairclaim.cases.models import Case, CaseLine
    from fairclaim.cases.sending import do_create_demand
    from fairclaim.works.actions import do_process_work, do_register_image, upload_limits
    from fairclaim.works.intake import check_image
    from tests.images import photo_bytes

    call_command("migrate", "--no-input", verbosity=0)
    org = Organisation.objects.create(name="Ada Lens", slug="ada", kind="rights_holder")
    work = do_register_image(org, None, check_image("w.jpg", photo_bytes(4), upload_limits()))
    do_process_work(work.pk)
    case = Case.objects.create(
        rights_holder=org,
        jurisdiction="DE",
        language="de",
        recipient_domain="laden.example",
        recipient_country="DE",
        recipient_email="info@laden.example",
        state="review",
    )
    CaseLine.objects.create(case=case, work=work)
    notice = do_create_demand(case, now=timezone.now(), actor="test")
    print(notice.pk)
    return 0


def send(notice_id: int, minutes_later: int) -> int:
    from fairclaim.cases.sending import do_send_notice

    print(do_send_notice(notice_id, timezone.now() + timedelta(minutes=minutes_later)))
    return 0


def show(notice_id: int) -> int:
    from fairclaim.cases.models import Notice

    notice = Notice.objects.get(pk=notice_id)
    events = list(notice.case.events.values_list("kind", flat=True))
    print(
        json.dumps(
            {
                "status": notice.status,
                "attempts": notice.attempts,
                "message_id": notice.message_id,
                "events": events,
                "state": notice.case.state,
            }
        )
    )
    return 0


if __name__ == "__main__":
    verb, *args = sys.argv[1:]
    sys.exit({"setup": setup, "send": send, "show": show}[verb](*map(int, args)))
