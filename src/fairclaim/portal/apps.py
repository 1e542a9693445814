from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "fairclaim.portal"

    def ready(self):
        from . import checks  # noqa: F401 - registers the system checks
