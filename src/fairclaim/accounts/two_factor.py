"""The second factor (django-otp): who must have one, enrolling an authenticator app, recovery
codes, and checking a code at sign-in.

An account has at most one confirmed authenticator (a TOTP device) and one set of recovery codes
(a static device whose tokens each work once). Enrolment makes an unconfirmed TOTP device; a
correct code from the app confirms it, and only then does it count.
"""

from __future__ import annotations

import base64
import io

import django_otp
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User

Role = User.Role
# Roles that see many organisations' cases, or a firm's: a stolen password must not be enough.
REQUIRED_ROLES = frozenset({Role.CASE_MANAGER, Role.LAW_FIRM, Role.ADMIN})
RECOVERY_CODES = 10  # one set; each code works once
TOTP_DIGITS = 6
APP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def is_required(role: str, *, is_staff: bool, is_superuser: bool) -> bool:
    """Whether an account with these attributes must pass a second factor. Pure."""
    return role in REQUIRED_ROLES or is_staff or is_superuser


def required_for(user: User) -> bool:
    return is_required(user.role, is_staff=user.is_staff, is_superuser=user.is_superuser)


def authenticator_of(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_device_of(user: User) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).first()


def is_enrolled(user: User) -> bool:
    return authenticator_of(user) is not None


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (made on first call, kept until confirmed,
    so reloading the page does not change the secret the person is typing in)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=APP_NAME, confirmed=False, digits=TOTP_DIGITS
        )
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed in (base32, in groups of four)."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as a PNG QR code (a data: image, allowed by our CSP)."""
    import qrcode

    out = io.BytesIO()
    qrcode.make(device.config_url, box_size=5, border=2).save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def do_new_recovery_codes(user: User) -> list[str]:
    """Replace the account's recovery codes with a fresh set; returns them (shown once)."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def do_confirm_enrolment(request, code: str) -> list[str] | None:
    """Confirm the pending authenticator with a code from the app. On success the old
    authenticator is replaced, a fresh set of recovery codes is made (returned, to show once)
    and this session counts as verified. None when the code is wrong."""
    user = request.user
    device = pending_device(user)
    if not device.verify_token(_digits(code)):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        device.confirmed = True
        codes = do_new_recovery_codes(user)
    django_otp.login(request, device)
    return codes


def do_remove(user: User) -> None:
    """Remove the authenticator and recovery codes (only for accounts that may go without)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def check_code(request, code: str):
    """Verify a sign-in code: six digits go to the authenticator, anything else is tried as a
    recovery code (used up on success). Returns the device that accepted it, or None.

    django-otp throttles each device (a growing wait after each failure): only someone who
    already knows the password reaches this, so it cannot lock a stranger's account."""
    user = request.user
    cleaned = _digits(code)
    if cleaned.isdigit() and len(cleaned) == TOTP_DIGITS:
        device = authenticator_of(user)
        token = cleaned
    else:
        device = recovery_device_of(user)
        token = code.strip().replace(" ", "").lower()
    if device is None or not token:
        return None
    verified = django_otp.verify_token(user, device.persistent_id, token)
    if verified is not None:
        django_otp.login(request, verified)
    return verified


def _digits(code: str) -> str:
    return "".join(code.split()).replace("-", "")
