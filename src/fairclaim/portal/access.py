"""How a recipient gets into the portal: reference + access code from the notice, or a one-time
link. Guessing is rate-limited with lockout, and a wrong reference reads exactly like a wrong
code (same message, same work: a password hash is always checked).
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.core import signing
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fairclaim.accounts.throttle import Policy, clear, locked_until, record_failure
from fairclaim.cases.models import Case

# 16 characters from 31 unambiguous ones (no 0/O, 1/I/L): 79 bits, typed from paper in 4 groups.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 16
# Wrong attempts before a lock; per reference (a targeted guess) and per address (a sweep).
PORTAL_PER_REFERENCE = Policy("portal-reference", limit=5, window=timedelta(minutes=30))
PORTAL_PER_ADDRESS = Policy("portal-address", limit=20, window=timedelta(minutes=30))
LINK_MAX_AGE = timedelta(days=60)  # a link in a notice outlives the longest deadline + reminders
LINK_SALT = "fairclaim.portal.link"
SESSION_KEY = "portal_domains"
# States in which the recipient has been told about the case (before that, there is nothing).
VISIBLE_STATES = [
    "notice_sent",
    "licence_review",
    "defence_review",
    "payment_pending",
    "overdue",
    "escalated",
    "resolved_paid",
    "resolved_licensed",
    "defence_upheld",
]
_DUMMY_HASH = make_password("never-a-valid-code")


class AccessRefused(Exception):
    """Shown as is: never says whether the reference or the code was wrong."""


def new_access_code(case: Case) -> str:
    """Create the case's access code; only its hash is stored. Returns `XXXX-XXXX-XXXX-XXXX`."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    Case.objects.filter(pk=case.pk).update(access_code_hash=make_password(raw))
    case.access_code_hash = Case.objects.values_list("access_code_hash", flat=True).get(pk=case.pk)
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code).upper()


def normalise_reference(reference: str) -> str:
    parts = re.findall(r"[A-Za-z]+|\d+", reference)
    if len(parts) == 3 and parts[0].upper() == "FC":
        return f"FC-{parts[1]}-{int(parts[2]):06d}"
    return reference.strip().upper()


def check_access_code(case: Case, code: str) -> bool:
    return bool(case.access_code_hash) and check_password(
        normalise_code(code), case.access_code_hash
    )


def open_with_code(reference: str, code: str, address: str, now: datetime) -> Case:
    """The case for this reference and code, or AccessRefused (locked, or wrong either way)."""
    reference = normalise_reference(reference)[:40]
    for policy, subject in ((PORTAL_PER_REFERENCE, reference), (PORTAL_PER_ADDRESS, address)):
        if locked_until(policy, subject, now):
            raise AccessRefused(
                _(
                    "Too many attempts. For your security the portal is locked for this case "
                    "for 30 minutes. The code is printed on the notice, in groups of four."
                )
            )
    case = Case.objects.filter(reference=reference, state__in=VISIBLE_STATES).first()
    stored = case.access_code_hash if case and case.access_code_hash else _DUMMY_HASH
    if case is None or not check_password(normalise_code(code), stored):
        record_failure(PORTAL_PER_REFERENCE, reference, now)
        record_failure(PORTAL_PER_ADDRESS, address, now)
        raise AccessRefused(_("The reference or the access code is not right. Please check both."))
    clear(PORTAL_PER_REFERENCE, reference)
    return case


def one_time_link_token(case: Case) -> str:
    """A signed token for a link in the notice; it opens the portal once (the nonce rotates)."""
    nonce = secrets.token_urlsafe(12)
    Case.objects.filter(pk=case.pk).update(portal_link_nonce=nonce)
    return signing.dumps({"case": case.pk, "nonce": nonce}, salt=LINK_SALT, compress=True)


def open_with_link(token: str) -> Case:
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        raise AccessRefused(
            _(
                "This link is not valid or has expired. Use the reference and the access code "
                "printed on the notice instead."
            )
        ) from None
    used = Case.objects.filter(
        pk=data.get("case"), portal_link_nonce=data.get("nonce"), state__in=VISIBLE_STATES
    ).update(portal_link_nonce="")
    if not used:
        raise AccessRefused(
            _(
                "This link has already been used. Use the reference and the access code printed "
                "on the notice to open the case again."
            )
        )
    return Case.objects.get(pk=data["case"])


def grant(session, case: Case) -> None:
    """Remember in the session which recipient domains this person has shown a code for."""
    domains = set(session.get(SESSION_KEY, []))
    domains.add(case.recipient_domain)
    session[SESSION_KEY] = sorted(domains)
    session.cycle_key()  # a new session id after gaining access (no fixation)


def recipient_cases(session) -> QuerySet[Case]:
    """Every case addressed to the domains this session has access to — and only those."""
    domains = session.get(SESSION_KEY, [])
    return Case.objects.filter(recipient_domain__in=domains, state__in=VISIBLE_STATES)
