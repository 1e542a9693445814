"""Endpoints for the load balancer and the monitoring: liveness, readiness, metrics.

`/healthz` answers while the process can serve at all (no database: a database outage must not
get every web process restarted). `/readyz` answers 200 only when the database answers and every
migration is applied, so a new release gets traffic once it can serve it. `/metrics` is the
Prometheus page; it is shown to the loopback interface (a scraper on the host) or to a request
carrying FAIRCLAIM_METRICS_TOKEN as a bearer token, and is a 404 to everyone else.
"""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import Http404, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        checks["migrations"] = "ok" if not pending else f"{len(pending)} not applied"
    except DatabaseError as exc:
        checks["database"] = f"unavailable ({type(exc).__name__})"
    ready = all(value == "ok" for value in checks.values()) and len(checks) == 2
    return JsonResponse({"status": "ready" if ready else "not ready", **checks},
                        status=200 if ready else 503)  # fmt: skip


def _may_scrape(request) -> bool:
    token = settings.FAIRCLAIM_METRICS_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if token and given and hmac.compare_digest(given.encode(), token.encode()):
        return True
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback and not (
            request.headers.get("X-Forwarded-For")  # came through the proxy: not the host itself
        )
    except ValueError:
        return False


@never_cache
@require_GET
def metrics(request):
    if not _may_scrape(request):
        raise Http404
    from fairclaim.metrics import exposition

    return HttpResponse(
        exposition(timezone.now()), content_type="text/plain; version=0.0.4; charset=utf-8"
    )
