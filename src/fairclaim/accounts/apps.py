from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fairclaim.accounts"

    def ready(self):
        from . import audit  # noqa: F401 - connects the sign-in audit receivers
