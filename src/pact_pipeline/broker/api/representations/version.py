"""Pacticipant versions."""

from __future__ import annotations

from collections.abc import Sequence

from pact_pipeline.broker.api.links import Links, segment
from pact_pipeline.broker.api.representations.branch import branch_version
from pact_pipeline.broker.api.representations.environment import environment_summary
from pact_pipeline.broker.api.representations.hal import JSONDict, compact, iso, link
from pact_pipeline.broker.api.representations.tag import tag
from pact_pipeline.broker.models import Pacticipant, Version
from pact_pipeline.broker.services.versions import VersionFacts, VersionView


def version(links: Links, v: Version, facts: VersionFacts) -> JSONDict:
    body = compact(
        {
            "number": v.number,
            "buildUrl": v.build_url,
            "createdAt": iso(v.created_at),
            "updatedAt": iso(v.updated_at),
        }
    )
    body["_embedded"] = _embedded(links, v, facts)
    body["_links"] = _relations(links, v, facts)
    return body


def version_resource(links: Links, view: VersionView) -> JSONDict:
    return version(links, view.version, view.facts)


def _embedded(links: Links, v: Version, facts: VersionFacts) -> JSONDict:
    p = v.pacticipant
    branch_versions = [
        branch_version(links, bv, latest=facts.heads.get(bv.branch.id) == bv.version.id)
        for bv in v.branch_versions
    ]
    return {
        "pacticipant": {"name": p.name, "_links": {"self": link(links.pacticipant(p.name))}},
        "tags": [tag(links, t) for t in v.tags],
        "branchVersions": branch_versions,
        "branches": branch_versions,
        "deployedEnvironments": [
            environment_summary(links, e) for e in facts.deployed.get(v.id, [])
        ],
        "releasedEnvironments": [
            environment_summary(links, e) for e in facts.released.get(v.id, [])
        ],
    }


def _relations(links: Links, v: Version, facts: VersionFacts) -> JSONDict:
    p = v.pacticipant
    return {
        "self": link(links.version(p.name, v.number), title="Version", name=v.number),
        "pb:pacticipant": link(links.pacticipant(p.name), title="Pacticipant", name=p.name),
        "pb:tag": link(
            links.version(p.name, v.number) + "/tags/{tag}",
            title="Get, create or delete a tag for this pacticipant version",
            templated=True,
        ),
        "pb:latest-verification-results-where-pacticipant-is-consumer": link(
            links.url(
                "verification-results",
                "consumer",
                segment(p.name),
                "version",
                segment(v.number),
                "latest",
            ),
            title="Latest verification results for consumer version",
        ),
        "pb:pact-versions": [
            link(
                links.pact(pub.provider.name, p.name, v.number),
                title="Pact",
                name=f"Pact between {p.name} ({v.number}) and {pub.provider.name}",
            )
            for pub in facts.publications.get(v.id, [])
        ],
        "pb:deployed-environments": [
            link(links.environment(e.uuid), title="Environment", name=e.name)
            for e in facts.deployed.get(v.id, [])
        ],
        "pb:released-environments": [
            link(links.environment(e.uuid), title="Environment", name=e.name)
            for e in facts.released.get(v.id, [])
        ],
        **_recording_relations(links, v, facts),
        "curies": [
            {"name": "pb", "href": links.template("/doc/{rel}?context=version"), "templated": True}
        ],
    }


def _recording_relations(links: Links, v: Version, facts: VersionFacts) -> JSONDict:
    """Where to record a deployment or a release of the version, one link per environment."""
    p = v.pacticipant
    return {
        "pb:record-deployment": [
            link(
                links.record_deployment(p.name, v.number, e.uuid),
                title=f"Record deployment to {e.display_name or e.name}",
                name=e.name,
            )
            for e in facts.environments
        ],
        "pb:record-release": [
            link(
                links.record_release(p.name, v.number, e.uuid),
                title=f"Record release to {e.display_name or e.name}",
                name=e.name,
            )
            for e in facts.environments
        ],
    }


def versions(
    links: Links, p: Pacticipant, items: Sequence[Version], facts: VersionFacts
) -> JSONDict:
    rendered = [version(links, v, facts) for v in items]
    return {
        "_embedded": {"versions": rendered},
        "_links": {
            "self": link(links.versions(p.name), title="Versions"),
            "pb:pacticipant": link(links.pacticipant(p.name), title="Pacticipant", name=p.name),
            "pb:versions": [
                link(links.version(p.name, v.number), title="Version", name=v.number) for v in items
            ],
        },
    }
