"""Works can be archived and restored, tagged, put in collections and bulk-edited from the grid;
an archived work is not matched or searched for again but keeps its history."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from fairclaim.monitoring.matching import matcher_for
from fairclaim.monitoring.providers import claim_due_searches
from fairclaim.works.actions import (
    BulkRefused,
    clean_names,
    do_archive_works,
    do_bulk_edit,
    do_process_work,
    do_restore_works,
)
from fairclaim.works.models import Collection, Tag, Work
from tests.cast import register, sign_in


def bulk(client, works, action, **values):
    body = {"work": [w.pk for w in works], "action": action, **values}
    return client.post(reverse("works:bulk"), body)


def test_names_are_trimmed_deduplicated_and_long_ones_refused():
    assert clean_names(" Berlin ,berlin, 2024  shoot,,") == ["Berlin", "2024 shoot"]
    with pytest.raises(BulkRefused, match="longer than 80"):
        clean_names(["x" * 81])


def test_archived_work_is_not_matched_or_searched_but_keeps_its_history(cast, settings):
    work = cast.work
    do_process_work(work.pk)
    assert str(work.pk) in matcher_for(work.owner_id).index
    do_archive_works(Work.objects.filter(pk=work.pk), timezone.now())
    assert str(work.pk) not in matcher_for(work.owner_id).index
    settings.FAIRCLAIM_TINEYE_API_KEY = "k"  # one provider enabled, so searches are claimed
    later = timezone.now() + timedelta(days=1)
    assert work.pk not in claim_due_searches(later)
    assert work.matches.count() == 1  # history stays
    assert work.case_lines.count() == 1
    do_restore_works(Work.objects.filter(pk=work.pk), timezone.now())
    assert str(work.pk) in matcher_for(work.owner_id).index
    assert work.pk in claim_due_searches(later)


def test_archive_and_restore_from_the_work_page(client, cast):
    sign_in(client, cast.alice)
    client.post(reverse("works:archive", args=[cast.work.pk]))
    cast.work.refresh_from_db()
    assert cast.work.archived
    page = client.get(cast.work.get_absolute_url()).content.decode()
    assert "no longer matched or searched for" in page
    assert cast.case.reference in page  # its cases are still listed
    grid = client.get(reverse("works:list")).content.decode()
    assert cast.work.get_absolute_url() not in grid
    archived = client.get(reverse("works:list") + "?archived=1").content.decode()
    assert cast.work.get_absolute_url() in archived
    client.post(reverse("works:restore", args=[cast.work.pk]))
    cast.work.refresh_from_db()
    assert not cast.work.archived


def test_work_page_lists_its_sightings_with_their_page(client, cast):
    sign_in(client, cast.alice)
    page = client.get(cast.work.get_absolute_url()).content.decode()
    assert "<h2>Sightings" in page
    assert cast.sighting.page_url in page
    assert f"Work #{cast.work.pk}" in page


def test_tags_and_collections_from_the_work_page(client, cast):
    sign_in(client, cast.alice)
    client.post(
        reverse("works:labels", args=[cast.work.pk]),
        {"tags": "Berlin, street", "collections": "Portfolio"},
    )
    assert sorted(cast.work.tags.values_list("name", flat=True)) == ["Berlin", "street"]
    assert list(cast.work.collections.values_list("name", flat=True)) == ["Portfolio"]
    grid = client.get(reverse("works:list") + "?tag=berlin").content.decode()
    assert cast.work.get_absolute_url() in grid
    portfolio = Collection.objects.get(name="Portfolio")
    grid = client.get(reverse("works:list") + f"?collection={portfolio.pk}").content.decode()
    assert cast.work.get_absolute_url() in grid
    client.post(reverse("works:labels", args=[cast.work.pk]), {"tags": "", "collections": ""})
    assert not cast.work.tags.exists()


def test_bulk_edit_tags_collects_archives_and_sets_metadata(client, cast):
    second = register(cast.alice.organisation, cast.alice, seed=5)
    works = [cast.work, second]
    sign_in(client, cast.alice)
    bulk(client, works, "tag", names="Berlin, 2024")
    bulk(client, works, "collect", names="Book")
    bulk(client, works, "metadata", creator="Alice A.", copyright_notice="")
    bulk(client, [second], "untag", names="berlin")
    for work in works:
        work.refresh_from_db()
        assert work.creator == "Alice A."
        assert work.copyright_notice == ""  # an empty field leaves the value as it is
        assert list(work.collections.values_list("name", flat=True)) == ["Book"]
    assert sorted(cast.work.tags.values_list("name", flat=True)) == ["2024", "Berlin"]
    assert list(second.tags.values_list("name", flat=True)) == ["2024"]
    assert Tag.objects.filter(owner=cast.alice.organisation).count() == 2
    bulk(client, works, "archive")
    assert Work.objects.filter(pk__in=[w.pk for w in works], archived_at__isnull=False).count() == 2
    bulk(client, works, "restore")
    assert not Work.objects.filter(archived_at__isnull=False).exists()


def test_bulk_edit_refuses_what_makes_no_sense_and_changes_nothing(cast):
    works = Work.objects.filter(pk=cast.work.pk)
    for action, values, reason in [
        ("paint", {}, "Choose what to do"),
        ("tag", {"names": " , "}, "Name the tag"),
        ("metadata", {}, "at least one field"),
        ("metadata", {"licence_url": "not a url"}, "not a web address"),
    ]:
        with pytest.raises(BulkRefused, match=reason):
            do_bulk_edit(works, action, values, timezone.now())
    assert not Tag.objects.exists()


def test_bulk_edit_reaches_only_the_members_own_works(client, cast):
    sign_in(client, cast.charlie)
    bulk(client, [cast.work, cast.charlie_work], "archive")
    cast.work.refresh_from_db()
    cast.charlie_work.refresh_from_db()
    assert not cast.work.archived  # Alice's work: not there for Charlie
    assert cast.charlie_work.archived


def test_read_only_members_and_strangers_cannot_change_works(client, cast):
    sign_in(client, cast.alice_viewer)
    assert bulk(client, [cast.work], "archive").status_code == 403
    assert client.post(reverse("works:archive", args=[cast.work.pk])).status_code == 403
    labels = reverse("works:labels", args=[cast.work.pk])
    assert client.post(labels, {"tags": "x"}).status_code == 403
    assert "Apply to the chosen works" not in client.get(reverse("works:list")).content.decode()
    sign_in(client, cast.charlie)
    assert client.post(reverse("works:archive", args=[cast.work.pk])).status_code == 404
    assert client.post(labels, {"tags": "x"}).status_code == 404
    cast.work.refresh_from_db()
    assert not cast.work.archived
    assert not cast.work.tags.exists()


def test_two_organisations_tags_of_one_name_stay_apart(client, cast):
    sign_in(client, cast.alice)
    bulk(client, [cast.work], "tag", names="Berlin")
    sign_in(client, cast.charlie)
    bulk(client, [cast.charlie_work], "tag", names="Berlin")
    assert Tag.objects.filter(name="Berlin").count() == 2
    grid = client.get(reverse("works:list") + "?tag=Berlin").content.decode()
    assert cast.work.get_absolute_url() not in grid
    assert cast.charlie_work.get_absolute_url() in grid
