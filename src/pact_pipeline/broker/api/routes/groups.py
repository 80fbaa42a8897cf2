"""Network diagram data (``/groups/{pacticipant}`` and ``/relationships``, CSV) and deleting
every integration (``DELETE /integrations``)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from pact_pipeline.broker.api.deps import DB
from pact_pipeline.broker.api.http import RawPathRoute
from pact_pipeline.broker.services import browse as svc

router = APIRouter(route_class=RawPathRoute, tags=["integrations"])

CSV = "text/csv;charset=utf-8"


@router.get("/groups/{name}", include_in_schema=False)  # CSV, not HAL
def group(name: str, db: DB) -> Response:
    return Response(svc.group(db, name), media_type=CSV)


@router.get("/relationships", include_in_schema=False)  # CSV, not HAL
def relationships(db: DB) -> Response:
    return Response(svc.relationships(db), media_type=CSV)


@router.delete("/integrations", status_code=204)
def delete_all_integrations(db: DB) -> Response:
    svc.delete_all_integrations(db)
    return Response(status_code=204)
