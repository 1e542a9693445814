"""Issuing, finding and revoking API keys. A token is shown once; only its SHA-256 is kept."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import DatabaseError, transaction

from fairclaim.accounts.models import User

from .models import ApiKey
from .scopes import WRITE_SCOPES, unknown_scopes

TOKEN_PREFIX = "fck_"  # noqa: S105 — lets secret scanners (and people) recognise a leaked key
TOKEN_BYTES = 32  # 256 bits: a hash of it needs no salt and no slow hashing to resist guessing
VISIBLE_CHARS = 12  # the part of the token shown in lists to tell keys apart
# Writing the last-used time on every request would make each read a write; a minute is enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class KeyRefused(Exception):
    """The key cannot be issued as asked; the message says why."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_scopes(user: User, scopes: list[str]) -> list[str]:
    """The scopes `user` may grant, in a stable order; refuses unknown or too-wide ones."""
    if unknown := unknown_scopes(scopes):
        raise KeyRefused(f"Unknown scope(s): {', '.join(unknown)}.")
    if not scopes:
        raise KeyRefused("Choose at least one scope.")
    if user.read_only and WRITE_SCOPES & set(scopes):
        raise KeyRefused("A read-only member can only create keys that read.")
    return sorted(set(scopes))


def do_issue_key(user: User, name: str, scopes: list[str]) -> tuple[ApiKey, str]:
    """Create a key for `user`'s organisation. Returns the row and the token (shown once)."""
    if user.organisation_id is None:
        raise KeyRefused("Only a member of an organisation can create API keys.")
    scopes = check_scopes(user, scopes)
    token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    key = ApiKey.objects.create(
        organisation_id=user.organisation_id,
        created_by=user,
        name=name.strip()[:100] or "API key",
        prefix=token[:VISIBLE_CHARS],
        token_sha256=token_hash(token),
        scopes=scopes,
    )
    return key, token


def find_active_key(token: str, now: datetime) -> ApiKey | None:
    """The key for `token` if it is live and its creator still belongs to its organisation."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    key = (
        ApiKey.objects.select_related("created_by", "organisation")
        .filter(token_sha256=token_hash(token), revoked_at__isnull=True)
        .first()
    )
    if key is None:
        return None
    creator = key.created_by
    if not creator.is_active or creator.organisation_id != key.organisation_id:
        return None
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        # Advisory: a read must not fail because a busy writer holds the database (SQLite).
        with contextlib.suppress(DatabaseError), transaction.atomic():
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
    return key


def keys_visible_to(user: User):
    """Every key of the member's organisation (a team sees what can reach its data)."""
    if user.organisation_id is None:
        return ApiKey.objects.none()
    return ApiKey.objects.filter(organisation_id=user.organisation_id).select_related("created_by")


def can_revoke(user: User, key: ApiKey) -> bool:
    """The key's creator, or any member of its organisation who may change things."""
    return key.created_by_id == user.pk or not user.read_only


@transaction.atomic
def do_revoke_key(key: ApiKey, user: User, now: datetime) -> bool:
    """Revoke at once (the next request with it gets 401). Returns False if already revoked."""
    return bool(
        ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=user
        )
    )
