"""The broker application factory."""

from __future__ import annotations

import dataclasses
import gc
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from pact_pipeline.broker import migrate
from pact_pipeline.broker.api import openapi
from pact_pipeline.broker.api.http import hal
from pact_pipeline.broker.api.prometheus import install as install_prometheus
from pact_pipeline.broker.api.routes import (
    badges,
    deploy_shortcuts,
    docs,
    environments,
    groups,
    matrix,
    misc,
    observability,
    pact_lists,
    pacticipants,
    pacts,
    provider_contracts,
    secrets,
    triggered_webhooks,
    verifications,
    version_lists,
    webhooks,
)
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.errors import BrokerError
from pact_pipeline.broker.events import BrokerHooks
from pact_pipeline.broker.middleware import Authenticator, ConflictRetry, RequestGuard
from pact_pipeline.broker.services import clean_schedule
from pact_pipeline.broker.services.webhooks import DeliveryWorker, WebhookPolicy
from pact_pipeline.broker.settings import Settings
from pact_pipeline.broker.ui.app import create_pages_app
from pact_pipeline.broker.ui.middleware import HtmlPages

log = logging.getLogger("broker")
ROUTERS = (
    misc,
    observability,
    pacticipants,
    badges,  # before pacts: /latest/badge is the badge, not a tag named badge
    pact_lists,  # one integration's pact lists, diffs; provider states
    pacts,
    verifications,
    provider_contracts,
    matrix,
    environments,
    triggered_webhooks,
    webhooks,
    secrets,
    version_lists,
    deploy_shortcuts,
    groups,
    docs,
)

STORAGE_REFUSAL = "a value is too long or out of range for storage"
"""The 400 message when the database, not validation, refused a value (a validation gap)."""


class BrokerAPI(FastAPI):
    """FastAPI with the broker's completed OpenAPI document (see ``broker.api.openapi``)."""

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            # The base class builds and caches the document; complete the cached one in place.
            openapi.complete(super().openapi())
        return super().openapi()


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    webhooks_enabled: bool = True,
    webhook_retry_delays: Sequence[float] | None = None,
    webhook_poll_interval: float = 1.0,
) -> FastAPI:
    """Build a broker app; the schema is migrated to the newest revision before it serves.

    ``webhooks_enabled``: run a webhook delivery loop while serving (else deliveries are only
    recorded). ``webhook_retry_delays`` overrides the retry schedule setting.

    Raises:
        ValueError: If credentials are half-configured (a username without its password...):
            starting would leave the broker open when its operator meant to close it.
    """
    settings = settings or Settings()
    auth_errors = settings.auth_configuration_errors()
    if auth_errors:
        raise ValueError("; ".join(auth_errors))
    db = database or Database(settings.database_url, settings.pool_options)
    migrate.upgrade(db.engine)
    policy = _webhook_policy(settings, webhook_retry_delays)
    worker = DeliveryWorker(db, policy, poll_interval=webhook_poll_interval)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if webhooks_enabled:
            worker.start()
        cleaner = clean_schedule.start(db, settings)
        yield
        cleaner.stop()
        worker.stop()
        if database is None:
            db.dispose()

    app = BrokerAPI(
        title="Pact Broker (embedded)",
        description="A Pact-Broker-compatible broker: the HTTP API of pact-foundation/pact_broker.",
        version="1.0.0",
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.public_base_url = settings.public_base_url
    app.state.base_urls = settings.own_base_urls
    app.state.hooks = BrokerHooks(
        worker if webhooks_enabled else None,
        settings.use_first_tag_as_branch_time_limit if settings.use_first_tag_as_branch else None,
    )
    app.state.webhook_policy = policy
    for module in ROUTERS:
        app.include_router(module.router)
    _install_error_handlers(app)
    _install_middleware(app, db, settings, worker)
    return app


def settle_the_heap() -> None:
    """Move what start-up allocated (modules, the app, the schema) out of the collector's way.

    Tens of thousands of long-lived objects otherwise sit in the oldest generation, and every
    full collection walks them all, in the middle of whichever request triggered it: the p95
    outliers of the benchmark. ``gc.freeze`` parks them in a permanent generation. Called by
    ``serve`` (and each worker) once the app is built, not by ``create_app``: a process that
    builds many apps (a test run) would keep them all.
    """
    gc.collect()
    gc.freeze()


def _install_middleware(
    app: FastAPI, db: Database, settings: Settings, worker: DeliveryWorker
) -> None:
    # The last added runs first: time the request, authenticate, guard the request, serve
    # browsers their pages (or the HAL view; clients see no change), then (innermost, with
    # the body already bounded) replay a write that lost a race with a concurrent one.
    app.add_middleware(ConflictRetry)
    app.add_middleware(HtmlPages, pages=create_pages_app(db, settings))
    app.add_middleware(RequestGuard, settings=settings)
    app.add_middleware(Authenticator, settings=settings)
    install_prometheus(app, db, worker)


def _webhook_policy(settings: Settings, retry_delays: Sequence[float] | None) -> WebhookPolicy:
    policy = WebhookPolicy.from_settings(settings)
    if retry_delays is None:
        return policy
    return dataclasses.replace(policy, retry_schedule=tuple(retry_delays))


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(BrokerError)
    async def broker_error(request: Request, exc: BrokerError) -> Response:
        return hal(request, exc.to_body(), exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors: dict[str, list[str]] = {}
        for error in exc.errors():
            location = [
                str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")
            ]
            errors.setdefault(".".join(location) or "request", []).append(
                str(error.get("msg", "is invalid"))
            )
        return hal(request, {"errors": errors}, 400)

    @app.exception_handler(DataError)
    async def data_error(request: Request, exc: DataError) -> Response:
        # The database refused a value (too long, out of range, unencodable). Validation should
        # have caught it first, so log it as a gap to close; the client still sent bad data.
        log.warning(
            "database refused a value on %s %s: %s",
            request.method,
            request.url.path,
            type(exc.orig).__name__,
        )
        return hal(
            request,
            {"errors": {"request": [STORAGE_REFUSAL]}},
            400,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "Request failed"
        if exc.status_code == 404:
            message = f"No resource at {request.url.path}"
        elif exc.status_code == 405:
            message = f"Method {request.method} is not allowed on {request.url.path}"
        return hal(request, {"error": message}, exc.status_code, dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, _exc: Exception) -> Response:
        reference = uuid.uuid4().hex[:12]
        log.exception("unexpected error %s on %s %s", reference, request.method, request.url.path)
        return hal(
            request,
            {
                "error": f"An unexpected error occurred; quote reference {reference} when "
                "reporting it",
                "reference": reference,
            },
            500,
        )
