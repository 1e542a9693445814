from django.urls import path

from . import firm_views, inbox_views, views

app_name = "cases"
urlpatterns = [
    path("", views.list_cases, name="list"),
    path("claims/", views.list_claims, name="claims"),
    path("prices/", views.edit_rate_card, name="rate_card"),
    path("prices/<int:organisation_id>/", views.edit_rate_card, name="rate_card_of"),
    path("notices/", views.list_notices, name="notices"),
    path("notifications/", inbox_views.notifications, name="notifications"),
    path("notifications/read/", inbox_views.mark_read, name="notifications_read"),
    path("notifications/<int:pk>/open/", inbox_views.mark_read, name="notification_open"),
    path("notices/<int:pk>/", views.show_notice, name="notice"),
    path("claims/<int:pk>/", views.show_claim, name="claim"),
    path("claims/<int:pk>/close/", views.close_claim, name="close_claim"),
    path("<str:reference>/", views.show_case, name="detail"),
    path("<str:reference>/captures/<int:pk>.wacz", views.download_capture, name="capture"),
    path("<str:reference>/<str:kind>/<int:pk>/decide/", views.decide, name="decide"),
    path("<str:reference>/<str:kind>/<int:pk>/file/", views.download_upload, name="upload"),
    path("<str:reference>/reply/", views.reply, name="reply"),
    path("<str:reference>/firm/<str:action>/", firm_views.firm_action, name="firm"),
    path("<str:reference>/act/", views.act_on_case, name="act"),
    path("<str:reference>/do/<str:operation>/", views.operate, name="operate"),
    path("<str:reference>/case-file.zip", views.download_case_file, name="case_file"),
    path("<str:reference>/case-log.json", views.download_case_log, name="log_export"),
]
