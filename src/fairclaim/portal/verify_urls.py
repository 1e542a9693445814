from django.urls import path

from . import views

app_name = "verify"
urlpatterns = [
    path("", views.verify_notice, name="notice"),
    path("evidence/", views.verify_evidence, name="evidence"),
]
