"""Recipients on a shared host are different recipients, and a code opens its own case only
(issue 16 item 2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from fairclaim.cases.access_codes import new_access_code
from fairclaim.cases.models import Case, CaseLine
from fairclaim.discovery.domains import host_of, is_hotlinked, registrable_domain

PLATFORM_SITES = [
    ("https://alice.github.io/travel/", "https://bob.github.io/shop/"),
    ("https://alice.blogspot.com/", "https://bob.blogspot.com/"),
    ("https://alice.myshopify.com/", "https://bob.myshopify.com/"),
    ("https://alice.netlify.app/", "https://bob.netlify.app/"),
    ("https://alice.pages.dev/", "https://bob.pages.dev/"),
    ("https://alice.s3.amazonaws.com/x", "https://bob.s3.amazonaws.com/x"),
]


@pytest.mark.parametrize(("alice", "bob"), PLATFORM_SITES)
def test_two_sites_on_one_hosting_platform_are_two_registrable_domains(alice, bob):
    assert registrable_domain(host_of(alice)) != registrable_domain(host_of(bob))
    assert is_hotlinked(alice + "photo.jpg", bob)


def test_ordinary_and_icann_suffixes_still_group_a_site():
    assert registrable_domain("www.shop.example.co.uk") == "example.co.uk"
    assert registrable_domain("cdn.alice.github.io") == "alice.github.io"
    assert registrable_domain("127.0.0.1") == "127.0.0.1"
    assert registrable_domain("[::1]") == "::1"


def _noticed_case(cast, page_url: str) -> tuple[Case, str]:
    case = Case.objects.create(
        rights_holder=cast.case.rights_holder,
        jurisdiction="DE",
        recipient_domain=registrable_domain(host_of(page_url)),  # what discovery records
        state="notice_sent",
        deadline=dt.date(2026, 12, 14),
    )
    CaseLine.objects.create(case=case, work=cast.work)
    return case, new_access_code(case)


def test_bobs_code_opens_nothing_of_alices_case_on_the_same_platform(cast):
    alice_case, _ = _noticed_case(cast, "https://alice.github.io/travel/")
    bob_case, bob_code = _noticed_case(cast, "https://bob.github.io/shop/")
    bob = Client()
    entered = bob.post(reverse("portal:enter"), {"reference": bob_case.reference, "code": bob_code})
    assert entered.status_code == 302
    assert alice_case.reference not in bob.get(reverse("portal:enter")).content.decode()
    ref = alice_case.reference
    # Without access every case page leads back to the code form (nothing of the case shown).
    assert bob.get(reverse("portal:case", args=[ref])).status_code == 302
    message = bob.post(reverse("portal:messages", args=[ref]), {"body": "hello"})
    assert message.status_code == 302
    defence = bob.post(
        reverse("portal:defence", args=[ref]), {"kind": "not_our_site", "statement": "not ours"}
    )
    assert defence.status_code == 302
    alice_case.refresh_from_db()
    assert alice_case.state == "notice_sent"
    assert not alice_case.messages.exists()


def test_a_code_opens_its_own_case_not_every_case_of_the_domain(cast):
    first, first_code = _noticed_case(cast, "https://shop.example/a")
    second, _ = _noticed_case(cast, "https://shop.example/b")
    visitor = Client()
    visitor.post(reverse("portal:enter"), {"reference": first.reference, "code": first_code})
    assert visitor.get(reverse("portal:case", args=[first.reference])).status_code == 200
    assert visitor.get(reverse("portal:case", args=[second.reference])).status_code == 302
