"""Two-step sign-in with django-otp: enrolment with a real TOTP code, sign-in asking for the
code after the password, single-use recovery codes, and staff held at enrolment (the admin too)
until they have a second factor."""

import re
import time

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from fairclaim.accounts import two_factor
from fairclaim.accounts.models import SignInEvent, User
from tests.accounts.conftest import app_code
from tests.cast import PASSWORD, sign_in

Role = User.Role
THROTTLE_WAIT = 1.1  # OTP_*_THROTTLE_FACTOR (1 s) after the first failure, and a margin


def password_step(client, username, next_url=""):
    data = {"username": username, "password": PASSWORD, "next": next_url}
    return client.post(reverse("login"), data, HTTP_USER_AGENT="TestBrowser/1")


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


@pytest.mark.parametrize(
    ("role", "staff", "superuser", "required"),
    [
        (Role.RIGHTS_HOLDER, False, False, False),
        (Role.RIGHTS_HOLDER, True, False, True),
        (Role.RIGHTS_HOLDER, False, True, True),
        (Role.CASE_MANAGER, False, False, True),
        (Role.LAW_FIRM, False, False, True),
        (Role.ADMIN, False, False, True),
    ],
)
def test_who_must_have_a_second_factor(role, staff, superuser, required):
    assert two_factor.is_required(role, is_staff=staff, is_superuser=superuser) is required


def test_enrolment_shows_qr_and_secret_and_is_confirmed_by_a_real_code(client, cast):
    sign_in(client, cast.alice)
    page = client.get(reverse("accounts:enrol")).content.decode()
    assert 'src="data:image/png;base64,' in page
    secret = re.search(r'data-secret="([A-Z2-7 ]+)"', page).group(1)
    device = TOTPDevice.objects.get(user=cast.alice, confirmed=False)
    assert secret == two_factor.secret_text(device)
    assert client.get(reverse("accounts:enrol")).content.decode().count(secret) >= 1  # same key
    wrong = client.post(reverse("accounts:enrol"), {"code": "000000"})
    assert wrong.status_code == 400
    time.sleep(THROTTLE_WAIT)  # django-otp makes each failure wait, a second after the first
    done = client.post(reverse("accounts:enrol"), {"code": app_code(device)})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == two_factor.RECOVERY_CODES
    device.refresh_from_db()
    assert device.confirmed
    assert two_factor.is_enrolled(cast.alice)
    assert "You have saved" not in client.get(reverse("accounts:two_factor")).content.decode()
    assert codes[0] not in client.get(reverse("accounts:two_factor")).content.decode()  # once
    assert SignInEvent.objects.filter(user=cast.alice, kind="2fa_enrolled").exists()


def test_sign_in_asks_for_the_code_after_the_password(client, cast):
    device = enrolled(cast.alice)
    response = password_step(client, "alice", next_url=reverse("cases:list"))
    page = client.get(response.url)  # the password alone does not open the page asked for
    assert page.status_code == 302
    assert page.url == reverse("accounts:verify") + "?next=%2Fcases%2F"
    assert client.get(reverse("admin:index")).url.startswith(reverse("accounts:verify"))
    wrong = client.post(page.url, {"code": "123456", "next": "/cases/"})
    assert wrong.status_code == 400
    too_soon = client.post(page.url, {"code": app_code(device), "next": "/cases/"})
    assert too_soon.status_code == 400  # the device's throttle: even the right code waits
    time.sleep(THROTTLE_WAIT)
    right = client.post(page.url, {"code": app_code(device), "next": "/cases/"})
    assert right.status_code == 302
    assert right.url == "/cases/"
    assert client.get("/cases/").status_code == 200
    kinds = list(SignInEvent.objects.filter(user=cast.alice).values_list("kind", flat=True))
    assert kinds == ["2fa_passed", "2fa_failed", "2fa_failed", "signed_in"]  # newest first
    assert SignInEvent.objects.filter(user_agent="TestBrowser/1").count() == 1


def test_a_code_is_accepted_once(client, cast):
    device = enrolled(cast.alice)
    code = app_code(device)
    password_step(client, "alice")
    assert client.post(reverse("accounts:verify"), {"code": code}).status_code == 302
    client.logout()
    password_step(client, "alice")
    assert client.post(reverse("accounts:verify"), {"code": code}).status_code == 400


def test_a_recovery_code_signs_in_once(client, cast):
    enrolled(cast.alice)
    codes = two_factor.do_new_recovery_codes(cast.alice)
    password_step(client, "alice")
    used = client.post(reverse("accounts:verify"), {"code": codes[0].upper()})
    assert used.status_code == 302
    assert client.get(reverse("works:list")).status_code == 200
    assert SignInEvent.objects.filter(user=cast.alice, kind="recovery_used").count() == 1
    assert StaticToken.objects.filter(device__user=cast.alice).count() == len(codes) - 1
    client.logout()
    password_step(client, "alice")
    assert client.post(reverse("accounts:verify"), {"code": codes[0]}).status_code == 400
    time.sleep(THROTTLE_WAIT)
    assert client.post(reverse("accounts:verify"), {"code": codes[1]}).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client, cast):
    sign_in(client, cast.manager)
    old = two_factor.do_new_recovery_codes(cast.manager)
    page = client.post(reverse("accounts:two_factor"), {"action": "recovery"}).content.decode()
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)
    assert len(new) == two_factor.RECOVERY_CODES
    assert not set(new) & set(old)
    assert StaticToken.objects.filter(device__user=cast.manager).count() == len(new)


STAFF_PAGES = [
    "/admin/",
    "/admin/cases/case/",
    "/admin/accounts/user/",
    "/cases/",
    "/cases/notices/",
    "/works/",
    "/payments/payouts/",
    "/api/account/keys/",
    "/accounts/team/",
    "/accounts/password_change/",
]


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_without_a_device_reach_only_the_enrolment(client, cast, path):
    password_step(client, "manager")
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:enrol"))


def test_the_admin_login_sends_staff_to_enrol_and_is_throttled(client, cast):
    login = reverse("admin:login")
    for _ in range(5):
        client.post(login, {"username": "manager", "password": "wrong"}, REMOTE_ADDR="192.0.2.5")
    throttled = client.post(
        login, {"username": "manager", "password": PASSWORD}, REMOTE_ADDR="192.0.2.5"
    )
    assert "Too many failed sign-ins" in throttled.content.decode()
    assert SignInEvent.objects.filter(attempted="manager", kind="throttled").count() == 1
    ok = client.post(login, {"username": "manager", "password": PASSWORD}, REMOTE_ADDR="192.0.2.6")
    assert ok.status_code == 302
    assert client.get("/admin/").url.startswith(reverse("accounts:enrol"))


def test_staff_enrol_then_reach_the_admin(client, cast):
    password_step(client, "manager")
    client.get(reverse("accounts:enrol"))
    device = TOTPDevice.objects.get(user=cast.manager)
    done = client.post(reverse("accounts:enrol"), {"code": app_code(device), "next": "/admin/"})
    assert 'href="/admin/"' in done.content.decode()
    assert client.get("/admin/").status_code == 200


def test_a_required_second_factor_cannot_be_turned_off(client, cast):
    sign_in(client, cast.manager)
    client.post(reverse("accounts:two_factor"), {"action": "remove"})
    assert two_factor.is_enrolled(cast.manager)
    sign_in(client, cast.alice)
    enrolled(cast.alice)
    sign_in(client, cast.alice)
    client.post(reverse("accounts:two_factor"), {"action": "remove"})
    assert not two_factor.is_enrolled(cast.alice)


def test_a_rights_holder_without_a_device_is_not_held_up(client, cast):
    password_step(client, "alice")
    assert client.get(reverse("works:list")).status_code == 200


def test_the_verify_page_refuses_an_outside_next(client, cast):
    device = enrolled(cast.alice)
    password_step(client, "alice")
    response = client.post(
        reverse("accounts:verify"), {"code": app_code(device), "next": "https://evil.example/"}
    )
    assert response.url == reverse("works:list")


def test_demo_staff_sign_in_with_the_published_authenticator_key(client, db, tmp_path):
    from fairclaim.ops.demo import DEMO_TOTP_KEY, demo_password, demo_totp_secret, load_demo

    load_demo(tmp_path)
    manager = User.objects.get(username="demo-manager")
    device = two_factor.authenticator_of(manager)
    assert device.key == DEMO_TOTP_KEY
    assert demo_totp_secret() == two_factor.secret_text(device)
    assert two_factor.authenticator_of(User.objects.get(username="demo-photographer")) is None
    client.post(
        reverse("login"), {"username": "demo-manager", "password": demo_password("demo-manager")}
    )
    assert client.post(reverse("accounts:verify"), {"code": app_code(device)}).status_code == 302
    assert client.get("/admin/").status_code == 200


def every_plain_path():
    """Every URL without parameters the app serves (admin pages included)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix):
        for entry in patterns:
            route = str(entry.pattern)
            if "<" in route or "(?P" in route or "\\" in route:
                continue
            route = route.lstrip("^").rstrip("$")
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + route)
            elif isinstance(entry, URLPattern):
                yield "/" + prefix + route

    return sorted(set(walk(get_resolver().url_patterns, "")))


def test_staff_without_a_device_reach_no_page_but_enrolment_and_public_ones(client, cast):
    from fairclaim.accounts.two_factor_gate import PUBLIC_PREFIXES

    password_step(client, "manager")
    allowed = {reverse(name) for name in ("accounts:two_factor", "accounts:enrol", "logout")}
    checked = 0
    for path in every_plain_path():
        if path.startswith(PUBLIC_PREFIXES) or path in allowed:
            continue
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url.startswith(reverse("accounts:enrol")), path
        checked += 1
    assert checked > 40
