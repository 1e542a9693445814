from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from fairclaim.accounts.forms import ThrottledAuthenticationForm
from fairclaim.portal import views as portal_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="works:list", permanent=False)),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=ThrottledAuthenticationForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("works/", include("fairclaim.works.urls")),
    path("matches/", include("fairclaim.monitoring.urls")),
    path("cases/", include("fairclaim.cases.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("portal/", include("fairclaim.portal.urls")),
    path("verify/", include("fairclaim.portal.verify_urls")),
    path("payments/", include("fairclaim.payments.urls")),
    path("api/", include("fairclaim.api.urls")),
    path(".well-known/fairclaim-signing-key", portal_views.signing_key, name="signing_key"),
]
