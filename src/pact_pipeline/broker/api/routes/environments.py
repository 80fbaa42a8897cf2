"""Environments, deployed versions and released versions."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from pact_pipeline.broker.api.contracts.environments import (
    currently_flag,
    deployment_target,
    environment_data,
)
from pact_pipeline.broker.api.contracts.paging import Paging
from pact_pipeline.broker.api.deps import DB, JsonObject, LinksDep, OptionalJsonObject
from pact_pipeline.broker.api.http import RawPathRoute, hal
from pact_pipeline.broker.api.representations import environment as environment_repr
from pact_pipeline.broker.api.representations import version_in_environment as placement_repr
from pact_pipeline.broker.api.representations.paging import with_page
from pact_pipeline.broker.services import environments as svc
from pact_pipeline.broker.services import versions_in_environments as placement_svc

router = APIRouter(route_class=RawPathRoute, tags=["environments"])


@router.get("/environments")
def list_environments(
    request: Request, db: DB, links: LinksDep, name: str | None = None
) -> Response:
    return hal(
        request,
        svc.list_environments(
            db, lambda items: environment_repr.environments(links, items), name=name
        ),
    )


@router.post("/environments")
def create_environment(request: Request, body: JsonObject, db: DB, links: LinksDep) -> Response:
    rendered = svc.create_environment(
        db, environment_data(body), lambda e: environment_repr.environment(links, e)
    )
    return hal(request, rendered, 201, {"Location": rendered["_links"]["self"]["href"]})


@router.get("/environments/{uuid}")
def get_environment(request: Request, uuid: str, db: DB, links: LinksDep) -> Response:
    return hal(
        request, svc.get_environment(db, uuid, lambda e: environment_repr.environment(links, e))
    )


@router.put("/environments/{uuid}")
def put_environment(
    request: Request, uuid: str, body: JsonObject, db: DB, links: LinksDep
) -> Response:
    return hal(
        request,
        svc.replace_environment(
            db, uuid, environment_data(body), lambda e: environment_repr.environment(links, e)
        ),
    )


@router.delete("/environments/{uuid}", status_code=204)
def delete_environment(uuid: str, db: DB) -> Response:
    svc.delete_environment(db, uuid)
    return Response(status_code=204)


@router.get("/environments/{uuid}/deployed-versions/currently-deployed")
def currently_deployed(
    request: Request,
    uuid: str,
    db: DB,
    links: LinksDep,
    page: Paging,
    pacticipant: str | None = None,
    applicationInstance: str | None = None,
    target: str | None = None,
) -> Response:
    query = request.query_params.multi_items()
    return hal(
        request,
        placement_svc.current_placements_page(
            db,
            placement_svc.DEPLOYED,
            uuid,
            lambda e, found: with_page(
                placement_repr.deployed_versions(
                    links,
                    str(request.url),
                    found.items,
                    f"Currently deployed versions for {e.name}",
                ),
                found.info,
                str(request.url),
                query,
            ),
            pacticipant_name=pacticipant,
            target=applicationInstance or target,
            page=page,
        ),
    )


@router.get("/environments/{uuid}/released-versions/currently-supported")
def currently_supported(
    request: Request,
    uuid: str,
    db: DB,
    links: LinksDep,
    page: Paging,
    pacticipant: str | None = None,
) -> Response:
    query = request.query_params.multi_items()
    return hal(
        request,
        placement_svc.current_placements_page(
            db,
            placement_svc.RELEASED,
            uuid,
            lambda e, found: with_page(
                placement_repr.released_versions(
                    links,
                    str(request.url),
                    found.items,
                    f"Currently supported released versions for {e.name}",
                ),
                found.info,
                str(request.url),
                query,
            ),
            pacticipant_name=pacticipant,
            page=page,
        ),
    )


@router.post("/pacticipants/{name}/versions/{number}/deployed-versions/environment/{uuid}")
def record_deployment(
    request: Request,
    name: str,
    number: str,
    uuid: str,
    body: OptionalJsonObject,
    db: DB,
    links: LinksDep,
) -> Response:
    target = deployment_target(body)
    rendered = placement_svc.record_deployment(
        db,
        pacticipant_name=name,
        version_number=number,
        environment_uuid=uuid,
        target=target,
        present=lambda dv: placement_repr.deployed_version(links, dv),
    )
    return hal(request, rendered, 201, {"Location": rendered["_links"]["self"]["href"]})


@router.get("/pacticipants/{name}/versions/{number}/deployed-versions/environment/{uuid}")
def deployed_versions_for_version(
    request: Request, name: str, number: str, uuid: str, db: DB, links: LinksDep
) -> Response:
    return hal(
        request,
        placement_svc.placements_of_version(
            db,
            placement_svc.DEPLOYED,
            pacticipant_name=name,
            version_number=number,
            environment_uuid=uuid,
            present=lambda items: placement_repr.deployed_versions(
                links, str(request.url), items, "Deployed versions"
            ),
        ),
    )


@router.post("/pacticipants/{name}/versions/{number}/released-versions/environment/{uuid}")
def record_release(
    request: Request,
    name: str,
    number: str,
    uuid: str,
    body: OptionalJsonObject,
    db: DB,
    links: LinksDep,
) -> Response:
    del body
    rendered = placement_svc.record_release(
        db,
        pacticipant_name=name,
        version_number=number,
        environment_uuid=uuid,
        present=lambda rv: placement_repr.released_version(links, rv),
    )
    return hal(request, rendered, 201, {"Location": rendered["_links"]["self"]["href"]})


@router.get("/pacticipants/{name}/versions/{number}/released-versions/environment/{uuid}")
def released_versions_for_version(
    request: Request, name: str, number: str, uuid: str, db: DB, links: LinksDep
) -> Response:
    return hal(
        request,
        placement_svc.placements_of_version(
            db,
            placement_svc.RELEASED,
            pacticipant_name=name,
            version_number=number,
            environment_uuid=uuid,
            present=lambda items: placement_repr.released_versions(
                links, str(request.url), items, "Released versions"
            ),
        ),
    )


@router.get("/deployed-versions/{uuid}")
def get_deployed_version(request: Request, uuid: str, db: DB, links: LinksDep) -> Response:
    return hal(
        request,
        placement_svc.get_placement(
            db, placement_svc.DEPLOYED, uuid, lambda dv: placement_repr.deployed_version(links, dv)
        ),
    )


@router.patch("/deployed-versions/{uuid}")
def patch_deployed_version(
    request: Request, uuid: str, body: JsonObject, db: DB, links: LinksDep
) -> Response:
    currently = currently_flag(body, "currentlyDeployed")
    return hal(
        request,
        placement_svc.update_deployed_version(
            db, uuid, currently, lambda dv: placement_repr.deployed_version(links, dv)
        ),
    )


@router.get("/released-versions/{uuid}")
def get_released_version(request: Request, uuid: str, db: DB, links: LinksDep) -> Response:
    return hal(
        request,
        placement_svc.get_placement(
            db, placement_svc.RELEASED, uuid, lambda rv: placement_repr.released_version(links, rv)
        ),
    )


@router.patch("/released-versions/{uuid}")
def patch_released_version(
    request: Request, uuid: str, body: JsonObject, db: DB, links: LinksDep
) -> Response:
    currently = currently_flag(body, "currentlySupported")
    return hal(
        request,
        placement_svc.update_released_version(
            db, uuid, currently, lambda rv: placement_repr.released_version(links, rv)
        ),
    )
