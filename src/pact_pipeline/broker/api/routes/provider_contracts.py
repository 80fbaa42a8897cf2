"""Provider contracts (bi-directional contract testing), as PactFlow serves them: publishing a
provider version's OpenAPI document with its self-verification, reading it back, and the
cross-contract verification results of a consumer version's pact against it."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from pact_pipeline.broker.api.contracts.provider_contracts import publish_command, put_command
from pact_pipeline.broker.api.deps import DB, JsonObject, LinksDep
from pact_pipeline.broker.api.http import RawPathRoute, hal
from pact_pipeline.broker.api.representations import provider_contract as contract_repr
from pact_pipeline.broker.services import provider_contracts as svc

router = APIRouter(route_class=RawPathRoute, tags=["provider contracts"])


@router.post("/provider-contracts/provider/{provider}/publish")
def publish(request: Request, provider: str, body: JsonObject, db: DB, links: LinksDep) -> Response:
    """Publish a provider version's contract, with its branch, tags and build URL (200, with
    notices, as PactFlow answers)."""
    command = publish_command(provider, body)
    rendered = svc.publish_provider_contract(
        db, command, lambda outcome: contract_repr.published(links, outcome)
    )
    return hal(request, rendered)


@router.put("/contracts/provider/{provider}/version/{version}")
def put_contract(
    request: Request, provider: str, version: str, body: JsonObject, db: DB, links: LinksDep
) -> Response:
    """The older way to publish a provider contract (the Ruby client's fallback): 201."""
    command = put_command(provider, version, body)
    rendered = svc.publish_provider_contract(
        db, command, lambda outcome: contract_repr.put_result(links, outcome)
    )
    return hal(request, rendered, 201)


def _contract(request: Request, provider: str, version: str, db: DB, links: LinksDep) -> Response:
    return hal(
        request,
        svc.get_provider_contract(
            db, provider, version, lambda view: contract_repr.provider_contract(links, view)
        ),
    )


@router.get("/contracts/provider/{provider}/version/{version}")
def get_contract(
    request: Request, provider: str, version: str, db: DB, links: LinksDep
) -> Response:
    return _contract(request, provider, version, db, links)


@router.get("/contracts/bi-directional/provider/{provider}/version/{version}/provider-contract")
def get_bidirectional_contract(
    request: Request, provider: str, version: str, db: DB, links: LinksDep
) -> Response:
    return _contract(request, provider, version, db, links)


@router.get(
    "/contracts/bi-directional/provider/{provider}/version/{provider_version}"
    "/consumer/{consumer}/version/{consumer_version}/cross-contract-verification-results"
)
def cross_contract_results(
    request: Request,
    provider: str,
    provider_version: str,
    consumer: str,
    consumer_version: str,
    db: DB,
    links: LinksDep,
) -> Response:
    return hal(
        request,
        svc.cross_contract_results(
            db,
            provider_name=provider,
            provider_version=provider_version,
            consumer_name=consumer,
            consumer_version=consumer_version,
            present=lambda view: contract_repr.cross_contract_results(links, view),
        ),
    )
