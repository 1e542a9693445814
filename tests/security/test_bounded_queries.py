"""Who is told of a case event is found in a bounded number of queries, whatever the number of
staff on the platform (issue 16, production that runs for months: the notification query was one
query per active rights-holder or case-manager account of every organisation)."""

from __future__ import annotations

from fairclaim.accounts.models import Organisation, User
from fairclaim.cases.log import append_event
from fairclaim.cases.models import Notification
from tests.cast import PASSWORD


def _strangers(count: int) -> None:
    for i in range(count):
        org = Organisation.objects.create(name=f"O {i}", slug=f"o-{i}", kind="rights_holder")
        User.objects.create_user(f"rh-{i}", password=PASSWORD, role="rights_holder",
                                 organisation=org, email=f"rh-{i}@example.org")  # fmt: skip
        User.objects.create_user(f"cm-{i}", password=PASSWORD, role="case_manager",
                                 organisation=org, email=f"cm-{i}@example.org")  # fmt: skip


def _told(cast) -> tuple[set[str], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Notification.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        append_event(cast.case, "message_posted", {"author": "recipient"}, actor="recipient")
    names = set(Notification.objects.exclude(user=None).values_list("user__username", flat=True))
    return names, len(queries)


def test_the_people_told_of_an_event_cost_the_same_queries_for_3_or_43_staff(cast):
    cast.case.law_firm = None
    cast.case.save()
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    User.objects.filter(pk=root.pk).update(role="case_manager")
    few, few_queries = _told(cast)
    _strangers(20)
    many, many_queries = _told(cast)
    # Alice's members and her operator's manager (and a superuser, who sees every case); none
    # of the forty strangers of other organisations.
    assert few == many == {"alice", "alice_viewer", "manager", "root"}
    assert many_queries == few_queries


def test_the_portal_case_body_cache_follows_every_case_event_and_is_bounded(client, cast):
    """The recipient's case page body is cached per case version; a new entry of the case log
    (here: a notice sent) must show at once, and the cache holds a bounded number of bodies."""
    import datetime as dt

    from django.conf import settings
    from django.core.cache import cache
    from django.core.files.base import ContentFile
    from django.urls import reverse

    from fairclaim.cases.access_codes import new_access_code
    from fairclaim.cases.models import Case, Notice

    Case.objects.filter(pk=cast.case.pk).update(
        state="notice_sent", deadline=dt.date(2026, 12, 14), law_firm=None
    )
    client.post(reverse("portal:enter"),
                {"reference": cast.case.reference, "code": new_access_code(cast.case)})  # fmt: skip
    page = reverse("portal:case", args=[cast.case.reference])
    document = Notice(case=cast.case, kind="demand", status="sent", idempotency_key="k-9",
                      recipient_email="a@b.example", subject="s", body_text="b")  # fmt: skip
    link = f"/portal/{cast.case.reference}/documents/"
    assert link not in client.get(page).content.decode()
    document.pdf.save("n.pdf", ContentFile(b"%PDF-1.7"), save=True)
    append_event(cast.case, "notice_sent", {"notice": document.pk}, actor="system")
    assert link in client.get(page).content.decode()
    assert cache._max_entries <= 1000  # LocMemCache: old bodies are culled, never unbounded
    assert "locmem" in settings.CACHES["default"]["BACKEND"]
