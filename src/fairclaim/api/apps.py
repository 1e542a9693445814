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
        from .idempotency import forget_old_records

        # The scheduler runs registered steps: ours retry webhook deliveries whose time came and
        # forget idempotency keys past their window.
        for step in (enqueue_due_deliveries, forget_old_records):
            if step not in schedule.STEPS:
                schedule.STEPS.append(step)
