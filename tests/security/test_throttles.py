"""Throttles slow guessers and never the genuine person (issue 16 items 3 and 6, issue 15 item 4).

Every sign-in path shares one throttle; behind a trusted proxy clients are told apart by the
forwarded address; wrong codes count per (case, client), so strangers cannot lock a recipient
out; a one-time link always works; /verify/ never calls a genuine notice fake because of a
throttle; an unknown reference costs the same password-hash work as a wrong code.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from django.urls import reverse

from fairclaim.cases.access_codes import new_access_code, one_time_link_token
from fairclaim.cases.models import Case
from tests.cast import PASSWORD

NOT_GENUINE = "We cannot confirm this notice"


class CountingHasher(MD5PasswordHasher):
    """Django's MD5 hasher that counts how many hashes were checked (no code of ours replaced)."""

    verified = 0

    def verify(self, password, encoded):
        CountingHasher.verified += 1
        return super().verify(password, encoded)


@pytest.fixture
def noticed(cast):
    case = cast.case
    Case.objects.filter(pk=case.pk).update(
        state="notice_sent", deadline=dt.date(2026, 12, 14), law_firm=None
    )
    case.refresh_from_db()
    return case, new_access_code(case)


def enter(client, reference, code, **meta):
    return client.post(reverse("portal:enter"), {"reference": reference, "code": code}, **meta)


def check(client, reference, code, **meta):
    return client.post(reverse("verify:notice"), {"reference": reference, "code": code}, **meta)


def admin_sign_in(client, username, password, address="198.51.100.7"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def test_admin_sign_in_is_throttled_like_every_other_sign_in(client, cast):
    for _ in range(5):
        assert admin_sign_in(client, "manager", "wrong").status_code == 200
    response = admin_sign_in(client, "manager", PASSWORD)
    assert response.status_code == 200
    assert "Too many failed sign-ins. Try again in" in response.content.decode()


def test_admin_and_account_sign_in_count_against_one_throttle(client, cast):
    for _ in range(3):
        admin_sign_in(client, "manager", "wrong")
    for _ in range(2):
        client.post(
            reverse("login"),
            {"username": "manager", "password": "wrong"},
            REMOTE_ADDR="198.51.100.7",
        )
    assert "Too many failed" in admin_sign_in(client, "manager", PASSWORD).content.decode()


def test_a_staff_account_cannot_be_locked_by_strangers_for_more_than_a_minute(client, cast):
    for i in range(40):
        client.post(
            reverse("login"),
            {"username": "manager", "password": "wrong"},
            REMOTE_ADDR=f"203.0.113.{i}",
        )
    page = admin_sign_in(client, "manager", PASSWORD, address="198.51.100.50").content.decode()
    assert "Try again in" in page
    assert "minutes" not in page  # at most a minute's wait, never a lock


def test_behind_a_trusted_proxy_one_strangers_wrong_codes_do_not_stop_other_recipients(
    settings, noticed
):
    settings.FAIRCLAIM_TRUSTED_PROXIES = ["10.0.0.1"]
    case, code = noticed
    via_proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for i in range(30):
        enter(Client(), f"FC-2026-{900000 + i}", "WRONG", HTTP_X_FORWARDED_FOR="203.0.113.66",
              **via_proxy)  # fmt: skip
    stranger = enter(Client(), case.reference, code, HTTP_X_FORWARDED_FOR="203.0.113.66",
                     **via_proxy)  # fmt: skip
    assert "Too many attempts" in stranger.content.decode()
    genuine = enter(
        Client(), case.reference, code, HTTP_X_FORWARDED_FOR="198.51.100.8", **via_proxy
    )
    assert genuine.status_code == 302


def test_a_forged_forwarded_header_from_an_untrusted_client_changes_nothing(settings, noticed):
    settings.FAIRCLAIM_TRUSTED_PROXIES = ["10.0.0.1"]
    case, code = noticed
    for i in range(30):
        enter(Client(), f"FC-2026-{900000 + i}", "WRONG", REMOTE_ADDR="203.0.113.66",
              HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")  # fmt: skip
    page = enter(Client(), case.reference, code, REMOTE_ADDR="203.0.113.66",
                 HTTP_X_FORWARDED_FOR="192.0.2.1")  # fmt: skip
    assert "Too many attempts" in page.content.decode()


def test_wrong_codes_from_many_clients_never_lock_the_genuine_recipient(noticed):
    case, code = noticed
    for i in range(30):
        enter(Client(), case.reference, f"WRONG-{i}", REMOTE_ADDR=f"203.0.113.{i}")
    assert enter(Client(), case.reference, code, REMOTE_ADDR="198.51.100.9").status_code == 302


def test_a_one_time_link_works_for_a_client_that_is_being_slowed(noticed):
    case, _ = noticed
    slowed = Client(REMOTE_ADDR="203.0.113.5")
    for i in range(10):
        enter(slowed, case.reference, f"WRONG-{i}", REMOTE_ADDR="203.0.113.5")
    assert (
        "Too many attempts"
        in enter(slowed, case.reference, "X", REMOTE_ADDR="203.0.113.5").content.decode()
    )
    link = slowed.get(reverse("portal:link", args=[one_time_link_token(case)]),
                      REMOTE_ADDR="203.0.113.5")  # fmt: skip
    assert link.status_code == 302
    assert slowed.get(link["Location"]).status_code == 200


def test_verify_says_try_later_and_never_not_genuine_while_slowed(noticed):
    case, code = noticed
    for i in range(6):
        check(Client(), case.reference, f"WRONG-{i}", REMOTE_ADDR="198.51.100.30")
    page = check(Client(), case.reference, code, REMOTE_ADDR="198.51.100.30")
    body = page.content.decode()
    assert page.status_code == 429
    assert NOT_GENUINE not in body
    assert "try again" in body
    fresh = check(Client(), case.reference, code, REMOTE_ADDR="198.51.100.31")
    assert "This notice is genuine" in fresh.content.decode()


def test_an_unknown_reference_costs_the_same_hash_check_as_a_wrong_code(settings, noticed):
    settings.PASSWORD_HASHERS = [f"{CountingHasher.__module__}.CountingHasher"]
    case, _ = noticed
    new_access_code(case)  # hashed by the counting hasher
    CountingHasher.verified = 0
    enter(Client(), case.reference, "AAAA-BBBB-CCCC-DDDD", REMOTE_ADDR="198.51.100.40")
    wrong_code = CountingHasher.verified
    CountingHasher.verified = 0
    enter(Client(), "FC-2026-999999", "AAAA-BBBB-CCCC-DDDD", REMOTE_ADDR="198.51.100.41")
    assert wrong_code == 1
    assert CountingHasher.verified == wrong_code


def test_the_wait_is_said_in_german_too(noticed):
    case, code = noticed
    german = Client(HTTP_ACCEPT_LANGUAGE="de")
    for i in range(6):
        enter(german, case.reference, f"WRONG-{i}", REMOTE_ADDR="198.51.100.60")
    page = enter(german, case.reference, code, REMOTE_ADDR="198.51.100.60").content.decode()
    assert "Zu viele Versuche von Ihrer Verbindung. Bitte warten Sie 2 Sekunden" in page
