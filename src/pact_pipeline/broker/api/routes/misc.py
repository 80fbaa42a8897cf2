"""The index, integrations and the heartbeat."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from pact_pipeline.broker.api.contracts.paging import NameFilter, Paging
from pact_pipeline.broker.api.deps import DB, LinksDep, SettingsDep
from pact_pipeline.broker.api.http import PLAIN_JSON, RawPathRoute, hal
from pact_pipeline.broker.api.representations import index as index_repr
from pact_pipeline.broker.api.representations import integration as integration_repr
from pact_pipeline.broker.api.representations.paging import with_page
from pact_pipeline.broker.services import integrations as svc
from pact_pipeline.broker.settings import INSTANCE_HEADER

router = APIRouter(route_class=RawPathRoute, tags=["index"])


@router.get("/")
def index(request: Request, links: LinksDep) -> Response:
    return hal(request, index_repr.index(links), default_media_type=PLAIN_JSON)


@router.get("/diagnostic/status/heartbeat")
def heartbeat(request: Request, links: LinksDep, settings: SettingsDep) -> Response:
    response = hal(request, index_repr.heartbeat(links))
    if settings.instance_id:
        response.headers[INSTANCE_HEADER] = settings.instance_id
    return response


@router.get("/integrations")
def integrations(
    request: Request, db: DB, links: LinksDep, page: Paging, q: NameFilter
) -> Response:
    """The integrations; ``q`` keeps those whose consumer or provider name contains it; paged
    on request."""
    query = request.query_params.multi_items()
    return hal(
        request,
        svc.list_integrations(
            db,
            lambda found: with_page(
                integration_repr.integrations(links, found.items),
                found.info,
                links.url("integrations"),
                query,
            ),
            name_filter=q,
            page=page,
        ),
    )


@router.delete("/integrations/provider/{provider}/consumer/{consumer}", status_code=204)
def delete_integration(provider: str, consumer: str, db: DB) -> Response:
    svc.delete_integration(db, consumer, provider)
    return Response(status_code=204)
