"""Pacticipants."""

from __future__ import annotations

from collections.abc import Sequence

from pact_pipeline.broker.api.links import Links
from pact_pipeline.broker.api.representations.hal import (
    JSONDict,
    compact,
    display_name,
    iso,
    link,
)
from pact_pipeline.broker.api.representations.tag import label
from pact_pipeline.broker.models import Pacticipant
from pact_pipeline.broker.services.pacticipants import PacticipantView


def pacticipant(links: Links, view: PacticipantView) -> JSONDict:
    p = view.pacticipant
    latest = view.latest_version
    name = p.name
    body = compact(
        {
            "name": name,
            "displayName": p.display_name or display_name(name),
            "repositoryUrl": p.repository_url,
            "repositoryName": p.repository_name,
            "repositoryNamespace": p.repository_namespace,
            "mainBranch": p.main_branch,
            "createdAt": iso(p.created_at),
            "updatedAt": iso(p.updated_at),
        }
    )
    embedded: JSONDict = {"labels": [label(links, p, lab) for lab in p.labels]}
    if latest is not None:
        embedded["latestVersion"] = {
            "number": latest.number,
            "_links": {
                "self": link(
                    links.version(name, latest.number), title="Version", name=latest.number
                )
            },
        }
        # The relation's original name, still read by older clients.
        embedded["latest-version"] = embedded["latestVersion"]
    body["_embedded"] = embedded
    body["_links"] = _relations(links, p)
    return body


def _relations(links: Links, p: Pacticipant) -> JSONDict:
    name = p.name
    return {
        "self": link(links.pacticipant(name), title="Pacticipant", name=name),
        "pb:versions": link(links.versions(name)),
        "pb:branches": link(links.branches(name)),
        "pb:version": link(
            links.pacticipant(name) + "/versions/{version}",
            title="Get, create or delete a pacticipant version",
            templated=True,
        ),
        "pb:version-tag": link(
            links.pacticipant(name) + "/versions/{version}/tags/{tag}",
            title="Get, create or delete a tag for a version",
            templated=True,
        ),
        "pb:branch-version": link(
            links.pacticipant(name) + "/branches/{branch}/versions/{version}",
            title="Get or add/create a version for a branch",
            templated=True,
        ),
        "pb:latest-version": link(
            links.latest_version(name), title="Latest version for this pacticipant"
        ),
        "pb:label": link(
            links.pacticipant(name) + "/labels/{label}",
            title="Get, create or delete a label for this pacticipant",
            templated=True,
        ),
        "pb:can-i-deploy-badge": link(
            links.pacticipant(name)
            + "/latest-version/{tag}/can-i-deploy/to/{environmentTag}/badge",
            title=f"Can I Deploy {name} badge",
            templated=True,
        ),
        "pb:can-i-deploy-branch-to-environment-badge": link(
            links.pacticipant(name)
            + "/branches/{branch}/latest-version/can-i-deploy/to-environment/{environment}/badge",
            title=f"Can I Deploy {name} from branch to environment badge",
            templated=True,
        ),
        "versions": link(links.versions(name)),
        "curies": [
            {
                "name": "pb",
                "href": links.template("/doc/{rel}?context=pacticipant"),
                "templated": True,
            }
        ],
    }


def pacticipants(links: Links, views: Sequence[PacticipantView]) -> JSONDict:
    rendered = [pacticipant(links, view) for view in views]
    items = [view.pacticipant for view in views]
    return {
        "_embedded": {"pacticipants": rendered},
        "pacticipants": rendered,
        "_links": {
            "self": link(links.pacticipants()),
            "pb:pacticipants": [
                link(links.pacticipant(p.name), title="Pacticipant", name=p.name) for p in items
            ],
            "pacticipants": [link(links.pacticipant(p.name), title=p.name) for p in items],
            "pb:pacticipants-with-label": link(
                links.pacticipants() + "/label/{label}", templated=True
            ),
        },
    }
