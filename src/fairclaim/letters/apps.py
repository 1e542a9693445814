from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "fairclaim.letters"
