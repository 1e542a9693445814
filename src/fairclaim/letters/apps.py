from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "fairclaim.letters"

    def ready(self):
        from . import checks  # noqa: F401 - registers the system checks
