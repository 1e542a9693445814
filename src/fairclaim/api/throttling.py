"""Per-key request rate limits (DRF's throttle: refusals carry `Retry-After`)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiKey


class PerKeyThrottle(SimpleRateThrottle):
    """At most FAIRCLAIM_API_RATE_PER_MINUTE requests per key and minute.

    Counted in Django's cache: per process with the default local-memory cache, shared by all
    processes once FAIRCLAIM_CACHE_BACKEND names a shared cache (Redis, Memcached).
    """

    scope = "api_key"

    def get_rate(self):
        return f"{settings.FAIRCLAIM_API_RATE_PER_MINUTE}/min"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiKey):
            return None  # unauthenticated requests are refused before they cost anything
        # The prefix is random per key; a row id can repeat after a database is recreated.
        return f"throttle_api_key_{request.auth.prefix}"
