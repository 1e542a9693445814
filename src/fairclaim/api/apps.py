from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "fairclaim.api"
    label = "api"
    verbose_name = "API and webhooks"

    def ready(self):
        # Webhook events are emitted from the rows the lower apps already write (a Match created,
        # a case-log entry that moves the state, a payment receipt): no lower app imports us.
        # The scheduler (fairclaim.ops.schedule) runs our retry and clean-up steps.
        from . import signals  # noqa: F401
