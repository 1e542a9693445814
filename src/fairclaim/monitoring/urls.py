from django.urls import path

from . import views

app_name = "monitoring"
urlpatterns = [
    path("", views.list_matches, name="list"),
    path("<int:pk>/", views.show_match, name="match"),
    path("triage/", views.triage_matches, name="triage"),
    path("sightings/", views.list_sightings, name="sightings"),
    path("sightings/submit/", views.submit_page, name="submit_page"),
    path("sightings/checks/<int:pk>/", views.show_page_check, name="page_check"),
    path("sightings/checks/<int:pk>/status.json", views.page_check_status, name="check_status"),
    path("watch/", views.list_watch_lists, name="watch_lists"),
    path("watch/<int:pk>/", views.show_watch_list, name="watch_list"),
    path("watch/<int:pk>/scan/", views.scan_watch_list_now, name="scan_now"),
    path("watch/<int:pk>/status.json", views.watch_list_status, name="scan_status"),
    path("<int:pk>/report.png", views.match_report_image, name="report_image"),
    path("<int:pk>/overlay.png", views.match_report_image, {"variant": "overlay"}, name="overlay"),
]
