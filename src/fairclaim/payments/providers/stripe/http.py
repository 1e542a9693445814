"""Stripe's HTTP calls through discovery's `fetch`, the one guarded way out of the platform.

The Stripe library lets an application bring its own HTTP client. This one applies what every
other outbound call gets: the address check after DNS resolution (loopback only with
FAIRCLAIM_ALLOW_LOOPBACK, as for the local Stripe of the tests and the demo), a total time limit
and a cap on the answer's size. Connection failures and timeouts become the library's retryable
`APIConnectionError`, so its retries (with the same Idempotency-Key) work as before.
"""

from __future__ import annotations

from typing import Any

import stripe
from requests.structures import CaseInsensitiveDict

from fairclaim.discovery.errors import ConnectFailed, DiscoveryError, DnsFailed, FetchTimeout
from fairclaim.discovery.fetch import FetchLimits, fetch

MAX_ANSWER_BYTES = 5 * 1024 * 1024  # a Checkout Session or a refund is a few kB of JSON


class GuardedStripeClient(stripe.HTTPClient):
    name = "fairclaim-fetch"

    def __init__(self, *, timeout: float, allow_loopback: bool) -> None:
        super().__init__()
        self.limits = FetchLimits(
            total_timeout=timeout, connect_timeout=timeout, max_bytes=MAX_ANSWER_BYTES
        )
        self.allow_loopback = allow_loopback

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        body = post_data.encode("utf-8") if isinstance(post_data, str) else post_data
        try:
            result = fetch(
                url,
                method=method.upper(),
                body=body,
                headers=dict(headers or {}),
                limits=self.limits,
                allow_loopback=self.allow_loopback,
                raise_for_status=False,
            )
        except (ConnectFailed, FetchTimeout, DnsFailed) as exc:
            raise stripe.APIConnectionError(
                f"Could not reach Stripe ({exc}); try again.", should_retry=True
            ) from exc
        except DiscoveryError as exc:  # a refused address, a redirect loop, an oversized answer
            raise stripe.APIConnectionError(
                f"Stripe's answer was refused: {exc}", should_retry=False
            ) from exc
        headers_in: Any = CaseInsensitiveDict(result.headers)
        return result.body, result.status, headers_in

    def request_stream(self, method, url, headers, post_data=None, *, _usage=None):
        raise NotImplementedError("fairclaim never streams from Stripe")

    def close(self) -> None:
        """Nothing to close: each request opens and closes its own connection."""
