"""What operators watch: ``/metrics`` (JSON counts, or Prometheus/OpenMetrics text when the
client asks for it), ``/dashboard`` and the dependency check ``/diagnostic/status/dependencies``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from pact_pipeline.broker.api.deps import DB, LinksDep
from pact_pipeline.broker.api.http import RawPathRoute, hal
from pact_pipeline.broker.api.prometheus import JSON, BrokerMetrics, metrics_media_type
from pact_pipeline.broker.api.representations import dashboard as dashboard_repr
from pact_pipeline.broker.api.representations import metrics as metrics_repr
from pact_pipeline.broker.errors import invalid
from pact_pipeline.broker.services import dashboard as dashboard_svc
from pact_pipeline.broker.services import metrics as metrics_svc

router = APIRouter(route_class=RawPathRoute, tags=["observability"])

#: Ruby answers 500 when the database fails the check; a load balancer or Kubernetes probe
#: reads 503 as "not ready" without mistaking it for a bug in the broker.
DEPENDENCY_FAILURE_STATUS = 503


@router.get("/metrics")
def metrics(request: Request, db: DB) -> Response:
    """The broker's counts as JSON (as the Pact Broker's ``/metrics``), or every Prometheus
    metric of this broker when the ``Accept`` header prefers ``text/plain`` or OpenMetrics."""
    media_type = metrics_media_type(request.headers.get("accept", ""))
    if media_type == JSON:
        return hal(request, metrics_repr.metrics(metrics_svc.broker_counts(db)))
    prometheus: BrokerMetrics = request.app.state.prometheus
    body, content_type = prometheus.exposition(media_type)
    return Response(body, media_type=content_type, headers={"vary": "Accept"})


@router.get("/dashboard")
def dashboard(request: Request, db: DB, links: LinksDep) -> Response:
    page, size = _pagination(request)
    items = dashboard_svc.dashboard(db, page=page, size=size)
    return hal(request, dashboard_repr.dashboard(links, items))


@router.get("/dashboard/provider/{provider}/consumer/{consumer}")
def integration_dashboard(
    request: Request, provider: str, consumer: str, db: DB, links: LinksDep
) -> Response:
    page, size = _pagination(request)
    items = dashboard_svc.dashboard(db, consumer=consumer, provider=provider, page=page, size=size)
    return hal(request, dashboard_repr.dashboard(links, items))


@router.get("/diagnostic/status/dependencies")
def dependencies(request: Request, db: DB, links: LinksDep) -> Response:
    status = metrics_svc.database_status(db)
    body = metrics_repr.dependencies(status, links.url("diagnostic", "status", "dependencies"))
    return hal(request, body, 200 if status.ok else DEPENDENCY_FAILURE_STATUS)


def _pagination(request: Request) -> tuple[int | None, int | None]:
    """``page``/``size`` or ``pageNumber``/``pageSize``, as the Ruby broker reads them."""
    query = request.query_params
    names = ("page", "size") if ("page" in query or "size" in query) else ("pageNumber", "pageSize")
    values: list[int | None] = []
    for name in names:
        raw = query.get(name)
        if raw is None:
            values.append(None)
            continue
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 9) or int(raw) < 1:
            raise invalid(name, "must be an integer greater than or equal to 1")
        values.append(int(raw))
    return values[0], values[1]
