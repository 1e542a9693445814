"""Retry with exponential backoff for transient network failures (capture loads, TSA requests).

Framework-free: no Django imports.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """`attempts` tries in all; waits `first_delay`, then doubles, capped at `max_delay` seconds."""

    attempts: int = 3  # one try and two retries: enough to ride out a reset or a slow DNS answer
    first_delay: float = 0.5
    max_delay: float = 8.0

    def delays(self) -> list[float]:
        return [
            min(self.first_delay * 2**number, self.max_delay)
            for number in range(max(self.attempts - 1, 0))
        ]


def with_retries(
    action: Callable[[], T],
    is_transient: Callable[[BaseException], bool],
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `action`; on a transient error wait and try again. The last error propagates."""
    for delay in policy.delays():
        try:
            return action()
        except Exception as exc:
            if not is_transient(exc):
                raise
            sleep(delay)
    return action()
