"""Webhook secrets, PactFlow's API: ``POST/GET /secrets``, ``GET/PUT/DELETE /secrets/{uuid}``.

A duplicate name is a 409 conflict. The value is never returned.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from pact_pipeline.broker.api.contracts.secrets import secret_data
from pact_pipeline.broker.api.deps import DB, JsonObject, LinksDep
from pact_pipeline.broker.api.http import RawPathRoute, hal
from pact_pipeline.broker.api.representations import secret as secret_repr
from pact_pipeline.broker.services import secrets as svc

router = APIRouter(route_class=RawPathRoute, tags=["secrets"])


@router.get("/secrets")
def list_secrets(request: Request, db: DB, links: LinksDep) -> Response:
    return hal(request, svc.list_secrets(db, lambda items: secret_repr.secrets(links, items)))


@router.post("/secrets")
def create_secret(request: Request, body: JsonObject, db: DB, links: LinksDep) -> Response:
    rendered = svc.create_secret(
        db, secret_data(body, value_required=True), lambda s: secret_repr.secret(links, s)
    )
    return hal(request, rendered, 201, {"Location": rendered["_links"]["self"]["href"]})


@router.get("/secrets/{uuid}")
def get_secret(request: Request, uuid: str, db: DB, links: LinksDep) -> Response:
    return hal(request, svc.get_secret(db, uuid, lambda s: secret_repr.secret(links, s)))


@router.put("/secrets/{uuid}")
def update_secret(
    request: Request, uuid: str, body: JsonObject, db: DB, links: LinksDep
) -> Response:
    rendered = svc.update_secret(
        db, uuid, secret_data(body, value_required=False), lambda s: secret_repr.secret(links, s)
    )
    return hal(request, rendered)


@router.delete("/secrets/{uuid}", status_code=204)
def delete_secret(uuid: str, db: DB) -> Response:
    svc.delete_secret(db, uuid)
    return Response(status_code=204)
