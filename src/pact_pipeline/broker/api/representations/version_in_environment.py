"""A version in an environment: deployed versions and released versions.

Both show the pacticipant, the version and the environment the same way; they differ only in
their state (deployed to an application instance until undeployed; released and supported
until support ends) and in their own URL.
"""

from __future__ import annotations

from collections.abc import Sequence

from pact_pipeline.broker.api.links import Links
from pact_pipeline.broker.api.representations.environment import environment_summary
from pact_pipeline.broker.api.representations.hal import JSONDict, compact, iso, link
from pact_pipeline.broker.models import DeployedVersion, ReleasedVersion, VersionInEnvironment


def deployed_version(links: Links, d: DeployedVersion) -> JSONDict:
    state = {
        "currentlyDeployed": d.undeployed_at is None,
        "target": d.target,
        "applicationInstance": d.target,
        "undeployedAt": iso(d.undeployed_at),
    }
    return _placement(
        links, d, state, link(links.deployed_version(d.uuid), title="Deployed version")
    )


def released_version(links: Links, r: ReleasedVersion) -> JSONDict:
    state = {
        "currentlySupported": r.support_ended_at is None,
        "supportEndedAt": iso(r.support_ended_at),
    }
    return _placement(
        links, r, state, link(links.released_version(r.uuid), title="Released version")
    )


def _placement(
    links: Links, placed: VersionInEnvironment, state: JSONDict, self_link: JSONDict
) -> JSONDict:
    v = placed.version
    p = v.pacticipant
    environment = placed.environment
    return compact(
        {
            "uuid": placed.uuid,
            **state,
            "createdAt": iso(placed.created_at),
            "_embedded": {
                "pacticipant": {
                    "name": p.name,
                    "_links": {"self": link(links.pacticipant(p.name))},
                },
                "version": {
                    "number": v.number,
                    "_links": {
                        "self": link(
                            links.version(p.name, v.number), title="Version", name=v.number
                        )
                    },
                },
                "environment": environment_summary(links, environment),
            },
            "_links": {
                "self": self_link,
                "pb:version": link(links.version(p.name, v.number), title="Version", name=v.number),
                "pb:environment": link(
                    links.environment(environment.uuid), title="Environment", name=environment.name
                ),
            },
        }
    )


def deployed_versions(
    links: Links, self_href: str, items: Sequence[DeployedVersion], title: str
) -> JSONDict:
    return {
        "_embedded": {"deployedVersions": [deployed_version(links, d) for d in items]},
        "_links": {"self": link(self_href, title=title)},
    }


def released_versions(
    links: Links, self_href: str, items: Sequence[ReleasedVersion], title: str
) -> JSONDict:
    return {
        "_embedded": {"releasedVersions": [released_version(links, r) for r in items]},
        "_links": {"self": link(self_href, title=title)},
    }
