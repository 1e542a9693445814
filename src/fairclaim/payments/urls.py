"""Payment endpoints, included by the root urls at /payments/."""

from django.urls import path

from . import views
from .providers.stripe import views as stripe_views

app_name = "payments"
urlpatterns = [
    path("stripe/webhook/", stripe_views.stripe_webhook, name="stripe_webhook"),
    path("payouts/", views.list_payouts, name="payouts"),
    path("payouts/<int:pk>/", views.show_run, name="payout_run"),
    path("payouts/<int:pk>/finalise/", views.finalise_run, name="finalise_run"),
    path("payouts/<int:pk>/discard/", views.discard_run, name="discard_run"),
    path("payouts/<int:pk>/pain001.xml", views.download_sepa, name="sepa"),
    path("statements/<int:pk>/", views.show_statement, name="statement"),
    path(
        "statements/<int:pk>.<str:fmt>",
        views.download_statement,
        name="statement_file",
    ),
    path("agreements/<slug:slug>/", views.edit_agreement, name="agreement"),
]
