"""Prometheus metrics of one broker app: request latency by route template, webhook deliveries
by outcome, the database pool, and the ``GET /metrics`` counts as gauges.

Each app has its own :class:`CollectorRegistry` (never the process-wide default one), so
several brokers in one process (tests) do not collide. The values are those of the process
that answers the scrape: with several uvicorn workers each worker keeps its own request and
delivery counters (the counts and pool gauges are read at scrape time and need no sharing).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.openmetrics.exposition import (
    CONTENT_TYPE_LATEST as OPENMETRICS_CONTENT_TYPE,
)
from prometheus_client.openmetrics.exposition import generate_latest as _generate_openmetrics
from prometheus_client.registry import Collector
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pact_pipeline.broker.db import Database
from pact_pipeline.broker.services import metrics as metrics_svc
from pact_pipeline.broker.services.webhooks import outcomes

#: prometheus-client leaves the OpenMetrics writer unannotated.
generate_openmetrics: Callable[[CollectorRegistry], bytes] = _generate_openmetrics
#: The text format every Prometheus reads (and asks for); our metric names need no newer one.
PROMETHEUS_TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
UNMATCHED = "unmatched"
PROMETHEUS_TEXT = "text/plain"
OPENMETRICS = "application/openmetrics-text"
JSON = "json"
# Seconds; the broker answers most requests in milliseconds, some pages take seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

#: (gauge name, help, key in ``repository.metrics.table_counts``)
COUNT_GAUGES = (
    ("pacticipants", "Pacticipants", "pacticipants"),
    ("integrations", "Consumer/provider pairs with a pact", "integrations"),
    ("pact_publications", "Pact publications (every revision)", "pact_publications"),
    ("pact_versions", "Distinct pact contents", "pact_versions"),
    ("verification_results", "Verification results", "verifications"),
    ("pacticipant_versions", "Pacticipant versions", "versions"),
    ("branches", "Branches", "branches"),
    ("tags", "Tags", "tags"),
    ("webhooks", "Webhooks", "webhooks"),
    ("triggered_webhooks", "Triggered webhooks (owed deliveries)", "triggered_webhooks"),
    ("webhook_executions", "Webhook delivery attempts recorded", "webhook_executions"),
    ("environments", "Environments", "environments"),
    ("deployed_versions", "Deployed versions (ever recorded)", "deployed_versions"),
    ("released_versions", "Released versions (ever recorded)", "released_versions"),
)


def install(app: FastAPI, db: Database, worker: object) -> BrokerMetrics:
    """Give ``app`` its registry (``app.state.prometheus``) and the request timer; call it
    after every other middleware is added, so that the timer runs outermost and times
    refused requests too."""
    metrics = BrokerMetrics(db, worker)
    app.state.prometheus = metrics
    app.add_middleware(RequestTimer, metrics=metrics, routes=lambda: app.routes)
    return metrics


def route_template(scope: Scope) -> str:
    """The matched route's path template (``/pacticipants/{pacticipant}``), never the raw
    path: names in paths would make a label value per pacticipant."""
    route = scope.get("route")
    template = getattr(route, "path_format", None)
    return template if isinstance(template, str) else UNMATCHED


class _CountsCollector(Collector):
    """The ``GET /metrics`` counts, queried when Prometheus scrapes."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterable[Metric]:
        snapshot = metrics_svc.broker_counts(self.db)
        for name, documentation, key in COUNT_GAUGES:
            gauge = GaugeMetricFamily(f"pact_broker_{name}", documentation)
            gauge.add_metric([], snapshot.counts.get(key, 0))
            yield gauge
        gauge = GaugeMetricFamily(
            "pact_broker_latest_interactions",
            "Interactions in the latest pact of every integration, by kind",
            labels=["kind"],
        )
        gauge.add_metric(["http"], snapshot.interactions.interactions)
        gauge.add_metric(["message"], snapshot.interactions.messages)
        yield gauge


class _PoolCollector(Collector):
    """The SQLAlchemy connection pool's size and use, where the pool class reports them
    (``QueuePool`` does; SQLite's in-memory ``StaticPool`` does not)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterable[Metric]:
        pool = self.db.engine.pool
        readings: tuple[tuple[str, str, str], ...] = (
            ("size", "size", "Connections the pool keeps open"),
            ("checked_out", "checkedout", "Connections in use by requests"),
            ("checked_in", "checkedin", "Idle connections in the pool"),
            ("overflow", "overflow", "Connections opened beyond the pool size"),
        )
        for name, method, documentation in readings:
            read: Callable[[], Any] | None = getattr(pool, method, None)
            if read is None:
                continue
            gauge = GaugeMetricFamily(f"pact_broker_db_pool_{name}", documentation)
            gauge.add_metric([], float(read()))
            yield gauge


class BrokerMetrics:
    """The Prometheus registry of one broker app and the instruments fed into it."""

    def __init__(self, db: Database, worker: object | None = None) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Histogram(
            "pact_broker_http_request_duration_seconds",
            "Time to answer an HTTP request, by method, route template and status class",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.deliveries = Counter(
            "pact_broker_webhook_deliveries",
            "Webhook delivery attempts, by outcome (success, failure, retry)",
            ["outcome"],
            registry=self.registry,
        )
        for outcome in outcomes.OUTCOMES.values():
            self.deliveries.labels(outcome=outcome)
        self.registry.register(_PoolCollector(db))
        self.registry.register(_CountsCollector(db))
        if worker is not None:
            outcomes.listen(worker, self.delivered)

    def delivered(self, outcome: str) -> None:
        self.deliveries.labels(outcome=outcome).inc()

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        status_class = f"{status // 100}xx" if 100 <= status < 600 else "other"
        self.requests.labels(method=method, route=route, status=status_class).observe(seconds)

    def exposition(self, media_type: str) -> tuple[bytes, str]:
        """The registry in Prometheus text or OpenMetrics format, with its content type."""
        if media_type == OPENMETRICS:
            return generate_openmetrics(self.registry), OPENMETRICS_CONTENT_TYPE
        return generate_latest(self.registry), PROMETHEUS_TEXT_CONTENT_TYPE


def metrics_media_type(accept: str) -> str:
    """JSON, Prometheus text or OpenMetrics for a ``GET /metrics`` with this ``Accept``.

    The format the client ranks highest (by ``q``, then by its order) wins; JSON is the
    answer to ``*/*``, to JSON types and to no ``Accept`` at all, as the Ruby broker answers.
    Prometheus sends ``application/openmetrics-text;version=1.0.0,...;q=0.75,
    text/plain;version=0.0.4;q=0.5,*/*;q=0.1`` and so gets OpenMetrics.
    """
    best, best_quality = JSON, 0.0
    for item in accept.split(","):
        media_type, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        kind = _kind(media_type.lower())
        if kind is not None and quality > best_quality:
            best, best_quality = kind, quality
    return best


def _kind(media_type: str) -> str | None:
    if media_type == OPENMETRICS:
        return OPENMETRICS
    if media_type == PROMETHEUS_TEXT:
        return PROMETHEUS_TEXT
    if media_type in ("*/*", "application/*") or media_type.endswith(("/json", "+json")):
        return JSON
    return None


class RequestTimer:
    """ASGI middleware timing each HTTP request into :class:`BrokerMetrics`, labelled with the
    route template the router matched (read from the scope after the app ran)."""

    def __init__(
        self,
        app: ASGIApp,
        metrics: BrokerMetrics,
        routes: Callable[[], Sequence[BaseRoute]] | None = None,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.routes = routes

    def _template(self, scope: Scope) -> str:
        """The route the router recorded in the scope; else (a middleware answered from a
        copy of the scope, e.g. the HAL view for browsers) the route that matches the path."""
        template = route_template(scope)
        if template != UNMATCHED or self.routes is None:
            return template
        for route in self.routes():
            if route.matches(scope)[0] == Match.FULL:
                return route_template({"route": route})
        return UNMATCHED

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def timed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            self.metrics.observe(
                scope["method"], self._template(scope), status, time.perf_counter() - started
            )
