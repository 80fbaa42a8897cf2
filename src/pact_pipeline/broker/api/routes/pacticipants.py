"""Pacticipants, versions, branches, tags and labels."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request, Response

from pact_pipeline.broker.api.contracts.checks import (
    check_path_name,
)
from pact_pipeline.broker.api.contracts.pacticipants import (
    new_pacticipant_name,
    pacticipant_attributes,
    version_changes,
)
from pact_pipeline.broker.api.contracts.paging import NameFilter, Paging
from pact_pipeline.broker.api.deps import DB, JsonObject, LinksDep, OptionalJsonObject
from pact_pipeline.broker.api.http import RawPathRoute, hal
from pact_pipeline.broker.api.links import Links, segment
from pact_pipeline.broker.api.representations import branch as branch_repr
from pact_pipeline.broker.api.representations import pacticipant as pacticipant_repr
from pact_pipeline.broker.api.representations import tag as tag_repr
from pact_pipeline.broker.api.representations import version as version_repr
from pact_pipeline.broker.api.representations.paging import with_page
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.paging import PageRequest
from pact_pipeline.broker.services import pacticipants as svc
from pact_pipeline.broker.services import versions as version_svc

router = APIRouter(route_class=RawPathRoute, tags=["pacticipants"])

NO_CONTENT = Response(status_code=204)


@router.get("/pacticipants")
def list_pacticipants(
    request: Request, db: DB, links: LinksDep, page: Paging, q: NameFilter
) -> Response:
    """Pacticipants by name; ``q`` keeps those whose name contains it; paged on request."""
    return _pacticipants(request, db, links, links.pacticipants(), page, name_filter=q)


@router.get("/pacticipants/label/{label}")
def pacticipants_with_label(
    request: Request, label: str, db: DB, links: LinksDep, page: Paging
) -> Response:
    url = links.pacticipants() + "/label/" + segment(label)
    return _pacticipants(request, db, links, url, page, label=label)


def _pacticipants(
    request: Request,
    db: Database,
    links: Links,
    url: str,
    page: PageRequest | None,
    *,
    label: str | None = None,
    name_filter: str | None = None,
) -> Response:
    query = request.query_params.multi_items()
    return hal(
        request,
        svc.list_pacticipants(
            db,
            lambda found: with_page(
                pacticipant_repr.pacticipants(links, found.items), found.info, url, query
            ),
            label=label,
            name_filter=name_filter,
            page=page,
        ),
    )


@router.post("/pacticipants", status_code=201)
def create_pacticipant(request: Request, body: JsonObject, db: DB, links: LinksDep) -> Response:
    name = new_pacticipant_name(body)
    body_out = svc.create_pacticipant(
        db,
        name,
        pacticipant_attributes(body, partial=True),
        lambda view: pacticipant_repr.pacticipant(links, view),
    )
    return hal(request, body_out, 201, {"Location": links.pacticipant(name)})


@router.get("/pacticipants/{name}")
def get_pacticipant(request: Request, name: str, db: DB, links: LinksDep) -> Response:
    return hal(
        request,
        svc.get_pacticipant(db, name, lambda view: pacticipant_repr.pacticipant(links, view)),
    )


@router.patch("/pacticipants/{name}")
def patch_pacticipant(
    request: Request, name: str, body: JsonObject, db: DB, links: LinksDep
) -> Response:
    check_path_name("name", name)
    created, rendered = svc.update_pacticipant(
        db,
        name,
        pacticipant_attributes(body, partial=True),
        lambda view, c: (c, pacticipant_repr.pacticipant(links, view)),
        create_if_missing=True,
    )
    return hal(request, rendered, 201 if created else 200)


@router.put("/pacticipants/{name}")
def put_pacticipant(
    request: Request, name: str, body: JsonObject, db: DB, links: LinksDep
) -> Response:
    _, rendered = svc.update_pacticipant(
        db,
        name,
        pacticipant_attributes(body, partial=False),
        lambda view, c: (c, pacticipant_repr.pacticipant(links, view)),
        create_if_missing=False,
        replace=True,
    )
    return hal(request, rendered)


@router.delete("/pacticipants/{name}", status_code=204)
def delete_pacticipant(name: str, db: DB) -> Response:
    svc.delete_pacticipant(db, name)
    return Response(status_code=204)


@router.get("/pacticipants/{name}/labels/{label}")
def get_label(request: Request, name: str, label: str, db: DB, links: LinksDep) -> Response:
    return hal(
        request,
        svc.get_label(db, name, label, lambda lab: tag_repr.label(links, lab.pacticipant, lab)),
    )


@router.put("/pacticipants/{name}/labels/{label}")
def put_label(request: Request, name: str, label: str, db: DB, links: LinksDep) -> Response:
    check_path_name("label", label)
    created, rendered = svc.put_label(
        db, name, label, lambda lab, c: (c, tag_repr.label(links, lab.pacticipant, lab))
    )
    return hal(request, rendered, 201 if created else 200)


@router.delete("/pacticipants/{name}/labels/{label}", status_code=204)
def delete_label(name: str, label: str, db: DB) -> Response:
    svc.delete_label(db, name, label)
    return Response(status_code=204)


@router.get("/pacticipants/{name}/versions")
def list_versions(request: Request, name: str, db: DB, links: LinksDep, page: Paging) -> Response:
    """The pacticipant's versions, newest first; paged on request."""
    query = request.query_params.multi_items()
    return hal(
        request,
        version_svc.list_versions(
            db,
            name,
            lambda p, found, facts: with_page(
                version_repr.versions(links, p, found.items, facts),
                found.info,
                links.versions(p.name),
                query,
            ),
            page=page,
        ),
    )


@router.get("/pacticipants/{name}/latest-version")
def latest_version(request: Request, name: str, db: DB, links: LinksDep) -> Response:
    return _latest_version(request, db, links, name)


@router.get("/pacticipants/{name}/latest-version/{tag}")
def latest_tagged_version(
    request: Request, name: str, tag: str, db: DB, links: LinksDep
) -> Response:
    return _latest_version(request, db, links, name, tag=tag)


@router.get("/pacticipants/{name}/versions/{number}")
def get_version(request: Request, name: str, number: str, db: DB, links: LinksDep) -> Response:
    return hal(
        request,
        version_svc.get_version(
            db, name, number, lambda view: version_repr.version_resource(links, view)
        ),
    )


@router.put("/pacticipants/{name}/versions/{number}")
def put_version(
    request: Request, name: str, number: str, body: OptionalJsonObject, db: DB, links: LinksDep
) -> Response:
    check_path_name("pacticipant", name)
    check_path_name("version", number)
    created, rendered = version_svc.upsert_version(
        db,
        name,
        number,
        version_changes(body, replace=True),
        lambda view, c: (c, version_repr.version_resource(links, view)),
    )
    return hal(request, rendered, 201 if created else 200)


@router.patch("/pacticipants/{name}/versions/{number}")
def patch_version(
    request: Request, name: str, number: str, body: OptionalJsonObject, db: DB, links: LinksDep
) -> Response:
    check_path_name("pacticipant", name)
    check_path_name("version", number)
    created, rendered = version_svc.upsert_version(
        db,
        name,
        number,
        version_changes(body, replace=False),
        lambda view, c: (c, version_repr.version_resource(links, view)),
    )
    return hal(request, rendered, 201 if created else 200)


@router.delete("/pacticipants/{name}/versions/{number}", status_code=204)
def delete_version(name: str, number: str, db: DB) -> Response:
    version_svc.delete_version(db, name, number)
    return Response(status_code=204)


@router.get("/pacticipants/{name}/versions/{number}/tags/{tag}")
def get_tag(
    request: Request, name: str, number: str, tag: str, db: DB, links: LinksDep
) -> Response:
    return hal(
        request, version_svc.get_tag(db, name, number, tag, lambda t: tag_repr.tag(links, t))
    )


@router.put("/pacticipants/{name}/versions/{number}/tags/{tag}")
def put_tag(
    request: Request,
    name: str,
    number: str,
    tag: str,
    _body: OptionalJsonObject,
    db: DB,
    links: LinksDep,
) -> Response:
    for field, value in (("pacticipant", name), ("version", number), ("tag", tag)):
        check_path_name(field, value)
    hooks = request.app.state.hooks
    created, rendered = version_svc.put_tag(
        db, name, number, tag, lambda t, c: (c, tag_repr.tag(links, t)), on_tagged=hooks.on_tagged
    )
    return hal(
        request,
        rendered,
        201 if created else 200,
        {"Location": links.tag(name, number, tag)} if created else None,
    )


@router.delete("/pacticipants/{name}/versions/{number}/tags/{tag}", status_code=204)
def delete_tag(name: str, number: str, tag: str, db: DB) -> Response:
    version_svc.delete_tag(db, name, number, tag)
    return Response(status_code=204)


@router.get("/pacticipants/{name}/branches")
def list_branches(request: Request, name: str, db: DB, links: LinksDep) -> Response:
    return hal(
        request,
        version_svc.list_branches(db, name, lambda p, views: branch_repr.branches(links, p, views)),
    )


@router.get("/pacticipants/{name}/branches/{branch}")
def get_branch(request: Request, name: str, branch: str, db: DB, links: LinksDep) -> Response:
    return hal(
        request,
        version_svc.get_branch(db, name, branch, lambda view: branch_repr.branch(links, view)),
    )


@router.delete("/pacticipants/{name}/branches/{branch}", status_code=204)
def delete_branch(name: str, branch: str, db: DB) -> Response:
    version_svc.delete_branch(db, name, branch)
    return Response(status_code=204)


@router.get("/pacticipants/{name}/branches/{branch}/latest-version")
def branch_latest_version(
    request: Request, name: str, branch: str, db: DB, links: LinksDep
) -> Response:
    return _latest_version(request, db, links, name, branch=branch)


@router.get("/pacticipants/{name}/branches/{branch}/versions/{number}")
def get_branch_version(
    request: Request, name: str, branch: str, number: str, db: DB, links: LinksDep
) -> Response:
    return hal(
        request,
        version_svc.get_branch_version(
            db, name, branch, number, lambda view: branch_repr.branch_version_resource(links, view)
        ),
    )


@router.put("/pacticipants/{name}/branches/{branch}/versions/{number}")
def put_branch_version(
    request: Request,
    name: str,
    branch: str,
    number: str,
    body: OptionalJsonObject,
    db: DB,
    links: LinksDep,
) -> Response:
    for field, value in (("pacticipant", name), ("branch", branch), ("version", number)):
        check_path_name(field, value)
    del body  # the CLI sends {"name": branch}; the path is authoritative
    created, rendered = version_svc.put_branch_version(
        db,
        name,
        branch,
        number,
        lambda view, c: (c, branch_repr.branch_version_resource(links, view)),
    )
    return hal(request, rendered, 201 if created else 200)


@router.delete("/pacticipants/{name}/branches/{branch}/versions/{number}", status_code=204)
def delete_branch_version(name: str, branch: str, number: str, db: DB) -> Response:
    version_svc.delete_branch_version(db, name, branch, number)
    return Response(status_code=204)


def _latest_version(
    request: Request,
    db: Database,
    links: Links,
    name: str,
    *,
    tag: str | None = None,
    branch: str | None = None,
) -> Response:
    """The pacticipant's newest version: of all, with a tag, or on a branch."""
    present = partial(version_repr.version_resource, links)
    return hal(request, version_svc.get_latest_version(db, name, present, tag=tag, branch=branch))
