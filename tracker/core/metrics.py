"""`GET /metrics`: Prometheus metrics of the requests, the outbox and the scheduler.

Request counts and durations are kept per process; under gunicorn, `gunicorn.conf.py` sets
PROMETHEUS_MULTIPROC_DIR so the workers' figures are added up. The outbox and scheduler figures
are read from the database when scraped, so every web host reports the same values for them.
Reachable with `Authorization: Bearer <TRACKER_METRICS_TOKEN>` or a secretariat login.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterator

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, request
from flask_login import current_user
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from tracker.core.permissions import public
from tracker.extensions import db

bp = Blueprint("metrics", __name__)

REQUESTS = Counter("tracker_http_requests", "HTTP requests answered, by method, route and status.",
                   ["method", "route", "status"])
DURATION = Histogram("tracker_http_request_duration_seconds", "Time to answer a request, by route.", ["route"],
                     buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))


#: Methods counted by name; any other (made up by a client) is "OTHER", so labels stay few.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count one answered request."""
    REQUESTS.labels(method if method in METHODS else "OTHER", route, str(status)).inc()
    DURATION.labels(route).observe(seconds)


class DatabaseCollector:
    """Outbox depth, failed mail and the scheduler's last runs, read when scraped."""

    def collect(self) -> Iterator[Metric]:
        """The gauges, from three small queries."""
        from tracker.core.models import SchedulerRun
        from tracker.mail.services import count_by_status

        counts = count_by_status()
        depth = GaugeMetricFamily("tracker_outbox_depth", "Emails waiting to be sent (queued or being sent).")
        depth.add_metric([], counts.get("queued", 0) + counts.get("sending", 0))
        yield depth
        failed = GaugeMetricFamily("tracker_mail_failed", "Emails the relay gave up on (staff may send them again).")
        failed.add_metric([], counts.get("failed", 0))
        yield failed
        by_status = GaugeMetricFamily("tracker_outbox_messages", "Outbox rows by status.", labels=["status"])
        for status, count in sorted(counts.items()):
            by_status.add_metric([status], count)
        yield by_status

        runs = list(db.session.scalars(sa.select(SchedulerRun).order_by(SchedulerRun.job)))
        last_run = GaugeMetricFamily("tracker_scheduler_last_run_timestamp_seconds",
                                     "When each scheduler job last finished (Unix time).", labels=["job"])
        last_ok = GaugeMetricFamily("tracker_scheduler_last_success_timestamp_seconds",
                                    "When each scheduler job last succeeded (Unix time).", labels=["job"])
        failures = GaugeMetricFamily("tracker_scheduler_job_failures", "Failed runs of each job so far.",
                                     labels=["job"])
        for run in runs:
            last_run.add_metric([run.job], run.last_finished_at.timestamp())
            if run.last_succeeded_at is not None:
                last_ok.add_metric([run.job], run.last_succeeded_at.timestamp())
            failures.add_metric([run.job], run.failures)
        yield last_run
        yield last_ok
        yield failures


def exposition() -> bytes:
    """The whole text exposition: this host's request figures, then the database's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    database = CollectorRegistry(auto_describe=False)
    database.register(DatabaseCollector())
    return generate_latest(registry) + generate_latest(database)


def _authorised() -> bool:
    """A bearer token equal to TRACKER_METRICS_TOKEN, or a secretariat session."""
    expected = current_app.config["METRICS_TOKEN"]
    scheme, _sep, given = request.headers.get("Authorization", "").partition(" ")
    if expected and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), expected.encode()):
        return True
    return bool(current_user.is_authenticated and current_user.is_secretariat)


@bp.get("/metrics")
@public
def metrics() -> Response:
    """Prometheus text format; 401 without the token, 403 for a login other than the secretariat's."""
    if not _authorised():
        if current_user.is_authenticated:
            abort(403)
        return Response("Send Authorization: Bearer <TRACKER_METRICS_TOKEN>.\n", 401,
                        {"WWW-Authenticate": 'Bearer realm="metrics"', "Content-Type": "text/plain; charset=utf-8"})
    return Response(exposition(), 200, {"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})
