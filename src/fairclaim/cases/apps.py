from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "fairclaim.cases"

    def ready(self):
        from fairclaim.monitoring.triage import match_claimed

        from .claims import open_claim

        match_claimed.connect(open_claim, dispatch_uid="cases.open_claim")
