"""Rate limits and sign-in throttles, counted in the database so all web processes agree.

Two kinds of policy:

* a rate limit (`limit` per `window`, then refused until the window ends) for work anyone may ask
  for but not without end: public checks, portal messages;
* a throttle for guessable secrets (passwords, access codes): `limit` free failures, then each
  further try must wait twice as long as the one before, up to `max_delay`. It slows a guesser
  to a crawl but never locks anyone out for good, and it is keyed so that a stranger's failures
  cannot slow the genuine person down more than `max_delay` (DESIGN rule 9).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import ngettext

from .models import RateLimit


@dataclass(frozen=True)
class Policy:
    """`limit` failures per `window`; after that a hard wait to the window's end, or, with
    `base_delay`, a wait after the last failure that doubles with every further failure."""

    name: str
    limit: int
    window: timedelta
    base_delay: timedelta | None = None
    max_delay: timedelta | None = None


def backoff_delay(failures: int, free: int, base: timedelta, cap: timedelta) -> timedelta:
    """How long to wait after the last of `failures` failures: 0 for the first `free`, then
    base, 2 x base, 4 x base ... never more than `cap`. Pure."""
    if failures < free:
        return timedelta(0)
    doublings = min(failures - free, 40)  # 2**40 x any base is past every cap; no overflow
    return min(cap, base * (2**doublings))


# Sign-in. Per (account, client): a person who mistypes is barely slowed, one address guessing
# one account waits up to an hour. Per account from anywhere: the cap is one minute, so a
# distributed attacker gets about one guess a minute and can hold the owner up for a minute at
# most. Per client across accounts (a password spray): generous for an office behind one NAT.
LOGIN_PER_ACCOUNT_CLIENT = Policy(
    "login-account-client", 5, timedelta(days=1), timedelta(seconds=2), timedelta(hours=1)
)
LOGIN_PER_ACCOUNT = Policy(
    "login-account", 10, timedelta(days=1), timedelta(seconds=1), timedelta(minutes=1)
)
LOGIN_PER_CLIENT = Policy(
    "login-client", 50, timedelta(days=1), timedelta(seconds=1), timedelta(hours=1)
)
# Password-reset mails. Every request counts, whether or not the address has an account (the
# answer must not tell them apart). Per address: three mails, then a wait doubling from a minute,
# capped at 15 minutes, so nobody can flood an inbox or keep its owner from a reset for long.
# Per client: a spray across addresses from one place.
RESET_PER_EMAIL = Policy(
    "reset-email", 3, timedelta(days=1), timedelta(minutes=1), timedelta(minutes=15)
)
RESET_PER_CLIENT = Policy(
    "reset-client", 20, timedelta(days=1), timedelta(seconds=30), timedelta(hours=1)
)
# Portal messages per case: a conversation, not a flood (each is also a case-log event).
PORTAL_MESSAGES_PER_CASE = Policy("portal-messages", limit=30, window=timedelta(hours=1))
# Public verification does real work per upload; plenty for a person, too few for a flood.
VERIFY_PER_ADDRESS = Policy("verify-address", limit=30, window=timedelta(hours=1))


def bucket_key(policy: Policy, subject: str) -> str:
    # Hashed so usernames and addresses are not stored in clear in a table nobody reviews.
    return f"{policy.name}:{hashlib.sha256(subject.lower().encode()).hexdigest()[:40]}"


def locked_until(policy: Policy, subject: str, now: datetime) -> datetime | None:
    """When `subject` may try again, or None when it may try now."""
    row = RateLimit.objects.filter(key=bucket_key(policy, subject)).first()
    if row is None or now >= row.window_start + policy.window:
        return None
    if policy.base_delay is None:
        return row.window_start + policy.window if row.count >= policy.limit else None
    cap = policy.max_delay or policy.window
    delay = backoff_delay(row.count, policy.limit, policy.base_delay, cap)
    last = row.last_at or row.window_start
    return last + delay if delay and now < last + delay else None


def record_failure(policy: Policy, subject: str, now: datetime) -> None:
    key = bucket_key(policy, subject)
    with transaction.atomic():
        # A new window starts when the old one has passed; otherwise count atomically.
        restarted = RateLimit.objects.filter(key=key, window_start__lte=now - policy.window).update(
            window_start=now, count=1, last_at=now
        )
        if restarted:
            return
        if RateLimit.objects.filter(key=key).update(count=F("count") + 1, last_at=now):
            return
        try:
            with transaction.atomic():
                RateLimit.objects.create(key=key, window_start=now, count=1, last_at=now)
        except IntegrityError:  # another process created it first
            RateLimit.objects.filter(key=key).update(count=F("count") + 1, last_at=now)


def clear(policy: Policy, subject: str) -> None:
    RateLimit.objects.filter(key=bucket_key(policy, subject)).delete()


def first_wait(checks: list[tuple[Policy, str]], now: datetime) -> datetime | None:
    """The latest time any of (policy, subject) asks to wait until, or None."""
    return max(filter(None, (locked_until(policy, subject, now) for policy, subject in checks)),
               default=None)  # fmt: skip


def wait_text(until: datetime, now: datetime) -> str:
    """'12 seconds', '3 minutes': how long the person has to wait, rounded up."""
    seconds = max(1, math.ceil((until - now).total_seconds()))
    if seconds < 120:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
