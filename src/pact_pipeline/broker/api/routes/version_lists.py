"""A pacticipant's versions by branch, by tag and by environment, and the label names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response

from pact_pipeline.broker.api.deps import DB, LinksDep
from pact_pipeline.broker.api.http import RawPathRoute, hal
from pact_pipeline.broker.api.links import Links
from pact_pipeline.broker.api.representations import pact_lists as lists_repr
from pact_pipeline.broker.models import Pacticipant, Verification, Version
from pact_pipeline.broker.services import browse as svc
from pact_pipeline.broker.services.versions import VersionFacts

router = APIRouter(route_class=RawPathRoute, tags=["pacticipants"])


def _presenter(
    links: Links, request: Request, title: str
) -> Callable[[Pacticipant, list[Version], VersionFacts], dict[str, Any]]:
    def present(p: Pacticipant, items: list[Version], facts: VersionFacts) -> dict[str, Any]:
        return lists_repr.version_list(links, p, items, facts, str(request.url), title)

    return present


@router.get("/pacticipants/{name}/branches/{branch}/versions")
def branch_versions(request: Request, name: str, branch: str, db: DB, links: LinksDep) -> Response:
    present = _presenter(links, request, f"Versions of {name} on branch {branch}")
    return hal(request, svc.versions_on_branch(db, name, branch, present))


@router.get("/pacticipants/{name}/tags/{tag}/versions")
def tag_versions(request: Request, name: str, tag: str, db: DB, links: LinksDep) -> Response:
    present = _presenter(links, request, f"Versions of {name} with tag {tag}")
    return hal(request, svc.versions_with_tag(db, name, tag, present))


@router.get("/pacticipants/{name}/environments/{uuid}/versions")
def environment_versions(
    request: Request, name: str, uuid: str, db: DB, links: LinksDep
) -> Response:
    present = _presenter(links, request, f"Versions of {name} in the environment")
    return hal(request, svc.versions_in_environment(db, name, uuid, present))


@router.get("/labels")
def labels(request: Request, db: DB, links: LinksDep) -> Response:
    return hal(request, lists_repr.labels(links, svc.label_names(db)))


@router.get("/verification-results/consumer/{consumer}/version/{number}/latest")
def latest_verifications_for_consumer_version(
    request: Request, consumer: str, number: str, db: DB, links: LinksDep
) -> Response:
    def present(items: list[Verification]) -> dict[str, Any]:
        return lists_repr.verification_summary(links, items, str(request.url), consumer, number)

    return hal(request, svc.verification_summary(db, consumer, number, present))
