"""Prometheus metrics: request latency (per view), and at each scrape the queue and outbox
read from the database (task queue depth and age, task failures, notices waiting to be sent).

Several gunicorn processes serve requests; prometheus_client's multiprocess mode (the directory in
PROMETHEUS_MULTIPROC_DIR, which `fairclaim serve` sets) adds their histograms up. The database
figures are the same whichever process answers, so they are read once per scrape.
"""

from __future__ import annotations

import os
import time
from datetime import datetime

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

# Latency buckets from a fast page to a slow PDF or upload; the last ones show stalls.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
REQUEST_SECONDS = Histogram(
    "fairclaim_http_request_duration_seconds",
    "Time to answer an HTTP request, by view and status class",
    ["view", "status"],
    buckets=LATENCY_BUCKETS,
)


class RequestMetricsMiddleware:
    """Observes every request's duration under its URL name (bounded: never the raw path)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match else "") or "unresolved"
        REQUEST_SECONDS.labels(view=view, status=f"{response.status_code // 100}xx").observe(
            time.perf_counter() - started
        )
        return response


class DatabaseCollector:
    """Queue and outbox figures, read from the database at scrape time."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def collect(self):
        from django.db.models import Count, Min
        from django_tasks_db.models import DBTaskResult

        from fairclaim.cases.models import Notice

        tasks = GaugeMetricFamily(
            "fairclaim_tasks",
            "Background tasks by status (FAILED ones need a look)",
            labels=["status"],
        )
        for row in DBTaskResult.objects.values("status").annotate(n=Count("pk")):
            tasks.add_metric([row["status"]], row["n"])
        yield tasks
        oldest = DBTaskResult.objects.filter(status="READY").aggregate(at=Min("enqueued_at"))["at"]
        age = GaugeMetricFamily(
            "fairclaim_task_queue_oldest_seconds", "Age of the oldest task waiting for a worker"
        )
        age.add_metric([], (self.now - oldest).total_seconds() if oldest else 0.0)
        yield age
        outbox = GaugeMetricFamily(
            "fairclaim_notices_outbox", "Notices not yet sent, by status", labels=["status"]
        )
        waiting = Notice.objects.exclude(status__in=["sent", "draft"])
        for row in waiting.values("status").annotate(n=Count("pk")):
            outbox.add_metric([row["status"]], row["n"])
        yield outbox


def exposition(now: datetime) -> bytes:
    """The metrics page: every process's request histograms plus the database figures."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_SECONDS)
    registry.register(DatabaseCollector(now))
    return generate_latest(registry)
