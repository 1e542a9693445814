"""Retries with exponential backoff: transient errors are retried, others are not."""

from __future__ import annotations

import pytest

from fairclaim.evidence.retry import RetryPolicy, with_retries


class Flaky:
    def __init__(self, failures: int, error: Exception) -> None:
        self.failures = failures
        self.error = error
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "done"


def transient(exc: BaseException) -> bool:
    return isinstance(exc, ConnectionError)


def test_delays_double_up_to_the_cap():
    assert RetryPolicy(attempts=5, first_delay=0.5, max_delay=1.5).delays() == [0.5, 1.0, 1.5, 1.5]
    assert RetryPolicy(attempts=1).delays() == []


def test_transient_errors_are_retried_with_backoff():
    waits: list[float] = []
    action = Flaky(2, ConnectionResetError("reset"))
    assert with_retries(action, transient, RetryPolicy(attempts=3), waits.append) == "done"
    assert action.calls == 3
    assert waits == [0.5, 1.0]


def test_the_last_transient_error_propagates():
    action = Flaky(5, ConnectionResetError("reset"))
    with pytest.raises(ConnectionResetError):
        with_retries(action, transient, RetryPolicy(attempts=3), lambda _: None)
    assert action.calls == 3


def test_other_errors_are_not_retried():
    action = Flaky(1, ValueError("bad URL"))
    with pytest.raises(ValueError, match="bad URL"):
        with_retries(action, transient, RetryPolicy(attempts=3), lambda _: None)
    assert action.calls == 1
