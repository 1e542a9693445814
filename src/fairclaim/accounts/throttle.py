"""Rate limits on guessable things, counted in the database so all web processes agree."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import RateLimit


@dataclass(frozen=True)
class Policy:
    """At most `limit` failures per `window`; then locked until the window ends."""

    name: str
    limit: int
    window: timedelta


# Ten wrong passwords per account per 15 minutes stops guessing but not a person who mistypes.
LOGIN_PER_ACCOUNT = Policy("login-account", limit=10, window=timedelta(minutes=15))
# Per address: generous enough for an office behind one NAT, tight enough for a password spray.
LOGIN_PER_ADDRESS = Policy("login-address", limit=50, window=timedelta(minutes=15))
# Public verification does real work per upload; plenty for a person, too few for a flood.
VERIFY_PER_ADDRESS = Policy("verify-address", limit=30, window=timedelta(hours=1))


def bucket_key(policy: Policy, subject: str) -> str:
    # Hashed so usernames and addresses are not stored in clear in a table nobody reviews.
    return f"{policy.name}:{hashlib.sha256(subject.lower().encode()).hexdigest()[:40]}"


def locked_until(policy: Policy, subject: str, now: datetime) -> datetime | None:
    """When the lock on `subject` ends, or None when it may try again now."""
    row = RateLimit.objects.filter(key=bucket_key(policy, subject)).first()
    if row is None or now >= row.window_start + policy.window or row.count < policy.limit:
        return None
    return row.window_start + policy.window


def record_failure(policy: Policy, subject: str, now: datetime) -> None:
    key = bucket_key(policy, subject)
    with transaction.atomic():
        # A new window starts when the old one has passed; otherwise count atomically.
        restarted = RateLimit.objects.filter(key=key, window_start__lte=now - policy.window).update(
            window_start=now, count=1
        )
        if restarted:
            return
        if RateLimit.objects.filter(key=key).update(count=F("count") + 1):
            return
        try:
            with transaction.atomic():
                RateLimit.objects.create(key=key, window_start=now, count=1)
        except IntegrityError:  # another process created it first
            RateLimit.objects.filter(key=key).update(count=F("count") + 1)


def clear(policy: Policy, subject: str) -> None:
    RateLimit.objects.filter(key=bucket_key(policy, subject)).delete()
