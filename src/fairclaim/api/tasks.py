"""Background entry points of the API app: load ids, call the action."""

from django_tasks import task

from .delivery import deliver_now


@task()
def deliver_webhook(delivery_id: int) -> bool:
    return deliver_now(delivery_id)
