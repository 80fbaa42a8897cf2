"""One integration's matrix for API clients, and the can-i-deploy shortcuts (the latest
version with a tag to a tag; a branch's head to an environment), with links to their badges.

Browsers asking for HTML at ``/matrix/provider/P/consumer/C`` get the matrix page instead
(the pages middleware answers before these routes)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from pact_pipeline.broker.api.contracts.matrix import parse_matrix_query
from pact_pipeline.broker.api.deps import DB, LinksDep
from pact_pipeline.broker.api.http import RawPathRoute, hal
from pact_pipeline.broker.api.representations import matrix as matrix_repr
from pact_pipeline.broker.api.representations.hal import link
from pact_pipeline.broker.services import browse as svc
from pact_pipeline.broker.services.matrix import MatrixResult, MatrixRowFacts

router = APIRouter(route_class=RawPathRoute, tags=["matrix"])

TAG_TO_TAG = "/pacticipants/{name}/latest-version/{tag}/can-i-deploy/to/{to}"
BRANCH_TO_ENVIRONMENT = (
    "/pacticipants/{name}/branches/{branch}/latest-version/can-i-deploy/to-environment/"
    "{environment}"
)


@router.get("/matrix/provider/{provider}/consumer/{consumer}")
def integration_matrix(
    request: Request, provider: str, consumer: str, db: DB, links: LinksDep
) -> Response:
    options = parse_matrix_query(request.url.query)

    def present(result: MatrixResult, facts: MatrixRowFacts) -> dict[str, Any]:
        return matrix_repr.matrix(links, result, facts)

    return hal(request, svc.integration_matrix(db, consumer, provider, options, present))


def _with_badge(request: Request, body: dict[str, Any]) -> dict[str, Any]:
    self_href = str(request.url).split("?", 1)[0]
    body.setdefault("_links", {})
    body["_links"]["self"] = link(str(request.url))
    body["_links"]["pb:badge"] = link(self_href + "/badge", title="Can I deploy badge")
    return body


@router.get(TAG_TO_TAG)
def can_i_deploy_tag_to_tag(
    request: Request, name: str, tag: str, to: str, db: DB, links: LinksDep
) -> Response:
    def present(result: MatrixResult, facts: MatrixRowFacts) -> dict[str, Any]:
        return _with_badge(request, matrix_repr.matrix(links, result, facts))

    return hal(request, svc.can_i_deploy_tag_to_tag(db, name, tag, to, present))


@router.get(BRANCH_TO_ENVIRONMENT)
def can_i_deploy_branch_to_environment(
    request: Request, name: str, branch: str, environment: str, db: DB, links: LinksDep
) -> Response:
    def present(result: MatrixResult, facts: MatrixRowFacts) -> dict[str, Any]:
        return _with_badge(request, matrix_repr.matrix(links, result, facts))

    body = svc.can_i_deploy_branch_to_environment(db, name, branch, environment, present)
    return hal(request, body)
