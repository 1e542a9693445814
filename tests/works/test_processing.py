"""Background processing: queued after commit, run by the real worker, idempotent."""

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from fairclaim.works.actions import do_process_work, do_register_image, upload_limits
from fairclaim.works.intake import check_image
from fairclaim.works.models import Work
from tests.images import photo_bytes


@pytest.mark.django_db(transaction=True)
def test_registration_queues_processing_and_the_worker_makes_the_thumbnail(cast):
    org = cast.alice.organisation
    work = do_register_image(
        org, cast.alice, check_image("p.jpg", photo_bytes(51), upload_limits())
    )
    assert Work.objects.get(pk=work.pk).status == Work.Status.PENDING
    assert DBTaskResult.objects.filter(args_kwargs__args=[work.pk]).count() == 1

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    work.refresh_from_db()
    assert work.status == Work.Status.READY
    with work.thumbnail.open("rb") as handle:
        assert handle.read(3) == b"\xff\xd8\xff"  # a JPEG


def test_nothing_is_queued_when_the_transaction_rolls_back(
    cast, django_capture_on_commit_callbacks
):
    org = cast.alice.organisation
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        do_register_image(org, cast.alice, check_image("q.jpg", photo_bytes(52), upload_limits()))
    assert len(callbacks) == 1  # runs only if the surrounding transaction commits


def test_processing_twice_does_the_work_once(cast):
    org = cast.alice.organisation
    work = do_register_image(
        org, cast.alice, check_image("r.jpg", photo_bytes(53), upload_limits())
    )
    assert do_process_work(work.pk) is True
    assert do_process_work(work.pk) is False
    assert Work.objects.get(pk=work.pk).status == Work.Status.READY


def test_a_damaged_stored_file_marks_the_work_failed_with_the_reason(cast):
    work = cast.work
    Work.objects.filter(pk=work.pk).update(status=Work.Status.PENDING, thumbnail="")
    with open(work.file.path, "wb") as handle:
        handle.write(b"\xff\xd8\xff broken")
    assert do_process_work(work.pk) is True
    work.refresh_from_db()
    assert work.status == Work.Status.FAILED
    assert work.processing_error
