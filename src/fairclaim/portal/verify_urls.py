from django.urls import path

from . import views

app_name = "verify"
urlpatterns = [
    path("evidence/", views.verify_evidence, name="evidence"),
]
