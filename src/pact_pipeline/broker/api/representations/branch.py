"""Branches and branch versions (a version's place on a branch)."""

from __future__ import annotations

from collections.abc import Sequence

from pact_pipeline.broker.api.links import Links
from pact_pipeline.broker.api.representations.hal import JSONDict, iso, link
from pact_pipeline.broker.models import BranchVersion, Pacticipant
from pact_pipeline.broker.services.versions import BranchVersionView, BranchView


def branch_version(links: Links, bv: BranchVersion, *, latest: bool) -> JSONDict:
    """A version's place on a branch; ``latest`` when the version is the branch's head."""
    version = bv.version
    p = version.pacticipant
    branch = bv.branch
    return {
        "name": branch.name,
        "latest": latest,
        "createdAt": iso(bv.created_at),
        "_links": {
            "self": link(
                links.branch_version(p.name, branch.name, version.number),
                title="Branch version",
                name=branch.name,
            ),
            "pb:branch": link(links.branch(p.name, branch.name), title="Branch", name=branch.name),
            "pb:version": link(
                links.version(p.name, version.number), title="Version", name=version.number
            ),
        },
    }


def branch_version_resource(links: Links, view: BranchVersionView) -> JSONDict:
    return branch_version(links, view.branch_version, latest=view.latest)


def branch(links: Links, view: BranchView) -> JSONDict:
    b = view.branch
    p = b.pacticipant
    head = view.head
    body: JSONDict = {"name": b.name, "createdAt": iso(b.created_at)}
    links_: JSONDict = {
        "self": link(links.branch(p.name, b.name), title="Branch", name=b.name),
        "pb:pacticipant": link(links.pacticipant(p.name), title="Pacticipant", name=p.name),
        "pb:latest-version": link(
            links.branch(p.name, b.name) + "/latest-version", title="Latest version for branch"
        ),
    }
    if head is not None:
        body["_embedded"] = {
            "latestVersion": {
                "number": head.number,
                "_links": {"self": link(links.version(p.name, head.number))},
            }
        }
    body["_links"] = links_
    return body


def branches(links: Links, p: Pacticipant, views: Sequence[BranchView]) -> JSONDict:
    return {
        "_embedded": {"branches": [branch(links, view) for view in views]},
        "_links": {"self": link(links.branches(p.name))},
    }
