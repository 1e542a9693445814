from django.urls import path

from . import views

app_name = "works"
urlpatterns = [
    path("", views.list_works, name="list"),
    path("upload/", views.upload_works, name="upload"),
    path("bulk/", views.bulk_edit_works, name="bulk"),
    path("progress.json", views.registration_progress, name="progress"),
    path("licences/", views.list_licences, name="licences"),
    path("licences/add/", views.add_licence, name="add_licence"),
    path("licences/import/", views.import_licences, name="import_licences"),
    path("<int:pk>/", views.show_work, name="detail"),
    path("<int:pk>/edit/", views.edit_work, name="edit"),
    path("<int:pk>/retry/", views.retry_work, name="retry"),
    path("<int:pk>/archive/", views.archive_work, {"archive": True}, name="archive"),
    path("<int:pk>/restore/", views.archive_work, {"archive": False}, name="restore"),
    path("<int:pk>/labels/", views.label_work, name="labels"),
    path("<int:pk>/thumbnail/", views.work_image, {"variant": "thumbnail"}, name="thumbnail"),
    path("<int:pk>/original/", views.work_image, {"variant": "original"}, name="original"),
]
