from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.enter, name="enter"),
    path("leave/", views.leave, name="leave"),
    path("link/<str:token>/", views.follow_link, name="link"),
    path("<str:reference>/", views.show_case, name="case"),
    path("<str:reference>/lines/<int:line>.png", views.match_picture, name="picture"),
    path("<str:reference>/captures/<int:pk>.wacz", views.capture_bundle, name="capture"),
    path("<str:reference>/licence/", views.show_licence, name="licence"),
    path("<str:reference>/documents/<int:pk>.pdf", views.document, name="document"),
    path("<str:reference>/pay/", views.show_payment, name="pay"),
    path("<str:reference>/defence/", views.show_defence, name="defence"),
    path("<str:reference>/messages/", views.show_messages, name="messages"),
]
