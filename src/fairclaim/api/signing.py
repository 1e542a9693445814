"""Webhook signatures: HMAC-SHA256 over `timestamp.body`, sent as
`Fairclaim-Signature: t=<unix seconds>,v1=<hex digest>` (docs/api/webhooks.md shows how to check).

Pure functions: no Django, no clock reads (the caller passes the time).
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "Fairclaim-Signature"
# A receiver should refuse signatures older than this: it bounds replays of a captured request.
DEFAULT_TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(
    secret: str,
    header: str,
    body: bytes,
    now: int,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> bool:
    """True when `header` is a valid signature of `body` made within `tolerance` of `now`."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))
