"""Payment endpoints, included by the root urls at /payments/."""

from django.urls import path

from .providers.stripe import views as stripe_views

app_name = "payments"
urlpatterns = [
    path("stripe/webhook/", stripe_views.stripe_webhook, name="stripe_webhook"),
]
