"""/api/v1/ (the API and its OpenAPI document) and /api/account/ (keys and webhooks pages)."""

from django.urls import include, path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from . import account_views
from .problems import not_found
from .views import cases, monitoring, works

app_name = "api"


class RowId:
    """A row id: digits that fit a 64-bit integer (a longer one is a 404, not a driver error)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(RowId, "id")

v1 = [
    path("works/", works.WorkList.as_view(), name="works"),
    path("works/from-url/", works.WorkFromUrl.as_view(), name="works_from_url"),
    path("works/bulk/", works.WorkBulk.as_view(), name="works_bulk"),
    path("works/<id:pk>/", works.WorkDetail.as_view(), name="work"),
    path("works/<id:pk>/registrations/", works.RegistrationList.as_view(), name="registrations"),
    path("licences/", works.LicenceList.as_view(), name="licences"),
    path("licences/import/", works.LicenceImport.as_view(), name="licence_import"),
    path("sightings/", monitoring.SightingList.as_view(), name="sightings"),
    path("matches/", monitoring.MatchList.as_view(), name="matches"),
    path("matches/triage/", monitoring.Triage.as_view(), name="triage"),
    path("matches/<id:pk>/", monitoring.MatchDetail.as_view(), name="match"),
    path("claims/", cases.ClaimList.as_view(), name="claims"),
    path("claims/<id:pk>/", cases.ClaimDetail.as_view(), name="claim"),
    path("cases/", cases.CaseList.as_view(), name="cases"),
    path("cases/<str:reference>/", cases.CaseDetail.as_view(), name="case"),
    path("cases/<str:reference>/events/", cases.CaseEvents.as_view(), name="case_events"),
    path("cases/<str:reference>/statement/", cases.CaseStatement.as_view(), name="case_statement"),
    path("payments/", cases.PaymentList.as_view(), name="payments"),
    path("payments/<id:pk>/", cases.PaymentDetail.as_view(), name="payment"),
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path(
        "docs/",
        SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html"),
        name="redoc",
    ),
    path("explorer/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="swagger"),
]

account = [
    path("keys/", account_views.list_keys, name="keys"),
    path("keys/<id:pk>/revoke/", account_views.revoke_key, name="revoke_key"),
    path("webhooks/", account_views.list_webhooks, name="webhooks"),
    path("webhooks/<id:pk>/", account_views.show_webhook, name="webhook"),
    path("webhooks/<id:pk>/disable/", account_views.disable_webhook, name="disable_webhook"),
    path(
        "webhooks/deliveries/<id:pk>/replay/",
        account_views.replay_delivery,
        name="replay_delivery",
    ),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("account/", include(account)),
    re_path(r"^v1/.*$", not_found),
]
