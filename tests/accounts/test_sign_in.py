"""Sign-in: wrong passwords make the next try wait longer (per account, client and both), with
the same message for every account."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from fairclaim.accounts.throttle import LOGIN_PER_ACCOUNT, locked_until, record_failure
from tests.cast import PASSWORD


def sign_in(client, username, password, address="198.51.100.7"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_signs_in_with_the_right_password(client, cast):
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 302


def test_wrong_passwords_make_the_next_try_wait_even_for_the_right_one(client, cast):
    for _ in range(5):
        page = sign_in(client, "alice", "wrong").content.decode()
        assert "Please enter a correct username and password" in page
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 200
    assert "Too many failed sign-ins. Try again in 2 seconds." in response.content.decode()


def test_a_slowed_unknown_account_reads_the_same_as_a_known_one(client, cast):
    for name in ("alice", "nobody-here"):
        for _ in range(5):
            sign_in(client, name, "wrong")
    known = sign_in(client, "alice", "x").content.decode()
    unknown = sign_in(client, "nobody-here", "x").content.decode()
    assert "Too many failed sign-ins" in known
    assert "Too many failed sign-ins" in unknown


def test_slows_an_address_spraying_many_accounts(client, cast):
    for i in range(50):
        sign_in(client, f"user{i}", "wrong", address="203.0.113.9")
    assert "Too many failed" in sign_in(client, "alice", PASSWORD, "203.0.113.9").content.decode()
    assert sign_in(client, "alice", PASSWORD, "203.0.113.10").status_code == 302


def test_the_wait_doubles_with_each_failure_up_to_its_cap(db):
    start = timezone.now()
    policy = LOGIN_PER_ACCOUNT  # 10 free failures, then 1 s doubling, capped at a minute
    for _ in range(10):
        record_failure(policy, "bob", start)
    assert locked_until(policy, "bob", start) == start + dt.timedelta(seconds=1)
    record_failure(policy, "bob", start)
    assert locked_until(policy, "bob", start) == start + dt.timedelta(seconds=2)
    for _ in range(20):
        record_failure(policy, "bob", start)
    assert locked_until(policy, "bob", start) == start + dt.timedelta(minutes=1)
    assert locked_until(policy, "bob", start + dt.timedelta(minutes=1)) is None
    next_day = start + policy.window
    record_failure(policy, "bob", next_day)  # a new window starts at one
    assert locked_until(policy, "bob", next_day) is None
