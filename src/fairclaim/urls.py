from django.contrib import admin
from django.urls import include, path

from fairclaim import health
from fairclaim.accounts.language import choose_language
from fairclaim.portal import public_keys

urlpatterns = [
    path("accounts/", include("fairclaim.accounts.urls")),
    path("works/", include("fairclaim.works.urls")),
    path("matches/", include("fairclaim.monitoring.urls")),
    path("cases/", include("fairclaim.cases.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("language/", choose_language, name="choose_language"),
    path("portal/", include("fairclaim.portal.urls")),
    path("verify/", include("fairclaim.portal.verify_urls")),
    path("payments/", include("fairclaim.payments.urls")),
    path(".well-known/fairclaim-signing-key", public_keys.signing_key, name="signing_key"),
    path(".well-known/fairclaim-signing-keys.json", public_keys.signing_keys, name="signing_keys"),
    path(
        ".well-known/fairclaim-signing-certificate.pem",
        public_keys.signing_certificate,
        name="signing_certificate",
    ),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    # The rights holder's home at `/`, dashboards per rights holder and the lists behind them.
    path("", include("fairclaim.dashboard.urls")),
    path("api/", include("fairclaim.api.urls")),
]
