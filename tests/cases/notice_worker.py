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
    """A sound case (checked claim, verified capture of a page served here), its demand queued."""
    from datetime import UTC, datetime
    from pathlib import Path

    from fairclaim.accounts.models import Organisation
    from fairclaim.cases.claims import do_check_claim
    from fairclaim.cases.evidence import do_capture_case
    from fairclaim.cases.models import Case, CaseLine, Claim, RateCard
    from fairclaim.cases.sending import do_create_demand
    from fairclaim.monitoring.models import Match, Sighting
    from fairclaim.works.actions import do_process_work, do_register_image, upload_limits
    from fairclaim.works.intake import check_image
    from tests.images import photo_bytes
    from tests.webserver import serving

    call_command("migrate", "--no-input", verbosity=0)
    example = Path(__file__).resolve().parents[2] / "docs/facts/examples"
    pricing = json.loads((example / "de-send-shop-missing-credit.json").read_text())["pricing"]
    org = Organisation.objects.create(name="Ada Lens", slug="ada", kind="rights_holder")
    RateCard.objects.create(owner=org, pricing=pricing)
    work = do_register_image(org, None, check_image("w.jpg", photo_bytes(4), upload_limits()))
    do_process_work(work.pk)
    page = b'<html><body><img src="/i/1.jpg" width="900" height="600"></body></html>'
    routes = {"/p/1": ("text/html", page), "/i/1.jpg": ("image/jpeg", photo_bytes(4))}
    with serving(routes) as base:
        seen = datetime(2026, 6, 1, tzinfo=UTC)
        sighting = Sighting.objects.create(
            organisation=org, source=Sighting.Source.MANUAL, page_url=f"{base}/p/1",
            image_url=f"{base}/i/1.jpg", page_domain="laden.example", first_seen=seen,
            last_seen=seen, display_width=900, display_height=600,
        )  # fmt: skip
        match = Match.objects.create(work=work, sighting=sighting, score=0.97, inliers=120)
        case = Case.objects.create(
            rights_holder=org, jurisdiction="DE", language="de", recipient_domain="laden.example",
            recipient_country="DE", recipient_email="info@laden.example", state="review",
        )  # fmt: skip
        inputs = {"jurisdiction": "DE", "usage": pricing["entries"][0]["usage"],
                  "placement": pricing["entries"][0].get("placement") or "",
                  "recipient_name": "Laden GmbH", "recipient_country": "DE"}  # fmt: skip
        claim = Claim.objects.create(match=match, inputs=inputs, case=case)
        do_check_claim(claim, timezone.localdate())
        CaseLine.objects.create(case=case, work=work, match=match)
        do_capture_case(case.pk, timezone.now())
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
