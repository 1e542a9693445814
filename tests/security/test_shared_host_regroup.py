"""Data recorded before the private PSL section was used is regrouped (issue 16 item 2): recipients
stored as `github.io` become `alice.github.io` and `bob.github.io`, through the case log, with no
entry lost and the hash chain intact; a case spanning two sites is flagged for review."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps as current_apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from fairclaim.accounts.models import Organisation
from fairclaim.cases.log import append_event, verify_case_log
from fairclaim.cases.models import Case, CaseEvent, CaseLine
from fairclaim.cases.regroup import regroup_shared_hosts
from fairclaim.monitoring.models import Match, Sighting
from fairclaim.works.models import Licence
from tests.cast import register


def _old_style_case(cast, *page_urls: str, domain: str = "github.io") -> Case:
    """A case as the old grouping recorded it: every sighting and the case under the suffix."""
    case = Case.objects.create(
        rights_holder=cast.case.rights_holder, jurisdiction="DE", recipient_domain=domain,
        state="notice_sent", deadline=dt.date(2026, 12, 14),
    )  # fmt: skip
    now = timezone.now()
    for number, url in enumerate(page_urls):
        work = cast.work if number == 0 else register(cast.work.owner, cast.alice, 60 + number)
        sighting = Sighting.objects.create(
            organisation=cast.case.rights_holder, source=Sighting.Source.MANUAL, page_url=url,
            image_url=url + "i.jpg", page_domain=domain, first_seen=now, last_seen=now,
        )  # fmt: skip
        match = Match.objects.create(work=work, sighting=sighting, score=0.9, inliers=90)
        CaseLine.objects.create(case=case, work=work, match=match)
    append_event(case, "case_opened", {"by": "test"}, actor="system")
    append_event(case, "notice_sent", {"notice": 1}, actor="system")
    return case


def test_cases_and_sightings_under_a_shared_suffix_get_their_own_site(cast):
    alice = _old_style_case(cast, "https://alice.github.io/travel/")
    bob = _old_style_case(cast, "https://bob.blogspot.com/", domain="blogspot.com")
    Licence.objects.create(
        owner=alice.rights_holder, work=cast.work, licensee_name="Alice", domains=["github.io"],
        source=Licence.Source.OWN_SALE, reference=alice.reference,
    )  # fmt: skip
    before = list(alice.events.order_by("seq").values_list("seq", "hash"))

    counts = regroup_shared_hosts(current_apps)

    assert counts == {"sightings": 2, "cases": 2, "licences": 1, "review": 0}
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert alice.recipient_domain == "alice.github.io"
    assert bob.recipient_domain == "bob.blogspot.com"
    assert set(Sighting.objects.values_list("page_domain", flat=True)) >= {
        "alice.github.io",
        "bob.blogspot.com",
    }
    assert Licence.objects.get(reference=alice.reference).domains == ["alice.github.io"]
    events = list(alice.events.order_by("seq"))
    assert [(e.seq, e.hash) for e in events[:-1]] == before  # nothing of the log rewritten
    assert events[-1].kind == "recipient_domain_regrouped"
    assert events[-1].payload["from"] == "github.io"
    assert events[-1].payload["to"] == "alice.github.io"
    assert verify_case_log(alice).ok
    assert verify_case_log(bob).ok


def test_a_case_spanning_two_sites_is_flagged_not_split_and_the_pass_is_idempotent(cast):
    both = _old_style_case(cast, "https://alice.github.io/a/", "https://bob.github.io/b/")
    ordinary = cast.case  # recorded under an ordinary domain: never touched
    ordinary_events = ordinary.events.count()

    assert regroup_shared_hosts(current_apps)["review"] == 1
    assert regroup_shared_hosts(current_apps) == {
        "sightings": 0, "cases": 0, "licences": 0, "review": 0,
    }  # fmt: skip
    both.refresh_from_db()
    assert both.recipient_domain == "github.io"
    flagged = both.events.filter(kind="recipient_domain_needs_review").get()
    assert flagged.payload["sites"] == ["alice.github.io", "bob.github.io"]
    assert verify_case_log(both).ok
    assert ordinary.events.count() == ordinary_events
    ordinary.refresh_from_db()
    assert ordinary.recipient_domain == "shop.example"


@pytest.mark.django_db(transaction=True)
def test_the_migration_regroups_what_the_previous_schema_stored():
    executor = MigrationExecutor(connection)
    before = [("cases", "0008_notifications"), ("monitoring", "0006_page_check"),
              ("works", "0004_work_licence_proven_in_case")]  # fmt: skip
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    # accounts is not rolled back: its current model writes its current table.
    org = Organisation.objects.create(name="Alice Photo", slug="alice-m", kind="rights_holder")
    Work = old.get_model("works", "Work")
    work = Work.objects.create(owner_id=org.pk, sha256="a" * 64, file="w.jpg", image_format="JPEG",
                               width=900, height=600, byte_size=1000)  # fmt: skip
    now = timezone.now()
    sighting = old.get_model("monitoring", "Sighting").objects.create(
        organisation_id=org.pk, source="manual", page_url="https://alice.github.io/x",
        image_url="https://alice.github.io/x.jpg", page_domain="github.io", key="k" * 64,
        first_seen=now, last_seen=now,
    )  # fmt: skip
    match = old.get_model("monitoring", "Match").objects.create(
        work=work, sighting=sighting, score=0.9, inliers=90
    )
    case = old.get_model("cases", "Case").objects.create(
        rights_holder_id=org.pk, jurisdiction="DE", recipient_domain="github.io",
        reference="FC-2026-000777", state="notice_sent",
    )  # fmt: skip
    old.get_model("cases", "CaseLine").objects.create(case=case, work=work, match=match)

    call_command("migrate", verbosity=0)

    regrouped = Case.objects.get(pk=case.pk)
    assert regrouped.recipient_domain == "alice.github.io"
    assert Sighting.objects.get(pk=sighting.pk).page_domain == "alice.github.io"
    assert CaseEvent.objects.filter(case=regrouped, kind="recipient_domain_regrouped").exists()
    assert verify_case_log(regrouped).ok
