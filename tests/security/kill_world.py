"""The data each task kind needs, for the kill test (tests/security/test_kill_per_task_kind.py).

Run in a child process on the test's throw-away data directory:
`python -m tests.security.kill_world setup KIND BASE_URL` builds what one task of KIND works on,
through the product's own actions, and queues that one task; `show KIND` prints, as JSON, what the
task did (the effects that must exist exactly once). BASE_URL is the test's loopback server: the
recipient's page and image, a time-stamping authority, a webhook receiver and a TinEye stand-in.
"""

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fairclaim.settings")

import django

django.setup()

from django.utils import timezone  # noqa: E402

PAGE = b'<html><body><h1>Laden</h1><img src="/i/1.jpg" width="900" height="600"></body></html>'
PHOTO_SEED = 4


def _org_and_work():
    from fairclaim.accounts.models import Organisation, User
    from fairclaim.works.actions import do_process_work, do_register_image, upload_limits
    from fairclaim.works.intake import check_image
    from tests.images import photo_bytes

    org = Organisation.objects.create(name="Ada Lens", slug="ada", kind="rights_holder")
    User.objects.create_user(
        "ada", email="ada@lens.example", password="x" * 20, role="rights_holder", organisation=org
    )
    work = do_register_image(
        org, None, check_image("w.jpg", photo_bytes(PHOTO_SEED), upload_limits())
    )
    do_process_work(work.pk)
    return org, work


def _sighting(org, base):
    from datetime import UTC, datetime

    from fairclaim.monitoring.models import Sighting

    seen = datetime(2026, 6, 1, tzinfo=UTC)
    return Sighting.objects.create(
        organisation=org, source=Sighting.Source.MANUAL, page_url=f"{base}/p/1",
        image_url=f"{base}/i/1.jpg", page_domain="laden.example", first_seen=seen,
        last_seen=seen, display_width=900, display_height=600,
    )  # fmt: skip


def _case(base, *, captured: bool):
    """A case in review with one checked claim on the recipient's page (captured if asked)."""
    from pathlib import Path

    from fairclaim.cases.claims import do_check_claim
    from fairclaim.cases.evidence import do_capture_case
    from fairclaim.cases.models import Case, CaseLine, Claim, RateCard
    from fairclaim.monitoring.models import Match

    example = Path(__file__).resolve().parents[2] / "docs/facts/examples"
    pricing = json.loads((example / "de-send-shop-missing-credit.json").read_text())["pricing"]
    org, work = _org_and_work()
    RateCard.objects.create(owner=org, pricing=pricing)
    match = Match.objects.create(work=work, sighting=_sighting(org, base), score=0.97, inliers=120)
    case = Case.objects.create(
        rights_holder=org, jurisdiction="DE", language="de", recipient_domain="laden.example",
        recipient_country="DE", recipient_email="info@laden.example", state="review",
    )  # fmt: skip
    inputs = {"jurisdiction": "DE", "usage": pricing["entries"][0]["usage"],
              "placement": pricing["entries"][0].get("placement") or "",
              "recipient_name": "Laden GmbH", "recipient_country": "DE"}  # fmt: skip
    claim = Claim.objects.create(match=match, inputs=inputs, case=case)
    do_check_claim(claim, timezone.now().date())
    CaseLine.objects.create(case=case, work=work, match=match)
    if captured:
        do_capture_case(case.pk, timezone.now())
    return case


def _only_queued(task, *args):
    """Forget the tasks the set-up queued on its way (captures, notifications): the run under
    test holds one task, the kind being killed."""
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()
    task.enqueue(*args)


def setup(kind: str, base: str) -> None:
    from fairclaim.cases import tasks as cases_tasks
    from fairclaim.monitoring import tasks as monitoring_tasks

    if kind == "capture_case_evidence":
        case = _case(base, captured=False)
        _only_queued(cases_tasks.capture_case_evidence, case.pk)
    elif kind == "send_notice":
        from fairclaim.cases.sending import do_create_demand

        case = _case(base, captured=True)
        notice = do_create_demand(case, now=timezone.now(), actor="test")
        _only_queued(cases_tasks.send_notice, notice.pk)
    elif kind == "issue_settlement":
        from fairclaim.payments.models import Payment

        case = _case(base, captured=False)
        case.state = "paid"
        case.save(update_fields=["state"])
        Payment.objects.create(
            case=case, offer=Payment.Offer.PAST_AND_FUTURE, amount="500.00", currency="EUR",
            status=Payment.Status.SUCCEEDED, amount_received="500.00",
        )  # fmt: skip
        _only_queued(cases_tasks.issue_settlement, case.pk, "500.00", "past_and_future")
    elif kind == "send_notification":
        from fairclaim.cases.log import append_event

        case = _case(base, captured=False)
        append_event(case, "message_posted", {"author": "recipient", "message": 1}, actor="x")
        from fairclaim.cases.models import Notification

        (notification,) = Notification.objects.filter(digest=False)
        _only_queued(cases_tasks.send_notification, notification.pk)
    elif kind == "deliver_webhook":
        from fairclaim.api.delivery import do_emit, new_secret
        from fairclaim.api.models import WebhookDelivery, WebhookEndpoint
        from fairclaim.api.tasks import deliver_webhook

        org, _ = _org_and_work()
        WebhookEndpoint.objects.create(
            organisation=org, url=f"{base}/hook", events=["case.state_changed"],
            secret=new_secret(),
        )  # fmt: skip
        do_emit(org.pk, "case.state_changed", {"case": "FC-2026-000001"}, timezone.now())
        _only_queued(deliver_webhook, WebhookDelivery.objects.get().pk)
    elif kind == "scan_watch_list":
        from fairclaim.monitoring.models import WatchList

        org, _ = _org_and_work()
        watch = WatchList.objects.create(
            organisation=org, name="Laden", start_urls=[f"{base}/p/1"], max_pages=3
        )
        _only_queued(monitoring_tasks.scan_watch_list, watch.pk)
    elif kind == "scan_submitted_page":
        org, _ = _org_and_work()
        _only_queued(monitoring_tasks.scan_submitted_page, org.pk, None, f"{base}/p/1", None)
    elif kind == "check_submitted_page":
        from fairclaim.monitoring.models import PageCheck

        org, _ = _org_and_work()
        check = PageCheck.objects.create(
            organisation=org, page_url=f"{base}/p/1", created_at=timezone.now()
        )
        _only_queued(monitoring_tasks.check_submitted_page, check.pk)
    elif kind == "match_sighting":
        org, _ = _org_and_work()
        _only_queued(monitoring_tasks.match_sighting, _sighting(org, base).pk)
    elif kind == "search_providers":
        _, work = _org_and_work()
        _only_queued(monitoring_tasks.search_providers, work.pk)
    else:
        raise SystemExit(f"unknown task kind {kind}")


def show(kind: str) -> dict:
    """What the task did, counted where doing it twice would show."""
    from fairclaim.cases.models import Capture, CaseEvent, Notice, Notification
    from fairclaim.monitoring.models import Match, PageCheck, Sighting, WatchList

    def events(name):
        return CaseEvent.objects.filter(kind=name).count()

    if kind == "capture_case_evidence":
        captured = Capture.objects.filter(status=Capture.Status.CAPTURED).count()
        return {"captured": captured, "events": events("evidence_captured")}
    if kind == "send_notice":
        notice = Notice.objects.get(kind=Notice.Kind.DEMAND)
        return {"status": notice.status, "events": events("notice_sent")}
    if kind == "issue_settlement":
        from fairclaim.works.models import Licence

        issued = Notice.objects.exclude(kind=Notice.Kind.DEMAND).values_list("kind", flat=True)
        return {"issued": sorted(issued), "events": events("release_issued"),
                "licences": Licence.objects.count()}  # fmt: skip
    if kind == "send_notification":
        statuses = list(Notification.objects.filter(digest=False).values_list("status", flat=True))
        return {"statuses": statuses, "events": events("notification_sent")}
    if kind == "deliver_webhook":
        from fairclaim.api.models import WebhookDelivery

        delivery = WebhookDelivery.objects.get()
        return {"status": delivery.status, "attempts": delivery.attempts}
    if kind == "scan_watch_list":
        watch = WatchList.objects.get()
        return {"sightings": Sighting.objects.count(), "scanned": bool(watch.last_scan_at)}
    if kind == "scan_submitted_page":
        return {"sightings": Sighting.objects.count()}
    if kind == "check_submitted_page":
        check = PageCheck.objects.get()
        return {"status": check.status, "found": check.images_found,
                "sightings": Sighting.objects.count()}  # fmt: skip
    if kind == "match_sighting":
        return {"matches": Match.objects.count()}
    if kind == "search_providers":
        return {"sightings": Sighting.objects.filter(source__startswith="provider").count()}
    raise SystemExit(f"unknown task kind {kind}")


if __name__ == "__main__":
    if sys.argv[1] == "setup":
        setup(sys.argv[2], sys.argv[3])
    else:
        print(json.dumps(show(sys.argv[2])))
