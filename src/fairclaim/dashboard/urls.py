from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/<slug:slug>/", views.organisation_dashboard, name="organisation"),
    path("lists/<str:kind>/", views.show_list, name="list"),
]
