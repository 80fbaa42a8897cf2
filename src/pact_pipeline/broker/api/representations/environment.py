"""Environments."""

from __future__ import annotations

from collections.abc import Sequence

from pact_pipeline.broker.api.links import Links
from pact_pipeline.broker.api.representations.hal import JSONDict, compact, display_name, iso, link
from pact_pipeline.broker.models import Environment


def environment_summary(links: Links, e: Environment) -> JSONDict:
    return compact(
        {
            "uuid": e.uuid,
            "name": e.name,
            "displayName": e.display_name or display_name(e.name),
            "production": e.production,
            "createdAt": iso(e.created_at),
            "_links": {"self": link(links.environment(e.uuid), title="Environment", name=e.name)},
        }
    )


def environment(links: Links, e: Environment) -> JSONDict:
    return compact(
        {
            "uuid": e.uuid,
            "name": e.name,
            "displayName": e.display_name or display_name(e.name),
            "production": e.production,
            "contacts": e.contacts,
            "createdAt": iso(e.created_at),
            "updatedAt": iso(e.updated_at),
            "_links": {
                "self": link(links.environment(e.uuid), title="Environment", name=e.name),
                "pb:currently-deployed-deployed-versions": link(
                    links.environment(e.uuid) + "/deployed-versions/currently-deployed",
                    title="Versions currently deployed to this environment",
                ),
                "pb:currently-supported-released-versions": link(
                    links.environment(e.uuid) + "/released-versions/currently-supported",
                    title="Versions released and supported in this environment",
                ),
                "pb:environments": link(links.environments(), title="Environments"),
            },
        }
    )


def environments(links: Links, items: Sequence[Environment]) -> JSONDict:
    return {
        "_embedded": {"environments": [environment(links, e) for e in items]},
        "_links": {
            "self": link(links.environments(), title="Environments"),
            "pb:environments": [
                link(links.environment(e.uuid), title="Environment", name=e.name) for e in items
            ],
        },
    }
