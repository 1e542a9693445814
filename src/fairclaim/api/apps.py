from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "fairclaim.api"
    label = "api"
    verbose_name = "API and webhooks"

    def ready(self):
        # Webhook events are emitted from the rows the lower apps already write (a Match created,
        # a case-log entry that moves the state, a payment receipt): no lower app imports us.
        from fairclaim.monitoring import schedule

        from . import signals  # noqa: F401
        from .delivery import enqueue_due_deliveries

        # The scheduler runs registered steps; ours retries webhook deliveries whose time came.
        if enqueue_due_deliveries not in schedule.STEPS:
            schedule.STEPS.append(enqueue_due_deliveries)
