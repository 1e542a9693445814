"""Background entry points for works: load ids, call the action."""

from django_tasks import task

from .actions import do_process_work


@task()
def process_work(work_id: int) -> bool:
    return do_process_work(work_id)
