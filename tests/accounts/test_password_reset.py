"""Password reset by e-mail through a real SMTP server on loopback (read the mail, follow its
link), change of password, the reset throttle, and no account enumeration."""

import pytest
from django.urls import reverse

from fairclaim.accounts.models import SignInEvent
from tests.accounts.conftest import link_in
from tests.cast import PASSWORD, sign_in

BASE = "https://fairclaim.test"
NEW_PASSWORD = "a wholly new passphrase 42"


@pytest.fixture
def alice(cast, settings):
    settings.FAIRCLAIM_PUBLIC_URL = BASE
    cast.alice.email = "alice@alice-photo.example"
    cast.alice.save()
    return cast.alice


def ask_reset(client, email, address="198.51.100.20"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def signs_in(client, username, password):
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def test_reset_by_mail_link_sets_a_new_password(client, alice, inbox):
    response = ask_reset(client, "Alice@Alice-Photo.example")
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    [message] = inbox.messages
    assert message["To"] == alice.email
    assert "Reset your fairclaim password" in message["Subject"]
    path = link_in(message, BASE)  # built on the public base URL, not the request's host
    form = client.get(path, follow=True)
    assert "Choose a new password" in form.content.decode()
    set_password_url = form.redirect_chain[-1][0]
    done = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert done.url == reverse("password_reset_complete")
    assert signs_in(client, "alice", NEW_PASSWORD)
    client.logout()
    assert not signs_in(client, "alice", PASSWORD)
    used_again = client.get(path, follow=True).content.decode()
    assert "This link has been used or has expired." in used_again
    kinds = list(SignInEvent.objects.filter(user=alice).values_list("kind", flat=True))
    assert {"reset_requested", "reset_done", "signed_in", "failed"} <= set(kinds)


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, alice, inbox):
    known = ask_reset(client, alice.email)
    unknown = ask_reset(client, "nobody@nowhere.example")
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert len(inbox.messages) == 1
    assert SignInEvent.objects.filter(kind="reset_requested", user=None).count() == 1


def test_reset_requests_are_throttled_alike_for_known_and_unknown_addresses(client, alice, inbox):
    for email in (alice.email, "nobody@nowhere.example"):
        for _ in range(3):
            assert ask_reset(client, email).status_code == 302
        refused = ask_reset(client, email)
        assert refused.status_code == 200
        assert "Too many reset requests. Try again in 60 seconds." in refused.content.decode()
    assert len(inbox.messages) == 3
    # Another person's address is not held up by someone flooding alice's.
    assert ask_reset(client, "charlie@example.org", address="198.51.100.21").status_code == 302


def test_the_reset_link_does_not_sign_in_past_the_second_factor(client, cast, inbox, settings):
    settings.FAIRCLAIM_PUBLIC_URL = BASE
    cast.manager.email = "manager@ops.example"
    cast.manager.save()
    ask_reset(client, cast.manager.email)
    path = link_in(inbox.messages[0], BASE)
    url = client.get(path, follow=True).redirect_chain[-1][0]
    client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert not client.session.get("_auth_user_id")  # signing in is a separate step
    client.post(reverse("login"), {"username": "manager", "password": NEW_PASSWORD})
    assert client.get(reverse("cases:list")).url.startswith(reverse("accounts:enrol"))


def test_change_password_needs_the_current_one_and_is_audited(client, cast):
    sign_in(client, cast.alice)
    page = reverse("password_change")
    wrong = client.post(
        page,
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    done = client.post(
        page,
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert done.url == reverse("password_change_done")
    assert client.get(reverse("works:list")).status_code == 200  # this session stays
    cast.alice.refresh_from_db()
    assert cast.alice.check_password(NEW_PASSWORD)
    assert SignInEvent.objects.filter(user=cast.alice, kind="password_changed").count() == 1
