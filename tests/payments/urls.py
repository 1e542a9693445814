"""The root URLs plus /payments/ (until the lead includes fairclaim.payments.urls in the root)."""

from django.urls import include, path

from fairclaim.urls import urlpatterns as root_patterns

urlpatterns = list(root_patterns)
if not any(getattr(p, "namespace", None) == "payments" for p in root_patterns):
    urlpatterns.append(path("payments/", include("fairclaim.payments.urls")))
