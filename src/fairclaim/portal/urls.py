from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("evidence/", views.verify_evidence, name="verify_evidence"),
]
