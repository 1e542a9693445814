from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.list_cases, name="list"),
    path("<str:reference>/", views.show_case, name="detail"),
]
