"""Accounts in Chromium: a case manager is sent to set up two-step sign-in, scans nothing but
types the key into an "app" (the test computes the code), keeps the recovery codes and reaches
the admin; the team page and the account page show the sign-in trail."""

import os
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from fairclaim.accounts.models import Organisation, User

PASSWORD = "correct horse battery staple"


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("FAIRCLAIM_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def code_for(secret: str) -> str:
    """What an authenticator app shows for a key typed in as the enrolment page prints it."""
    import base64

    raw = secret.replace(" ", "")
    key = base64.b32decode(raw + "=" * (-len(raw) % 8))
    return f"{totp(key):06d}"


def test_a_case_manager_sets_up_two_step_sign_in_before_the_admin(live_server, page: Page, shots):
    cache.clear()
    operator = Organisation.objects.create(name="Ops", slug="ops", kind="operator")
    User.objects.create_user(
        "cm", password=PASSWORD, role="case_manager", organisation=operator, is_staff=True,
        team_admin=True, email="cm@ops.example",
    )  # fmt: skip
    page.set_viewport_size({"width": 1100, "height": 900})
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill("cm")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    page.screenshot(path=shots / "accounts-enrol.png", full_page=True)
    secret = page.get_by_label("Key").input_value()
    assert re.fullmatch(r"[A-Z2-7 ]+", secret)
    page.get_by_label("Code").fill(code_for(secret))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    assert page.locator("ul.recovery-codes li").count() == 10
    page.screenshot(path=shots / "accounts-recovery-codes.png", full_page=True)
    page.get_by_role("link", name="I have saved them").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    page.goto(f"{live_server.url}/accounts/")
    expect(page.get_by_role("heading", name="Recent sign-ins")).to_be_visible()
    expect(page.get_by_role("cell", name="Second factor set up")).to_be_visible()
    page.screenshot(path=shots / "accounts-home.png", full_page=True)
    page.goto(f"{live_server.url}/accounts/team/")
    expect(page.get_by_role("heading", name="Invite a member")).to_be_visible()
    page.screenshot(path=shots / "accounts-team.png", full_page=True)
