"""The sign-in audit trail: successes, failures, throttling, codes and resets, with the client
address the throttle counts and the browser; shown to the person on their account page and to
their team's admins, never to another organisation."""

from django.urls import reverse

from fairclaim.accounts.models import SignInEvent, User
from tests.cast import PASSWORD, sign_in

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AuditTest/1.0"


def attempt(client, username, password, **extra):
    return client.post(
        reverse("login"), {"username": username, "password": password}, HTTP_USER_AGENT=BROWSER,
        **extra,
    )  # fmt: skip


def test_records_success_and_failure_with_the_forwarded_client_address(client, cast, settings):
    settings.FAIRCLAIM_TRUSTED_PROXIES = ["10.0.0.0/8"]
    via_proxy = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.50, 10.0.0.7"}
    attempt(client, "alice", "wrong", **via_proxy)
    attempt(client, "no-such-person", "wrong", **via_proxy)
    attempt(client, "alice", PASSWORD, **via_proxy)
    signed_in, unknown, failed = SignInEvent.objects.all()
    assert (failed.kind, failed.user, failed.attempted) == ("failed", cast.alice, "alice")
    assert (unknown.kind, unknown.user, unknown.attempted) == ("failed", None, "no-such-person")
    assert (signed_in.kind, signed_in.user) == ("signed_in", cast.alice)
    assert {e.client for e in (failed, unknown, signed_in)} == {"203.0.113.50"}
    assert {e.user_agent for e in (failed, unknown, signed_in)} == {BROWSER}
    assert signed_in.organisation == cast.alice.organisation


def test_the_account_page_lists_your_own_recent_sign_ins(client, cast):
    attempt(client, "alice", "wrong", REMOTE_ADDR="198.51.100.31")
    attempt(client, "charlie", "wrong", REMOTE_ADDR="198.51.100.99")
    sign_in(client, cast.alice)
    page = client.get(reverse("accounts:home")).content.decode()
    assert "Recent sign-ins" in page
    assert "Wrong username or password" in page
    assert "198.51.100.31" in page
    assert "198.51.100.99" not in page  # charlie's attempt is not alice's business


def test_team_admins_see_their_teams_sign_ins_and_nobody_elses(client, cast):
    attempt(client, "alice_viewer", "wrong", REMOTE_ADDR="198.51.100.41")
    attempt(client, "charlie", "wrong", REMOTE_ADDR="198.51.100.42")
    sign_in(client, cast.alice_viewer)
    page = client.get(reverse("accounts:team")).content.decode()
    assert "198.51.100.41" not in page  # a member who does not run the team
    User.objects.filter(pk=cast.alice.pk).update(team_admin=True)
    sign_in(client, cast.alice)
    page = client.get(reverse("accounts:team")).content.decode()
    assert "The team&#x27;s sign-ins" in page or "The team's sign-ins" in page
    assert "198.51.100.41" in page
    assert "198.51.100.42" not in page


def test_the_audit_trail_is_read_only_and_scoped_in_the_admin(client, cast, django_user_model):
    attempt(client, "alice", "wrong", REMOTE_ADDR="198.51.100.51")
    attempt(client, "charlie", "wrong", REMOTE_ADDR="198.51.100.52")
    root = django_user_model.objects.create_superuser("root", "root@example.org", PASSWORD)
    sign_in(client, root)
    listing = client.get(reverse("admin:accounts_signinevent_changelist"))
    assert listing.status_code == 200
    assert "198.51.100.51" in listing.content.decode()
    event = SignInEvent.objects.first()
    change = client.post(reverse("admin:accounts_signinevent_change", args=[event.pk]), {})
    assert change.status_code == 403 or SignInEvent.objects.get(pk=event.pk).client == event.client
    assert client.get(reverse("admin:accounts_signinevent_add")).status_code == 403
    User.objects.filter(pk=cast.manager.pk).update(team_admin=True)
    sign_in(client, cast.manager)
    scoped = client.get(reverse("admin:accounts_signinevent_changelist"))
    assert scoped.status_code in (200, 403)
    assert "198.51.100.52" not in scoped.content.decode()
