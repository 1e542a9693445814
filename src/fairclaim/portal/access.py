"""How a recipient gets into the portal: reference + access code from the notice, or a one-time
link. Access is granted per case: two sites on one shared host (alice.github.io, bob.github.io)
are two recipients, and a code opens its own case only.

Guessing is slowed, never turned against the recipient (DESIGN rule 9): failures count per
(reference, client) and per client with growing delays, so a stranger's wrong codes from
elsewhere never delay the genuine recipient; there is no per-reference lock (a 79-bit code is not
guessed by many clients either). A one-time link always works. A wrong reference reads exactly
like a wrong code: same message, same work (a password hash is always checked).
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from django.contrib.auth.hashers import check_password, get_hasher, make_password
from django.core import signing
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fairclaim.accounts.throttle import Policy, clear, first_wait, record_failure, wait_text
from fairclaim.cases.access_codes import LINK_SALT
from fairclaim.cases.models import Case
from fairclaim.rules.case_states import RECIPIENT_VISIBLE_STATES
from fairclaim.rules.references import normalise_reference

# Free wrong attempts, then doubling waits: per (reference, client) for a targeted guess, per
# client for a sweep over sequential references. Caps keep a mistyping recipient in the game.
PORTAL_PER_REFERENCE_CLIENT = Policy(
    "portal-reference-client", 5, timedelta(days=1), timedelta(seconds=2), timedelta(minutes=30)
)
PORTAL_PER_CLIENT = Policy(
    "portal-client", 20, timedelta(days=1), timedelta(seconds=2), timedelta(hours=1)
)
LINK_MAX_AGE = timedelta(days=60)  # a link in a notice outlives the longest deadline + reminders
SESSION_KEY = "portal_cases"  # the ids of the cases this session has shown a code or link for
VISIBLE_STATES = RECIPIENT_VISIBLE_STATES
_DUMMY_HASHES: dict[str, str] = {}


def _dummy_hash() -> str:
    """A hash no code matches, made by the current hasher, so checking it costs what checking a
    real code does (a hash of another algorithm would be refused without any work)."""
    algorithm = get_hasher().algorithm
    if algorithm not in _DUMMY_HASHES:
        _DUMMY_HASHES[algorithm] = make_password(secrets.token_urlsafe(24))
    return _DUMMY_HASHES[algorithm]


class AccessRefused(Exception):
    """Shown as is: never says whether the reference or the code was wrong."""


class AccessThrottled(AccessRefused):
    """Too many wrong tries from this client: it says when to try again, and nothing about the
    case (a genuine notice must never look fake because someone else guessed)."""


def normalise_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code).upper()


def open_with_code(reference: str, code: str, client: str, now: datetime) -> Case:
    """The case for this reference and code, or AccessThrottled (wait), or AccessRefused."""
    reference = normalise_reference(reference)[:40]
    checks = [(PORTAL_PER_REFERENCE_CLIENT, f"{reference}|{client}"), (PORTAL_PER_CLIENT, client)]
    until = first_wait(checks, now)
    if until:
        raise AccessThrottled(
            _(
                "Too many attempts from your connection. Please wait %(wait)s and try again; "
                "the code is printed on the notice, in groups of four."
            )
            % {"wait": wait_text(until, now)}
        )
    case = Case.objects.filter(reference=reference, state__in=VISIBLE_STATES).first()
    real = case is not None and bool(case.access_code_hash)
    stored = case.access_code_hash if real else _dummy_hash()
    # The hash is checked first and always, so an unknown reference costs what a wrong code does.
    matches = check_password(normalise_code(code), stored)
    if not (real and matches):
        for policy, subject in checks:
            record_failure(policy, subject, now)
        raise AccessRefused(_("The reference or the access code is not right. Please check both."))
    clear(PORTAL_PER_REFERENCE_CLIENT, f"{reference}|{client}")
    return case


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
    """Remember in the session that this person has shown the code (or link) for this case."""
    granted = set(session.get(SESSION_KEY, []))
    granted.add(case.pk)
    session[SESSION_KEY] = sorted(granted)
    session.set_expiry(0)  # ends with the browser: recipients often use shared computers
    session.cycle_key()  # a new session id after gaining access (no fixation)


def has_access(session) -> bool:
    return bool(session.get(SESSION_KEY))


def recipient_cases(session) -> QuerySet[Case]:
    """Every case this session has shown a code or link for — and only those."""
    return Case.objects.filter(pk__in=session.get(SESSION_KEY, []), state__in=VISIBLE_STATES)
