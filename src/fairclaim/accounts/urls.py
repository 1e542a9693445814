"""/accounts/: Django's sign-in and password pages (under Django's own names) and ours."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import team_views, views
from .forms import ThrottledAuthenticationForm

django_names = [
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=ThrottledAuthenticationForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_reset/", views.ResetPasswordView.as_view(), name="password_reset"),
    path(
        "password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        views.ConfirmResetView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("password_change/", views.ChangePasswordView.as_view(), name="password_change"),
    path(
        "password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]

account = [
    path("", views.home, name="home"),
    path("two-factor/", views.two_factor_settings, name="two_factor"),
    path("two-factor/enrol/", views.enrol, name="enrol"),
    path("two-factor/verify/", views.verify, name="verify"),
    path("team/", team_views.show_team, name="team"),
    path("team/leave/", team_views.leave_team, name="leave_team"),
    path("team/members/<int:pk>/", team_views.remove_member, name="remove_member"),
    path(
        "team/invitations/<int:pk>/revoke/",
        team_views.revoke_invitation,
        name="revoke_invitation",
    ),
    path("invitation/<str:token>/", team_views.accept_invitation, name="accept_invitation"),
]

urlpatterns = [*django_names, path("", include((account, "accounts")))]
