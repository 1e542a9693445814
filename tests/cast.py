"""The permission cast every view test uses (after healthchecks' Alice/Bob/Charlie).

- alice: rights holder, owns `work`, `sighting`, `match`, `case`
- alice_viewer: read-only member of alice's organisation
- charlie: another rights holder (a stranger to alice's data)
- manager: case manager of the operator that handles alice's organisation
- outside_manager: case manager of an operator that does not
- lawfirm: member of the law firm alice's case is escalated to
- other_lawfirm: member of another law firm
"""

from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from fairclaim.accounts.models import Organisation, User
from fairclaim.cases.log import append_event
from fairclaim.cases.models import Case, CaseLine
from fairclaim.monitoring.models import Match, Sighting
from fairclaim.works.actions import do_process_work, do_register_image, upload_limits
from fairclaim.works.intake import check_image
from tests.images import photo_bytes

PASSWORD = "correct horse battery staple"
Kind = Organisation.Kind
Role = User.Role


@dataclass
class Cast:
    alice: User
    alice_viewer: User
    charlie: User
    manager: User
    outside_manager: User
    lawfirm: User
    other_lawfirm: User
    work: object
    charlie_work: object
    sighting: Sighting
    match: Match
    case: Case


def sign_in(client, user) -> None:
    """Sign `user` in on the test client as a full sign-in would leave the session: password
    accepted and, for accounts with a second factor (required for staff roles), the device
    verified, as `django_otp.login(request, device)` records it (its persistent id in the
    session). Accounts that must have one get a confirmed authenticator first."""
    from fairclaim.accounts import two_factor

    client.force_login(user)
    device = two_factor.authenticator_of(user)
    if device is None and two_factor.required_for(user):
        device = TOTPDevice.objects.create(user=user, name="test app", confirmed=True)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def app_code(device, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for `device` now (or `steps_ahead` 30-second steps on:
    a code is accepted once, so a second sign-in in the same test uses the next one)."""
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead)
    return f"{code:0{device.digits}d}"


def make_user(username, role, org, **extra) -> User:
    user = User.objects.create_user(
        username, password=PASSWORD, role=role, organisation=org, **extra
    )
    return user


def register(org, user, seed):
    work = do_register_image(
        org, user, check_image(f"photo-{seed}.jpg", photo_bytes(seed), upload_limits())
    )
    do_process_work(work.pk)
    work.refresh_from_db()
    return work


@pytest.fixture
def cast(db) -> Cast:
    operator = Organisation.objects.create(name="Ops", slug="ops", kind=Kind.OPERATOR)
    other_operator = Organisation.objects.create(name="Other ops", slug="ops2", kind=Kind.OPERATOR)
    alice_org = Organisation.objects.create(
        name="Alice Photo", slug="alice", kind=Kind.RIGHTS_HOLDER, operator=operator
    )
    charlie_org = Organisation.objects.create(
        name="Charlie Pics", slug="charlie", kind=Kind.RIGHTS_HOLDER, operator=other_operator
    )
    firm = Organisation.objects.create(name="Firm", slug="firm", kind=Kind.LAW_FIRM)
    other_firm = Organisation.objects.create(name="Firm 2", slug="firm2", kind=Kind.LAW_FIRM)
    alice = make_user("alice", Role.RIGHTS_HOLDER, alice_org)
    charlie = make_user("charlie", Role.RIGHTS_HOLDER, charlie_org)
    work = register(alice_org, alice, seed=1)
    now = timezone.now()
    sighting = Sighting.objects.create(
        organisation=alice_org, source=Sighting.Source.MANUAL,
        page_url="https://shop.example/p/1", image_url="https://shop.example/i/1.jpg",
        page_domain="shop.example", first_seen=now, last_seen=now,
    )  # fmt: skip
    match = Match.objects.create(work=work, sighting=sighting, score=0.97, inliers=120)
    match.report_image.save("r.png", ContentFile(photo_bytes(9, fmt="PNG")))
    case = Case.objects.create(
        rights_holder=alice_org, jurisdiction="DE", recipient_domain="shop.example",
        law_firm=firm, state="escalated",
    )  # fmt: skip
    CaseLine.objects.create(case=case, work=work, match=match)
    append_event(case, "case_opened", {"by": "test"}, actor="system")
    return Cast(
        alice=alice,
        alice_viewer=make_user("alice_viewer", Role.RIGHTS_HOLDER, alice_org, read_only=True),
        charlie=charlie,
        manager=make_user("manager", Role.CASE_MANAGER, operator, is_staff=True),
        outside_manager=make_user("outside", Role.CASE_MANAGER, other_operator, is_staff=True),
        lawfirm=make_user("lawyer", Role.LAW_FIRM, firm),
        other_lawfirm=make_user("lawyer2", Role.LAW_FIRM, other_firm),
        work=work,
        charlie_work=register(charlie_org, charlie, seed=2),
        sighting=sighting,
        match=match,
        case=case,
    )
