"""Background entry points for monitoring: load ids, call the action."""

from django.utils import timezone
from django_tasks import task

from fairclaim.accounts.models import Organisation, User

from .actions import do_scan_watch_list, do_submit_page


@task()
def scan_watch_list(watch_list_id: int) -> dict:
    return do_scan_watch_list(watch_list_id, timezone.now())


@task()
def scan_submitted_page(
    organisation_id: int, user_id: int | None, page_url: str, image_url: str | None
) -> int:
    recorded = do_submit_page(
        Organisation.objects.get(pk=organisation_id),
        User.objects.filter(pk=user_id).first(),
        page_url,
        image_url,
        timezone.now(),
    )
    return len(recorded.all)


@task()
def check_submitted_page(check_id: int) -> str:
    from .actions import do_check_page

    return do_check_page(check_id, timezone.now()).status


@task()
def match_sighting(sighting_id: int) -> int:
    from .matching import do_match_sighting

    return len(do_match_sighting(sighting_id, timezone.now()))


@task()
def search_providers(work_id: int) -> int:
    from .providers import do_search_providers

    return len(do_search_providers(work_id, timezone.now()).all)
