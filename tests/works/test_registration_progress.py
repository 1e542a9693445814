"""Registering photos shows its progress (the list reloads itself while any is in flight) and
ends with what failed and why."""

from django.urls import reverse

from fairclaim.works.models import Work
from tests.cast import sign_in


def test_list_reloads_while_photos_are_processed_and_stops_after(client, cast):
    sign_in(client, cast.alice)
    Work.objects.filter(pk=cast.work.pk).update(status="pending")
    page = client.get(reverse("works:list")).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "0 being processed, 1 waiting" in page
    Work.objects.filter(pk=cast.work.pk).update(status="ready")
    page = client.get(reverse("works:list")).content.decode()
    assert "http-equiv" not in page


def test_failed_photos_are_named_with_their_reason(client, cast):
    Work.objects.filter(pk=cast.work.pk).update(
        status="failed", processing_error="the image could not be decoded"
    )
    sign_in(client, cast.alice)
    page = client.get(reverse("works:list")).content.decode()
    assert "1 photo could not be processed" in page
    failed = client.get(reverse("works:list"), {"status": "failed"}).content.decode()
    assert "the image could not be decoded" in failed
    sign_in(client, cast.charlie)
    assert "could not be processed" not in client.get(reverse("works:list")).content.decode()


def test_progress_endpoint_counts_only_the_members_own_works(client, cast):
    Work.objects.update(status="pending")  # Alice's and Charlie's
    sign_in(client, cast.alice)
    state = client.get(reverse("works:progress")).json()
    assert (state["in_flight"], state["finished"], state["max"]) == (1, False, 1)
    Work.objects.update(status="ready")
    state = client.get(reverse("works:progress")).json()
    assert (state["in_flight"], state["finished"], state["value"]) == (0, True, 1)
