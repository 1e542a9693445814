"""Invitations by e-mail (a real SMTP server; the test follows the mailed link), joining with a
new or an existing account, single use and expiry, leaving and removal (never the last admin),
and the membership log. Strangers get 404; members who do not run the team cannot change it."""

from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from fairclaim.accounts import team
from fairclaim.accounts.models import Invitation, MembershipEvent, User
from tests.accounts.conftest import link_in
from tests.cast import PASSWORD, make_user, sign_in

BASE = "https://fairclaim.test"


@pytest.fixture
def admin(cast, settings):
    settings.FAIRCLAIM_PUBLIC_URL = BASE
    User.objects.filter(pk=cast.alice.pk).update(team_admin=True)
    cast.alice.refresh_from_db()
    return cast.alice


def invite(client, admin, email="bea@example.org", role="member"):
    sign_in(client, admin)
    return client.post(reverse("accounts:team"), {"email": email, "role": role})


def log_of(organisation):
    return list(
        MembershipEvent.objects.filter(organisation=organisation)
        .order_by("id")
        .values_list("kind", "member", "actor")
    )


def test_an_invitation_by_mail_makes_a_new_member(client, admin, inbox):
    assert invite(client, admin, role="read_only").status_code == 302
    [message] = inbox.messages
    assert message["To"] == "bea@example.org"
    assert "Alice Photo" in message["Subject"]
    path = link_in(message, BASE)
    client.logout()
    page = client.get(path)
    assert page.status_code == 200
    assert "Create your account" in page.content.decode()
    joined = client.post(path, {"username": "bea", "password1": PASSWORD, "password2": PASSWORD})
    assert joined.status_code == 302
    bea = User.objects.get(username="bea")
    assert (bea.organisation, bea.role, bea.read_only, bea.email) == (
        admin.organisation, User.Role.RIGHTS_HOLDER, True, "bea@example.org",
    )  # fmt: skip
    assert client.get(reverse("works:list")).status_code == 200  # signed in as bea
    assert log_of(admin.organisation) == [
        ("invited", "bea@example.org", "alice"),
        ("joined", "bea", "bea"),
    ]
    client.logout()
    again = client.post(path, {"username": "bea2", "password1": PASSWORD, "password2": PASSWORD})
    assert "already been used" in again.content.decode()
    assert not User.objects.filter(username="bea2").exists()


def test_an_existing_account_without_a_team_joins_with_it(client, admin, inbox):
    loner = make_user("loner", User.Role.RIGHTS_HOLDER, None)
    invite(client, admin, email="loner@example.org", role="team_admin")
    path = link_in(inbox.messages[0], BASE)
    sign_in(client, loner)
    assert "Join as loner" in client.get(path).content.decode()
    assert client.post(path).status_code == 302
    loner.refresh_from_db()
    assert (loner.organisation, loner.team_admin) == (admin.organisation, True)


def test_a_member_of_another_team_must_leave_first(client, admin, cast, inbox):
    invite(client, admin, email="charlie@example.org")
    path = link_in(inbox.messages[0], BASE)
    sign_in(client, cast.charlie)
    page = client.post(path).content.decode()
    assert "Leave it first" in page
    cast.charlie.refresh_from_db()
    assert cast.charlie.organisation.slug == "charlie"


def test_an_expired_revoked_or_forged_link_does_nothing(client, admin, inbox):
    invite(client, admin)
    invitation = Invitation.objects.get()
    path = link_in(inbox.messages[0], BASE)
    client.logout()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    expired = client.get(path)
    assert expired.status_code == 410
    assert "expired" in expired.content.decode()
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() + timedelta(days=1)
    )
    sign_in(client, admin)
    client.post(reverse("accounts:revoke_invitation", args=[invitation.pk]))
    client.logout()
    assert "withdrawn" in client.get(path).content.decode()
    forged = signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt="another salt")
    assert client.get(reverse("accounts:accept_invitation", args=[forged])).status_code == 404
    assert ("invitation_revoked", "bea@example.org", "alice") in log_of(admin.organisation)


def test_only_team_admins_invite_and_remove(client, admin, cast, inbox):
    assert invite(client, cast.alice_viewer).status_code == 404
    sign_in(client, cast.charlie)
    stranger = client.post(reverse("accounts:remove_member", args=[cast.alice_viewer.pk]))
    assert stranger.status_code == 404
    page = client.get(reverse("accounts:team")).content.decode()
    assert "alice_viewer" not in page
    sign_in(client, cast.alice_viewer)
    client.post(reverse("accounts:remove_member", args=[admin.pk]))
    admin.refresh_from_db()
    assert admin.organisation_id is not None
    assert not inbox.messages


def test_admins_remove_members_but_never_the_last_admin(client, admin, cast):
    sign_in(client, admin)
    client.post(reverse("accounts:remove_member", args=[cast.alice_viewer.pk]))
    cast.alice_viewer.refresh_from_db()
    assert cast.alice_viewer.organisation_id is None
    with pytest.raises(team.TeamError, match="only admin"):
        team.do_leave(admin, timezone.now())
    left = client.post(reverse("accounts:leave_team"), follow=True)
    assert "only admin" in left.content.decode()
    second = make_user("alice2", User.Role.RIGHTS_HOLDER, admin.organisation)
    client.post(reverse("accounts:remove_member", args=[second.pk]), {"action": "make_admin"})
    assert client.post(reverse("accounts:leave_team")).status_code == 302
    admin.refresh_from_db()
    assert admin.organisation_id is None
    assert not admin.team_admin
    second.refresh_from_db()
    with pytest.raises(team.TeamError, match="only admin"):
        team.do_remove(second, second, timezone.now())
    assert [kind for kind, *_ in log_of(second.organisation)] == ["removed", "role_changed", "left"]


def test_a_member_leaves(client, admin, cast):
    sign_in(client, cast.alice_viewer)
    assert client.post(reverse("accounts:leave_team")).status_code == 302
    cast.alice_viewer.refresh_from_db()
    assert cast.alice_viewer.organisation_id is None
    assert log_of(admin.organisation) == [("left", "alice_viewer", "alice_viewer")]


def test_an_operator_invitation_makes_a_case_manager_who_must_enrol(client, cast, inbox, settings):
    settings.FAIRCLAIM_PUBLIC_URL = BASE
    User.objects.filter(pk=cast.manager.pk).update(team_admin=True)
    cast.manager.refresh_from_db()
    invite(client, cast.manager, email="cm@ops.example")
    client.logout()
    path = link_in(inbox.messages[0], BASE)
    client.post(path, {"username": "cm", "password1": PASSWORD, "password2": PASSWORD})
    assert User.objects.get(username="cm").role == User.Role.CASE_MANAGER
    assert client.get(reverse("cases:list")).url.startswith(reverse("accounts:enrol"))


def test_membership_changed_in_the_admin_is_logged(client, cast, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.org", PASSWORD)
    sign_in(client, root)
    user = cast.alice_viewer
    url = reverse("admin:accounts_user_change", args=[user.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        organisation=cast.charlie.organisation.pk, date_joined_0="2026-01-01",
        date_joined_1="00:00:00", role="rights_holder", username=user.username,
    )  # fmt: skip
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data["groups"] = []
    data["user_permissions"] = []
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert log_of(cast.alice.organisation) == [("removed", "alice_viewer", "root")]
    assert log_of(cast.charlie.organisation) == [("joined", "alice_viewer", "root")]
