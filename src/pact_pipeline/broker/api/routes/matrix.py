"""``GET /matrix`` and ``GET /can-i-deploy``."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from pact_pipeline.broker.api.contracts.matrix import can_i_deploy_query, parse_matrix_query
from pact_pipeline.broker.api.deps import DB, LinksDep
from pact_pipeline.broker.api.http import RawPathRoute, hal
from pact_pipeline.broker.api.representations import matrix as matrix_repr
from pact_pipeline.broker.services import matrix as svc

router = APIRouter(route_class=RawPathRoute, tags=["matrix"])


@router.get("/matrix")
def get_matrix(request: Request, db: DB, links: LinksDep) -> Response:
    query = parse_matrix_query(request.url.query)
    return hal(
        request,
        svc.matrix_query(db, query, lambda result, facts: matrix_repr.matrix(links, result, facts)),
    )


@router.get("/can-i-deploy")
def can_i_deploy(request: Request, db: DB, links: LinksDep) -> Response:
    query = can_i_deploy_query(request.url.query)
    return hal(
        request,
        svc.matrix_query(db, query, lambda result, facts: matrix_repr.matrix(links, result, facts)),
    )
