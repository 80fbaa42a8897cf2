"""Pacticipants, versions, branches, tags and labels."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from pact_pipeline.broker.api import decorators as d
from pact_pipeline.broker.api.deps import DB, JsonObject, LinksDep, OptionalJsonObject
from pact_pipeline.broker.api.http import RawPathRoute, hal
from pact_pipeline.broker.api.validation import (
    MAX_NAME_LENGTH,
    Checker,
    check_path_name,
    check_text,
)
from pact_pipeline.broker.services import pacticipants as svc

router = APIRouter(route_class=RawPathRoute, tags=["pacticipants"])

NO_CONTENT = Response(status_code=204)


def _attributes(body: dict[str, Any], *, partial: bool) -> dict[str, str | None]:
    checker = Checker(body)
    result: dict[str, str | None] = {}
    for key in svc.PACTICIPANT_FIELDS:
        if key in body:
            if key == "repositoryUrl":
                # The column holds 1024 characters (a longer value reached the database).
                result[key] = checker.string(key, max_length=1024, blank_ok=True)
            else:
                result[key] = checker.string(key, blank_ok=key != "mainBranch")
        elif not partial:
            result[key] = None
    checker.raise_if_any()
    return result


@router.get("/pacticipants")
def list_pacticipants(request: Request, db: DB, links: LinksDep) -> Response:
    return hal(request, svc.list_pacticipants(db, lambda s, items: d.pacticipants(s, links, items)))


@router.get("/pacticipants/label/{label}")
def pacticipants_with_label(request: Request, label: str, db: DB, links: LinksDep) -> Response:
    return hal(
        request,
        svc.list_pacticipants(db, lambda s, items: d.pacticipants(s, links, items), label=label),
    )


@router.post("/pacticipants", status_code=201)
def create_pacticipant(request: Request, body: JsonObject, db: DB, links: LinksDep) -> Response:
    checker = Checker(body)
    name = checker.string("name", required=True)
    checker.raise_if_any()
    assert name is not None
    body_out = svc.create_pacticipant(
        db, name, _attributes(body, partial=True), lambda s, p: d.pacticipant(s, links, p)
    )
    return hal(request, body_out, 201, {"Location": links.pacticipant(name)})


@router.get("/pacticipants/{name}")
def get_pacticipant(request: Request, name: str, db: DB, links: LinksDep) -> Response:
    return hal(request, svc.get_pacticipant(db, name, lambda s, p: d.pacticipant(s, links, p)))


@router.patch("/pacticipants/{name}")
def patch_pacticipant(
    request: Request, name: str, body: JsonObject, db: DB, links: LinksDep
) -> Response:
    check_path_name("name", name)
    created, rendered = svc.update_pacticipant(
        db,
        name,
        _attributes(body, partial=True),
        lambda s, p, c: (c, d.pacticipant(s, links, p)),
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
        _attributes(body, partial=False),
        lambda s, p, c: (c, d.pacticipant(s, links, p)),
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
        request, svc.get_label(db, name, label, lambda s, lab: d.label(links, lab.pacticipant, lab))
    )


@router.put("/pacticipants/{name}/labels/{label}")
def put_label(request: Request, name: str, label: str, db: DB, links: LinksDep) -> Response:
    check_path_name("label", label)
    created, rendered = svc.put_label(
        db, name, label, lambda s, lab, c: (c, d.label(links, lab.pacticipant, lab))
    )
    return hal(request, rendered, 201 if created else 200)


@router.delete("/pacticipants/{name}/labels/{label}", status_code=204)
def delete_label(name: str, label: str, db: DB) -> Response:
    svc.delete_label(db, name, label)
    return Response(status_code=204)


@router.get("/pacticipants/{name}/versions")
def list_versions(request: Request, name: str, db: DB, links: LinksDep) -> Response:
    return hal(
        request, svc.list_versions(db, name, lambda s, p, items: d.versions(s, links, p, items))
    )


@router.get("/pacticipants/{name}/latest-version")
def latest_version(request: Request, name: str, db: DB, links: LinksDep) -> Response:
    return hal(request, svc.get_latest_version(db, name, lambda s, v: d.version(s, links, v)))


@router.get("/pacticipants/{name}/latest-version/{tag}")
def latest_tagged_version(
    request: Request, name: str, tag: str, db: DB, links: LinksDep
) -> Response:
    return hal(
        request, svc.get_latest_version(db, name, lambda s, v: d.version(s, links, v), tag=tag)
    )


@router.get("/pacticipants/{name}/versions/{number}")
def get_version(request: Request, name: str, number: str, db: DB, links: LinksDep) -> Response:
    return hal(request, svc.get_version(db, name, number, lambda s, v: d.version(s, links, v)))


def _version_changes(body: dict[str, Any], *, replace: bool) -> svc.VersionChanges:
    checker = Checker(body)
    build_url = checker.url("buildUrl")
    branch = checker.string("branch")
    tags: list[str] = []
    raw_tags = body.get("tags")
    if isinstance(raw_tags, list):
        for index, item in enumerate(raw_tags):
            name = item.get("name") if isinstance(item, dict) else item
            if not isinstance(name, str) or not name.strip():
                checker.add("tags", f"must be a non-blank tag name (at index {index})")
            elif check_text(
                checker,
                "tags",
                name,
                blank_ok=False,
                single_line=True,
                max_length=MAX_NAME_LENGTH,
                suffix=f" (at index {index})",
            ):
                tags.append(name)
    elif "tags" in body and body["tags"] is not None:
        checker.add("tags", "must be an array")
    checker.raise_if_any()
    return svc.VersionChanges(build_url=build_url, branch=branch, tags=tuple(tags), replace=replace)


@router.put("/pacticipants/{name}/versions/{number}")
def put_version(
    request: Request, name: str, number: str, body: OptionalJsonObject, db: DB, links: LinksDep
) -> Response:
    check_path_name("pacticipant", name)
    check_path_name("version", number)
    created, rendered = svc.upsert_version(
        db,
        name,
        number,
        _version_changes(body, replace=True),
        lambda s, v, c: (c, d.version(s, links, v)),
    )
    return hal(request, rendered, 201 if created else 200)


@router.patch("/pacticipants/{name}/versions/{number}")
def patch_version(
    request: Request, name: str, number: str, body: OptionalJsonObject, db: DB, links: LinksDep
) -> Response:
    check_path_name("pacticipant", name)
    check_path_name("version", number)
    created, rendered = svc.upsert_version(
        db,
        name,
        number,
        _version_changes(body, replace=False),
        lambda s, v, c: (c, d.version(s, links, v)),
    )
    return hal(request, rendered, 201 if created else 200)


@router.delete("/pacticipants/{name}/versions/{number}", status_code=204)
def delete_version(name: str, number: str, db: DB) -> Response:
    svc.delete_version(db, name, number)
    return Response(status_code=204)


@router.get("/pacticipants/{name}/versions/{number}/tags/{tag}")
def get_tag(
    request: Request, name: str, number: str, tag: str, db: DB, links: LinksDep
) -> Response:
    return hal(request, svc.get_tag(db, name, number, tag, lambda s, t: d.tag(links, t)))


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
    created, rendered = svc.put_tag(
        db, name, number, tag, lambda s, t, c: (c, d.tag(links, t)), on_tagged=hooks.on_tagged
    )
    return hal(
        request,
        rendered,
        201 if created else 200,
        {"Location": links.tag(name, number, tag)} if created else None,
    )


@router.delete("/pacticipants/{name}/versions/{number}/tags/{tag}", status_code=204)
def delete_tag(name: str, number: str, tag: str, db: DB) -> Response:
    svc.delete_tag(db, name, number, tag)
    return Response(status_code=204)


@router.get("/pacticipants/{name}/branches")
def list_branches(request: Request, name: str, db: DB, links: LinksDep) -> Response:
    return hal(
        request, svc.list_branches(db, name, lambda s, p, items: d.branches(s, links, p, items))
    )


@router.get("/pacticipants/{name}/branches/{branch}")
def get_branch(request: Request, name: str, branch: str, db: DB, links: LinksDep) -> Response:
    return hal(request, svc.get_branch(db, name, branch, lambda s, b: d.branch(s, links, b)))


@router.delete("/pacticipants/{name}/branches/{branch}", status_code=204)
def delete_branch(name: str, branch: str, db: DB) -> Response:
    svc.delete_branch(db, name, branch)
    return Response(status_code=204)


@router.get("/pacticipants/{name}/branches/{branch}/latest-version")
def branch_latest_version(
    request: Request, name: str, branch: str, db: DB, links: LinksDep
) -> Response:
    return hal(
        request,
        svc.get_latest_version(db, name, lambda s, v: d.version(s, links, v), branch=branch),
    )


@router.get("/pacticipants/{name}/branches/{branch}/versions/{number}")
def get_branch_version(
    request: Request, name: str, branch: str, number: str, db: DB, links: LinksDep
) -> Response:
    return hal(
        request,
        svc.get_branch_version(
            db, name, branch, number, lambda s, bv: d.branch_version(s, links, bv)
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
    created, rendered = svc.put_branch_version(
        db, name, branch, number, lambda s, bv, c: (c, d.branch_version(s, links, bv))
    )
    return hal(request, rendered, 201 if created else 200)


@router.delete("/pacticipants/{name}/branches/{branch}/versions/{number}", status_code=204)
def delete_branch_version(name: str, branch: str, number: str, db: DB) -> Response:
    svc.delete_branch_version(db, name, branch, number)
    return Response(status_code=204)
