"""Environments, deployed versions and released versions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from pact_pipeline.broker.api import decorators as d
from pact_pipeline.broker.api.deps import DB, JsonObject, LinksDep, OptionalJsonObject
from pact_pipeline.broker.api.http import RawPathRoute, hal
from pact_pipeline.broker.api.validation import Checker
from pact_pipeline.broker.services import environments as svc

router = APIRouter(route_class=RawPathRoute, tags=["environments"])


def _environment_data(body: dict[str, Any]) -> svc.EnvironmentData:
    checker = Checker(body)
    name = checker.string("name", required=True, no_spaces=True)
    display_name = checker.string("displayName", blank_ok=True)
    production = checker.boolean("production", required=True)
    contacts = body.get("contacts")
    if contacts is not None:
        if not isinstance(contacts, list):
            checker.add("contacts", "must be an array")
        else:
            for index, contact in enumerate(contacts):
                if (
                    not isinstance(contact, dict)
                    or not isinstance(contact.get("name"), str)
                    or not contact["name"].strip()
                ):
                    checker.add("contacts", f"name is missing (at index {index})")
                elif contact.get("details") is not None and not isinstance(
                    contact["details"], dict
                ):
                    checker.add("contacts", f"details must be an object (at index {index})")
    checker.raise_if_any()
    assert name is not None and production is not None
    return svc.EnvironmentData(
        name=name, production=production, display_name=display_name or None, contacts=contacts
    )


@router.get("/environments")
def list_environments(
    request: Request, db: DB, links: LinksDep, name: str | None = None
) -> Response:
    return hal(
        request, svc.list_environments(db, lambda s, items: d.environments(links, items), name=name)
    )


@router.post("/environments")
def create_environment(request: Request, body: JsonObject, db: DB, links: LinksDep) -> Response:
    rendered = svc.create_environment(
        db, _environment_data(body), lambda s, e: d.environment(links, e)
    )
    return hal(request, rendered, 201, {"Location": rendered["_links"]["self"]["href"]})


@router.get("/environments/{uuid}")
def get_environment(request: Request, uuid: str, db: DB, links: LinksDep) -> Response:
    return hal(request, svc.get_environment(db, uuid, lambda s, e: d.environment(links, e)))


@router.put("/environments/{uuid}")
def put_environment(
    request: Request, uuid: str, body: JsonObject, db: DB, links: LinksDep
) -> Response:
    return hal(
        request,
        svc.replace_environment(
            db, uuid, _environment_data(body), lambda s, e: d.environment(links, e)
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
    pacticipant: str | None = None,
    applicationInstance: str | None = None,
    target: str | None = None,
) -> Response:
    return hal(
        request,
        svc.currently_deployed(
            db,
            uuid,
            lambda s, e, items: d.deployed_versions(
                links, str(request.url), items, f"Currently deployed versions for {e.name}"
            ),
            pacticipant_name=pacticipant,
            target=applicationInstance or target,
        ),
    )


@router.get("/environments/{uuid}/released-versions/currently-supported")
def currently_supported(
    request: Request, uuid: str, db: DB, links: LinksDep, pacticipant: str | None = None
) -> Response:
    return hal(
        request,
        svc.currently_supported(
            db,
            uuid,
            lambda s, e, items: d.released_versions(
                links,
                str(request.url),
                items,
                f"Currently supported released versions for {e.name}",
            ),
            pacticipant_name=pacticipant,
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
    checker = Checker(body)
    instance = checker.string("applicationInstance", blank_ok=True)
    target = checker.string("target", blank_ok=True)
    checker.raise_if_any()
    rendered = svc.record_deployment(
        db,
        pacticipant_name=name,
        version_number=number,
        environment_uuid=uuid,
        target=(instance or target or None),
        present=lambda s, dv: d.deployed_version(links, dv),
    )
    return hal(request, rendered, 201, {"Location": rendered["_links"]["self"]["href"]})


@router.get("/pacticipants/{name}/versions/{number}/deployed-versions/environment/{uuid}")
def deployed_versions_for_version(
    request: Request, name: str, number: str, uuid: str, db: DB, links: LinksDep
) -> Response:
    return hal(
        request,
        svc.deployed_versions_for_version(
            db,
            pacticipant_name=name,
            version_number=number,
            environment_uuid=uuid,
            present=lambda s, items: d.deployed_versions(
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
    rendered = svc.record_release(
        db,
        pacticipant_name=name,
        version_number=number,
        environment_uuid=uuid,
        present=lambda s, rv: d.released_version(links, rv),
    )
    return hal(request, rendered, 201, {"Location": rendered["_links"]["self"]["href"]})


@router.get("/pacticipants/{name}/versions/{number}/released-versions/environment/{uuid}")
def released_versions_for_version(
    request: Request, name: str, number: str, uuid: str, db: DB, links: LinksDep
) -> Response:
    return hal(
        request,
        svc.released_versions_for_version(
            db,
            pacticipant_name=name,
            version_number=number,
            environment_uuid=uuid,
            present=lambda s, items: d.released_versions(
                links, str(request.url), items, "Released versions"
            ),
        ),
    )


@router.get("/deployed-versions/{uuid}")
def get_deployed_version(request: Request, uuid: str, db: DB, links: LinksDep) -> Response:
    return hal(
        request, svc.get_deployed_version(db, uuid, lambda s, dv: d.deployed_version(links, dv))
    )


@router.patch("/deployed-versions/{uuid}")
def patch_deployed_version(
    request: Request, uuid: str, body: JsonObject, db: DB, links: LinksDep
) -> Response:
    checker = Checker(body)
    currently = checker.boolean("currentlyDeployed")
    checker.raise_if_any()
    return hal(
        request,
        svc.update_deployed_version(
            db, uuid, currently, lambda s, dv: d.deployed_version(links, dv)
        ),
    )


@router.get("/released-versions/{uuid}")
def get_released_version(request: Request, uuid: str, db: DB, links: LinksDep) -> Response:
    return hal(
        request, svc.get_released_version(db, uuid, lambda s, rv: d.released_version(links, rv))
    )


@router.patch("/released-versions/{uuid}")
def patch_released_version(
    request: Request, uuid: str, body: JsonObject, db: DB, links: LinksDep
) -> Response:
    checker = Checker(body)
    currently = checker.boolean("currentlySupported")
    checker.raise_if_any()
    return hal(
        request,
        svc.update_released_version(
            db, uuid, currently, lambda s, rv: d.released_version(links, rv)
        ),
    )
