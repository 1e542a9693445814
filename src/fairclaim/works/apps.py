from django.apps import AppConfig


class WorksConfig(AppConfig):
    name = "fairclaim.works"
