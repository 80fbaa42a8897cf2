"""HAL representations of the broker's resources (the Ruby broker's "decorators").

Shapes follow ``reference/broker-api.md`` §2 to §3: properties whose value is None are left out,
relations are objects (arrays only where the clients expect arrays).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from pact_pipeline.broker import matrix as matrix_rules
from pact_pipeline.broker import repository as repo
from pact_pipeline.broker import selection
from pact_pipeline.broker.api.links import Links, segment
from pact_pipeline.broker.models import (
    Branch,
    BranchVersion,
    DeployedVersion,
    Environment,
    Label,
    Pacticipant,
    PactPublication,
    PactVersion,
    ReleasedVersion,
    Tag,
    Verification,
    Version,
    Webhook,
)
from pact_pipeline.broker.services.matrix import MatrixResult
from pact_pipeline.broker.services.pacts import PublishOutcome
from pact_pipeline.broker.services.verifications import VerifiableResult, encode_metadata

JSONDict = dict[str, Any]


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def compact(data: JSONDict) -> JSONDict:
    """Drop None values, as the Ruby decorators do."""
    return {k: v for k, v in data.items() if v is not None}


def link(
    href: str, *, title: str | None = None, name: str | None = None, templated: bool = False
) -> JSONDict:
    result: JSONDict = {"href": href}
    if title is not None:
        result["title"] = title
    if name is not None:
        result["name"] = name
    if templated:
        result["templated"] = True
    return result


# --- index --------------------------------------------------------------------------------------

INDEX_RELATIONS: list[tuple[str, str, str, bool]] = [
    (
        "pb:publish-pact",
        "/pacts/provider/{provider}/consumer/{consumer}/version/{consumerApplicationVersion}",
        "Publish a pact",
        True,
    ),
    ("pb:publish-contracts", "/contracts/publish", "Publish contracts", False),
    ("pb:latest-pact-versions", "/pacts/latest", "Latest pact versions", False),
    (
        "pb:tagged-pact-versions",
        "/pacts/provider/{provider}/consumer/{consumer}/tag/{tag}",
        "All versions of a pact for a given consumer, provider and consumer version tag",
        True,
    ),
    (
        "pb:branch-pact-versions",
        "/pacts/provider/{provider}/consumer/{consumer}/branch/{branch}",
        "All versions of a pact for a given consumer, provider and consumer version branch",
        True,
    ),
    (
        "pb:latest-branch-pact-versions",
        "/pacts/provider/{provider}/consumer/{consumer}/branch/{branch}/latest/versions",
        "Latest version of a pact for a given consumer, provider and consumer version branch",
        True,
    ),
    (
        "pb:main-branch-pact-versions",
        "/pacts/provider/{provider}/consumer/{consumer}/branch/versions",
        "All versions of a pact for a given consumer, provider and consumer main branch",
        True,
    ),
    (
        "pb:latest-main-branch-pact-versions",
        "/pacts/provider/{provider}/consumer/{consumer}/branch/latest/versions",
        "Latest version of a pact for a given consumer, provider and consumer main branch",
        True,
    ),
    (
        "pb:provider-pacts-with-main-branch",
        "/pacts/provider/{provider}/branch",
        "All pact versions for the provider with the consumers' main branch",
        True,
    ),
    (
        "pb:provider-pacts-with-branch",
        "/pacts/provider/{provider}/branch/{branch}",
        "All pact versions for the provider with the specified consumer branch",
        True,
    ),
    (
        "pb:latest-provider-pacts-with-main-branch",
        "/pacts/provider/{provider}/branch/latest",
        "Latest pact versions for the provider with the consumers' main branch",
        True,
    ),
    (
        "pb:latest-provider-pacts-with-branch",
        "/pacts/provider/{provider}/branch/{branch}/latest",
        "Latest pact versions for the provider with the specified consumer branch",
        True,
    ),
    ("pb:pacticipants", "/pacticipants", "Pacticipants", False),
    ("pb:pacticipant", "/pacticipants/{pacticipant}", "Fetch pacticipant by name", True),
    (
        "pb:latest-provider-pacts",
        "/pacts/provider/{provider}/latest",
        "Latest pacts by provider",
        True,
    ),
    (
        "pb:latest-provider-pacts-with-tag",
        "/pacts/provider/{provider}/latest/{tag}",
        "Latest pacts for provider with the specified tag",
        True,
    ),
    (
        "pb:provider-pacts-with-tag",
        "/pacts/provider/{provider}/tag/{tag}",
        "All pact versions for the provider with the specified consumer version tag",
        True,
    ),
    (
        "pb:provider-pacts",
        "/pacts/provider/{provider}",
        "All pact versions for the specified provider",
        True,
    ),
    (
        "pb:latest-version",
        "/pacticipants/{pacticipant}/latest-version",
        "Latest pacticipant version",
        True,
    ),
    (
        "pb:latest-tagged-version",
        "/pacticipants/{pacticipant}/latest-version/{tag}",
        "Latest pacticipant version with the specified tag",
        True,
    ),
    ("pb:webhooks", "/webhooks", "Webhooks", False),
    ("pb:webhook", "/webhooks/{uuid}", "Webhook", True),
    ("pb:integrations", "/integrations", "Integrations", False),
    (
        "pb:pacticipant-version-tag",
        "/pacticipants/{pacticipant}/versions/{version}/tags/{tag}",
        "Get, create or delete a tag for a pacticipant version",
        True,
    ),
    (
        "pb:pacticipant-branch",
        "/pacticipants/{pacticipant}/branches/{branch}",
        "Get or delete a pacticipant branch",
        True,
    ),
    (
        "pb:pacticipant-branch-version",
        "/pacticipants/{pacticipant}/branches/{branch}/versions/{version}",
        "Get or add/create a pacticipant version for a branch",
        True,
    ),
    (
        "pb:pacticipant-version",
        "/pacticipants/{pacticipant}/versions/{version}",
        "Get, create or delete a pacticipant version",
        True,
    ),
    ("pb:metrics", "/metrics", "Get Pact Broker metrics", False),
    (
        "pb:can-i-deploy-pacticipant-version-to-tag",
        "/can-i-deploy?pacticipant={pacticipant}&version={version}&to={tag}",
        "Determine if an application version can be safely deployed to an environment "
        "identified by the given tag",
        True,
    ),
    (
        "pb:can-i-deploy-pacticipant-version-to-environment",
        "/can-i-deploy?pacticipant={pacticipant}&version={version}&environment={environment}",
        "Determine if an application version can be safely deployed to an environment",
        True,
    ),
    (
        "pb:provider-pacts-for-verification",
        "/pacts/provider/{provider}/for-verification",
        "Pact versions to be verified for the specified provider",
        True,
    ),
    ("pb:environments", "/environments", "Environments", False),
    ("pb:environment", "/environments/{uuid}", "Environment", True),
]


def index(links: Links) -> JSONDict:
    relations: JSONDict = {"self": link(links.base + "/", title="Index")}
    for rel, path, title, templated in INDEX_RELATIONS:
        relations[rel] = link(links.template(path), title=title, templated=templated)
    relations["beta:provider-pacts-for-verification"] = {
        **link(
            links.template("/pacts/provider/{provider}/for-verification"),
            title="Pact versions to be verified for the specified provider",
            templated=True,
        ),
        "name": "beta",
    }
    relations["curies"] = [
        {"name": "pb", "href": links.template("/doc/{rel}?context=index"), "templated": True},
        {"name": "beta", "href": links.template("/doc/{rel}?context=index"), "templated": True},
    ]
    return {"_links": relations}


# --- pacticipants, versions, branches, tags ---------------------------------------------------


def pacticipant(session: Session, links: Links, p: Pacticipant) -> JSONDict:
    latest = repo.latest_version(session, p)
    name = p.name
    body = compact(
        {
            "name": name,
            "displayName": p.display_name or _display_name(name),
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
    body["_links"] = {
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
    return body


def _display_name(name: str) -> str:
    words = name.replace("-", " ").replace("_", " ").split()
    return " ".join(w[:1].upper() + w[1:] for w in words) or name


def pacticipants(session: Session, links: Links, items: Sequence[Pacticipant]) -> JSONDict:
    rendered = [pacticipant(session, links, p) for p in items]
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


def label(links: Links, p: Pacticipant, lab: Label) -> JSONDict:
    return {
        "name": lab.name,
        "createdAt": iso(lab.created_at),
        "_links": {
            "self": link(links.label(p.name, lab.name), title="Label", name=lab.name),
            "pb:pacticipant": link(links.pacticipant(p.name), title="Pacticipant", name=p.name),
        },
    }


def tag(links: Links, t: Tag) -> JSONDict:
    version = t.version
    p = version.pacticipant
    return {
        "name": t.name,
        "createdAt": iso(t.created_at),
        "_links": {
            "self": link(links.tag(p.name, version.number, t.name), title="Tag", name=t.name),
            "version": link(
                links.version(p.name, version.number), title="Version", name=version.number
            ),
            "pacticipant": link(links.pacticipant(p.name), title="Pacticipant", name=p.name),
        },
    }


def branch_version(
    session: Session, links: Links, bv: BranchVersion, heads: dict[int, int] | None = None
) -> JSONDict:
    version = bv.version
    p = version.pacticipant
    branch = bv.branch
    latest = (
        heads.get(branch.id) == version.id
        if heads is not None
        else repo.is_branch_head(session, branch, version)
    )
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


def branch(session: Session, links: Links, b: Branch) -> JSONDict:
    p = b.pacticipant
    head = repo.branch_head(session, p, b.name)
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


def branches(session: Session, links: Links, p: Pacticipant, items: Sequence[Branch]) -> JSONDict:
    return {
        "_embedded": {"branches": [branch(session, links, b) for b in items]},
        "_links": {"self": link(links.branches(p.name))},
    }


def environment_summary(links: Links, e: Environment) -> JSONDict:
    return compact(
        {
            "uuid": e.uuid,
            "name": e.name,
            "displayName": e.display_name or _display_name(e.name),
            "production": e.production,
            "createdAt": iso(e.created_at),
            "_links": {"self": link(links.environment(e.uuid), title="Environment", name=e.name)},
        }
    )


@dataclass
class _VersionFacts:
    """What version resources embed, loaded for a whole list of versions in a few queries
    (rendering them one by one costs about ten queries per version)."""

    environments: Sequence[Environment]
    deployed: dict[int, list[Environment]]
    released: dict[int, list[Environment]]
    publications: dict[int, list[PactPublication]]
    heads: dict[int, int]

    @classmethod
    def load(cls, session: Session, items: Sequence[Version]) -> _VersionFacts:
        ids = [v.id for v in items]
        for chunk in repo.chunked(ids):
            # Fills each version's branch versions (with their branch) and tags.
            session.scalars(
                select(Version)
                .where(Version.id.in_(chunk))
                .options(
                    selectinload(Version.branch_versions).joinedload(BranchVersion.branch),
                    selectinload(Version.tags),
                )
            ).all()
        branch_ids = {bv.branch_id for v in items for bv in v.branch_versions}
        return cls(
            environments=repo.list_environments(session),
            deployed=repo.deployed_environments_of_versions(session, ids),
            released=repo.released_environments_of_versions(session, ids),
            publications=repo.publications_for_versions(session, ids),
            heads=repo.branch_heads(session, branch_ids),
        )


def version(
    session: Session, links: Links, v: Version, facts: _VersionFacts | None = None
) -> JSONDict:
    facts = facts or _VersionFacts.load(session, [v])
    p = v.pacticipant
    environments = facts.environments
    deployed_to = facts.deployed.get(v.id, [])
    released_to = facts.released.get(v.id, [])
    pubs = facts.publications.get(v.id, [])
    body = compact(
        {
            "number": v.number,
            "buildUrl": v.build_url,
            "createdAt": iso(v.created_at),
            "updatedAt": iso(v.updated_at),
        }
    )
    branch_versions = [branch_version(session, links, bv, facts.heads) for bv in v.branch_versions]
    body["_embedded"] = {
        "pacticipant": {"name": p.name, "_links": {"self": link(links.pacticipant(p.name))}},
        "tags": [tag(links, t) for t in v.tags],
        "branchVersions": branch_versions,
        "branches": branch_versions,
        "deployedEnvironments": [environment_summary(links, e) for e in deployed_to],
        "releasedEnvironments": [environment_summary(links, e) for e in released_to],
    }
    body["_links"] = {
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
            for pub in pubs
        ],
        "pb:deployed-environments": [
            link(links.environment(e.uuid), title="Environment", name=e.name) for e in deployed_to
        ],
        "pb:released-environments": [
            link(links.environment(e.uuid), title="Environment", name=e.name) for e in released_to
        ],
        "pb:record-deployment": [
            link(
                links.record_deployment(p.name, v.number, e.uuid),
                title=f"Record deployment to {e.display_name or e.name}",
                name=e.name,
            )
            for e in environments
        ],
        "pb:record-release": [
            link(
                links.record_release(p.name, v.number, e.uuid),
                title=f"Record release to {e.display_name or e.name}",
                name=e.name,
            )
            for e in environments
        ],
        "curies": [
            {"name": "pb", "href": links.template("/doc/{rel}?context=version"), "templated": True}
        ],
    }
    return body


def versions(session: Session, links: Links, p: Pacticipant, items: Sequence[Version]) -> JSONDict:
    facts = _VersionFacts.load(session, items)
    rendered = [version(session, links, v, facts) for v in items]
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


# --- publication ---------------------------------------------------------------------------------


def publish_result(links: Links, outcome: PublishOutcome) -> JSONDict:
    v = outcome.version
    p = v.pacticipant
    version_link = link(links.version(p.name, v.number), title="Version", name=v.number)
    return {
        "notices": [{"type": n.type, "text": n.text} for n in outcome.notices],
        "logs": [
            {"level": n.type, "message": n.text, "deprecationWarning": "Replaced by notices"}
            for n in outcome.notices
        ],
        "_embedded": {
            "pacticipant": {"name": p.name, "_links": {"self": link(links.pacticipant(p.name))}},
            "version": {"number": v.number, "_links": {"self": version_link}},
        },
        "_links": {
            "pb:pacticipant": link(links.pacticipant(p.name), title="Pacticipant", name=p.name),
            "pb:pacticipant-version": link(
                links.version(p.name, v.number), title="Pacticipant version", name=v.number
            ),
            "pb:pacticipant-version-tags": [
                link(links.tag(p.name, v.number, t.name), title="Tag", name=t.name) for t in v.tags
            ],
            "pb:contracts": [
                link(
                    links.pact(s.publication.provider.name, p.name, v.number),
                    title="Pact",
                    name=f"Pact between {p.name} ({v.number}) and {s.publication.provider.name}",
                )
                for s in outcome.pacts
            ],
        },
    }


def pact_name(pub: PactPublication) -> str:
    return (
        f"Pact between {pub.consumer.name} ({pub.consumer_version.number}) and {pub.provider.name}"
    )


def pact(
    session: Session,
    links: Links,
    pub: PactPublication,
    *,
    metadata: str | None = None,
    self_href: str | None = None,
) -> JSONDict:
    """The stored pact content with ``createdAt`` and the relations the verifier follows."""
    content = json.loads(pub.pact_version.content)
    consumer, provider = pub.consumer.name, pub.provider.name
    number = pub.consumer_version.number
    sha = pub.pact_version.sha
    latest_verification = repo.latest_verification(session, pub.pact_version)
    relations: JSONDict = {
        "self": link(
            self_href or links.pact(provider, consumer, number), title="Pact", name=pact_name(pub)
        ),
        "pb:consumer": link(links.pacticipant(consumer), title="Consumer", name=consumer),
        "pb:consumer-version": link(
            links.version(consumer, number), title="Consumer version", name=number
        ),
        "pb:provider": link(links.pacticipant(provider), title="Provider", name=provider),
        "pb:pact-version": link(
            links.pact_version(provider, consumer, sha),
            title="Pact content version permalink",
            name=sha,
        ),
        "pb:latest-pact-version": link(
            links.latest_pact(provider, consumer), title="Latest version of this pact"
        ),
        "pb:all-pact-versions": link(
            links.integration(provider, consumer) + "/versions", title="All versions of this pact"
        ),
        "pb:latest-untagged-pact-version": link(
            links.integration(provider, consumer) + "/latest-untagged",
            title="Latest untagged version of this pact",
        ),
        "pb:latest-tagged-pact-version": link(
            links.integration(provider, consumer) + "/latest/{tag}",
            title="Latest tagged version of this pact",
            templated=True,
        ),
        "pb:consumer-version-tag": link(
            links.version(consumer, number) + "/tags/{tag}", templated=True
        ),
        "pb:publish-verification-results": link(
            links.verification_results(provider, consumer, sha, metadata),
            title="Publish verification results",
        ),
        "pb:latest-verification-results": link(
            links.verification_results(provider, consumer, sha) + "/latest",
            title="Latest verification results",
        ),
        "pb:matrix-for-consumer-version": link(
            links.url("matrix")
            + f"?q[][pacticipant]={segment(consumer)}&q[][version]={segment(number)}&latestby=cvpv",
            title="View matrix rows for the consumer version to which this pact belongs",
        ),
        "curies": [
            {"name": "pb", "href": links.template("/doc/{rel}?context=pact"), "templated": True}
        ],
    }
    if latest_verification is not None:
        relations["pb:latest-verification-results"]["name"] = str(latest_verification.success)
    result: JSONDict = dict(content)
    result["createdAt"] = iso(pub.created_at)
    result["_links"] = relations
    return result


def provider_pacts(
    links: Links, provider: Pacticipant, pubs: Sequence[PactPublication], self_href: str, title: str
) -> JSONDict:
    items = [
        link(
            links.pact(pub.provider.name, pub.consumer.name, pub.consumer_version.number),
            title=pact_name(pub),
            name=pub.consumer.name,
        )
        for pub in pubs
    ]
    return {
        "_links": {
            "self": link(self_href, title=title),
            "pb:provider": link(
                links.pacticipant(provider.name), title="Provider", name=provider.name
            ),
            "provider": link(
                links.pacticipant(provider.name), title="Provider", name=provider.name
            ),
            "pb:pacts": items,
            "pacts": items,
        }
    }


def latest_pacts(links: Links, pubs: Sequence[PactPublication]) -> JSONDict:
    rendered = []
    for pub in pubs:
        consumer, provider = pub.consumer.name, pub.provider.name
        number = pub.consumer_version.number
        rendered.append(
            {
                "createdAt": iso(pub.created_at),
                "_embedded": {
                    "consumer": {
                        "name": consumer,
                        "_links": {"self": link(links.pacticipant(consumer))},
                        "_embedded": {"version": {"number": number}},
                    },
                    "provider": {
                        "name": provider,
                        "_links": {"self": link(links.pacticipant(provider))},
                    },
                },
                "_links": {
                    "self": [
                        link(links.latest_pact(provider, consumer), title="Latest pact"),
                        link(links.pact(provider, consumer, number)),
                    ],
                    "pb:pact": link(links.pact(provider, consumer, number)),
                },
            }
        )
    return {
        "pacts": rendered,
        "_links": {
            "self": link(links.url("pacts", "latest")),
            "pb:pacts": [
                link(
                    links.pact(p.provider.name, p.consumer.name, p.consumer_version.number),
                    title=pact_name(p),
                    name=p.consumer.name,
                )
                for p in pubs
            ],
        },
    }


# --- pacts for verification ---------------------------------------------------------------------


def for_verification(session: Session, links: Links, result: VerifiableResult) -> JSONDict:
    provider = result.provider.name
    include_pending = result.query.include_pending_status
    latest_shas = _latest_shas(session, result)
    pacts: list[JSONDict] = []
    for entry in result.entries:
        href, name = _verifiable_pact_link(links, provider, entry, include_pending, latest_shas)
        inclusion = selection.inclusion_notice(entry, href, provider)
        notices = [{"when": "before_verification", "text": inclusion}]
        properties: JSONDict = {}
        if include_pending:
            notices.append(
                {
                    "when": "before_verification",
                    "text": selection.pending_notice(
                        entry, provider, result.query.provider_version_branch
                    ),
                }
            )
            if entry.pending:
                after = selection.after_verification_notices(
                    provider, result.query.provider_version_branch, entry.pending_provider_tags
                )
                notices.extend({"when": when, "text": text} for when, text in after.items())
            properties["pending"] = entry.pending
        if entry.wip:
            properties["wip"] = True
            properties["pending"] = True
        properties["notices"] = notices
        pacts.append(
            {
                "shortDescription": entry.short_description,
                "verificationProperties": properties,
                "_links": {"self": {"href": href, "name": name}},
            }
        )
    return {
        "_embedded": {"pacts": pacts},
        "_links": {"self": link(links.for_verification(provider), title="Pacts to be verified")},
    }


def _latest_shas(session: Session, result: VerifiableResult) -> dict[str, str]:
    """The SHA of each consumer's latest pact with the provider."""
    shas: dict[str, str] = {}
    for pub in repo.latest_publications_for_provider(session, result.provider):
        shas[pub.consumer.name] = pub.pact_version.sha
    return shas


def _verifiable_pact_link(
    links: Links,
    provider: str,
    entry: selection.VerifiablePact,
    include_pending: bool,
    latest_shas: dict[str, str],
) -> tuple[str, str]:
    """The URL the verifier fetches for an entry, and its name.

    An entry that carries no pending or WIP state and whose content is the integration's latest
    pact is linked by the integration's stable URL (``/pacts/provider/P/consumer/C``), which
    always serves the newest pact; every other entry gets a content permalink whose metadata
    tells the broker, when results come back, how the pact was selected.
    """
    candidate = entry.candidate
    consumer = candidate.consumer_name
    if not include_pending and not entry.wip and latest_shas.get(consumer) == candidate.sha:
        return links.integration(provider, consumer), f"Pact between {consumer} and {provider}"
    metadata = encode_metadata(
        {"w": True}
        if entry.wip
        else {"p": entry.pending, "cv": [candidate.consumer_version_number]}
    )
    href = links.pact_version(provider, consumer, candidate.sha, metadata)
    return href, f"Pact between {consumer} ({candidate.consumer_version_number}) and {provider}"


# --- verifications -------------------------------------------------------------------------------


def verification(links: Links, v: Verification) -> JSONDict:
    pv = v.pact_version
    consumer, provider = pv.consumer.name, pv.provider.name
    return compact(
        {
            "providerName": provider,
            "providerApplicationVersion": v.provider_version.number,
            "success": v.success,
            "verificationDate": iso(v.created_at),
            "buildUrl": v.build_url,
            "testResults": v.test_results,
            "verifiedBy": v.verified_by,
            "_links": {
                "self": link(
                    links.verification(provider, consumer, pv.sha, v.number),
                    title="Verification result",
                    name=f"Verification result {v.number} for {consumer} and {provider}",
                ),
                "pb:pact-version": link(
                    links.pact_version(provider, consumer, pv.sha), title="Pact"
                ),
                "pb:provider-version": link(
                    links.version(provider, v.provider_version.number),
                    title="Provider version",
                    name=v.provider_version.number,
                ),
                "pb:triggered-webhooks": link(
                    links.verification(provider, consumer, pv.sha, v.number)
                    + "/triggered-webhooks",
                    title="Webhooks triggered by the publication of this verification result",
                ),
            },
        }
    )


# --- matrix --------------------------------------------------------------------------------------


@dataclass
class _MatrixVersions:
    """What matrix rows show about their versions, loaded for every row at once.

    Rendering row by row through the ORM's relationships costs about a dozen queries per row;
    a matrix of a branch has thousands of rows.
    """

    versions: dict[int, Version]
    heads: dict[int, int]
    deployed: dict[int, list[Environment]]
    released: dict[int, list[Environment]]

    @classmethod
    def load(cls, session: Session, version_ids: set[int]) -> _MatrixVersions:
        versions: dict[int, Version] = {}
        for chunk in repo.chunked(version_ids):
            versions.update(
                (v.id, v)
                for v in session.scalars(
                    select(Version)
                    .where(Version.id.in_(chunk))
                    .options(
                        selectinload(Version.branch_versions).joinedload(BranchVersion.branch),
                        selectinload(Version.tags),
                    )
                )
            )
        branch_ids = {bv.branch_id for v in versions.values() for bv in v.branch_versions}
        return cls(
            versions=versions,
            heads=repo.branch_heads(session, branch_ids),
            deployed=repo.deployed_environments_of_versions(session, version_ids),
            released=repo.released_environments_of_versions(session, version_ids),
        )


def _version_ref(
    links: Links, p_name: str, v: Version | None, loaded: _MatrixVersions
) -> JSONDict | None:
    if v is None:
        return None
    branches = [bv.branch.name for bv in v.branch_versions]
    envs = [*loaded.deployed.get(v.id, []), *loaded.released.get(v.id, [])]
    return compact(
        {
            "number": v.number,
            "branch": branches[-1] if branches else None,
            "branches": [{"name": b, "latest": None} for b in branches] if branches else None,
            "branchVersions": [
                {
                    "name": bv.branch.name,
                    "latest": loaded.heads.get(bv.branch_id) == v.id,
                    "_links": {
                        "self": link(links.branch_version(p_name, bv.branch.name, v.number))
                    },
                }
                for bv in v.branch_versions
            ],
            "environments": [
                {
                    "uuid": e.uuid,
                    "name": e.name,
                    "displayName": e.display_name or e.name,
                    "production": e.production,
                    "createdAt": iso(e.created_at),
                    "_links": {"self": link(links.environment(e.uuid))},
                }
                for e in envs
            ],
            "tags": [
                {
                    "name": t.name,
                    "latest": None,
                    "_links": {"self": link(links.tag(p_name, v.number, t.name))},
                }
                for t in v.tags
            ],
            "_links": {
                "self": link(links.version(p_name, v.number), title="Version", name=v.number)
            },
        }
    )


def matrix(session: Session, links: Links, result: MatrixResult) -> JSONDict:
    status = result.status
    loaded = _MatrixVersions.load(
        session,
        {r.publication.consumer_version_id for r in status.rows}
        | {r.verification.provider_version_id for r in status.rows if r.verification},
    )
    names = {r.publication.consumer_id: r.publication.consumer_name for r in status.rows} | {
        r.publication.provider_id: r.publication.provider_name for r in status.rows
    }
    pubs: dict[int, tuple[datetime, str]] = {}
    verifications: dict[int, tuple[bool, datetime, int]] = {}
    for chunk in repo.chunked(r.publication.id for r in status.rows):
        pubs.update(
            (pub_id, (created_at, sha))
            for pub_id, created_at, sha in session.execute(
                select(PactPublication.id, PactPublication.created_at, PactVersion.sha)
                .join(PactVersion, PactVersion.id == PactPublication.pact_version_id)
                .where(PactPublication.id.in_(chunk))
            ).tuples()
        )
    for chunk in repo.chunked(r.verification.id for r in status.rows if r.verification):
        verifications.update(
            (verification_id, (success, created_at, number))
            for verification_id, success, created_at, number in session.execute(
                select(
                    Verification.id,
                    Verification.success,
                    Verification.created_at,
                    Verification.number,
                ).where(Verification.id.in_(chunk))
            ).tuples()
        )
    rows: list[JSONDict] = []
    for row in status.rows:
        publication = row.publication
        consumer = names[publication.consumer_id]
        provider = names[publication.provider_id]
        consumer_number = publication.consumer_version_number
        pact_created_at, sha = pubs[publication.id]
        provider_version = (
            loaded.versions.get(row.verification.provider_version_id) if row.verification else None
        )
        verification_body: JSONDict | None = None
        if row.verification is not None:
            success, verified_at, number = verifications[row.verification.id]
            verification_body = {
                "success": success,
                "verifiedAt": iso(verified_at),
                "_links": {"self": link(links.verification(provider, consumer, sha, number))},
            }
        line: JSONDict = {
            "consumer": {
                "name": consumer,
                "version": _version_ref(
                    links, consumer, loaded.versions[publication.consumer_version_id], loaded
                ),
                "_links": {"self": link(links.pacticipant(consumer))},
            },
            "provider": {
                "name": provider,
                "version": _version_ref(links, provider, provider_version, loaded),
                "_links": {"self": link(links.pacticipant(provider))},
            },
            "pact": {
                "createdAt": iso(pact_created_at),
                "_links": {"self": link(links.pact(provider, consumer, consumer_number))},
            },
            "verificationResult": verification_body,
        }
        if row.ignored:
            line["ignored"] = True
        rows.append(line)
    summary: JSONDict = {
        "deployable": status.deployable,
        "reason": status.reason_text,
        "success": status.success,
        "failed": status.failed,
        "unknown": status.unknown,
    }
    if result.query.ignore:
        summary["ignored"] = status.ignored
    notices = [{"type": r.level, "text": r.text} for r in status.reasons]
    return {
        "summary": summary,
        "notices": notices,
        "reasons": [
            {"code": r.code.value, "text": r.text, "level": r.level} for r in status.reasons
        ],
        "matrix": rows,
        "_links": {"self": link(links.url("matrix"))},
    }


def deployable_label(status: matrix_rules.DeploymentStatus) -> str:
    return {True: "yes", False: "no", None: "unknown"}[status.deployable]


# --- environments and deployments ----------------------------------------------------------------


def environment(links: Links, e: Environment) -> JSONDict:
    return compact(
        {
            "uuid": e.uuid,
            "name": e.name,
            "displayName": e.display_name or _display_name(e.name),
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


def _version_embed(links: Links, v: Version) -> JSONDict:
    p = v.pacticipant
    return {
        "number": v.number,
        "_links": {"self": link(links.version(p.name, v.number), title="Version", name=v.number)},
    }


def deployed_version(links: Links, d: DeployedVersion) -> JSONDict:
    v = d.version
    p = v.pacticipant
    return compact(
        {
            "uuid": d.uuid,
            "currentlyDeployed": d.undeployed_at is None,
            "target": d.target,
            "applicationInstance": d.target,
            "undeployedAt": iso(d.undeployed_at),
            "createdAt": iso(d.created_at),
            "_embedded": {
                "pacticipant": {
                    "name": p.name,
                    "_links": {"self": link(links.pacticipant(p.name))},
                },
                "version": _version_embed(links, v),
                "environment": environment_summary(links, d.environment),
            },
            "_links": {
                "self": link(links.deployed_version(d.uuid), title="Deployed version"),
                "pb:version": link(links.version(p.name, v.number), title="Version", name=v.number),
                "pb:environment": link(
                    links.environment(d.environment.uuid),
                    title="Environment",
                    name=d.environment.name,
                ),
            },
        }
    )


def released_version(links: Links, r: ReleasedVersion) -> JSONDict:
    v = r.version
    p = v.pacticipant
    return compact(
        {
            "uuid": r.uuid,
            "currentlySupported": r.support_ended_at is None,
            "supportEndedAt": iso(r.support_ended_at),
            "createdAt": iso(r.created_at),
            "_embedded": {
                "pacticipant": {
                    "name": p.name,
                    "_links": {"self": link(links.pacticipant(p.name))},
                },
                "version": _version_embed(links, v),
                "environment": environment_summary(links, r.environment),
            },
            "_links": {
                "self": link(links.released_version(r.uuid), title="Released version"),
                "pb:version": link(links.version(p.name, v.number), title="Version", name=v.number),
                "pb:environment": link(
                    links.environment(r.environment.uuid),
                    title="Environment",
                    name=r.environment.name,
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


# --- integrations and webhooks ------------------------------------------------------------------


def integrations(
    links: Links, items: Sequence[tuple[Pacticipant, Pacticipant, datetime]]
) -> JSONDict:
    return {
        "_embedded": {
            "integrations": [
                {
                    "consumer": {
                        "name": c.name,
                        "_links": {"self": link(links.pacticipant(c.name))},
                    },
                    "provider": {
                        "name": p.name,
                        "_links": {"self": link(links.pacticipant(p.name))},
                    },
                    "latestPactPublishedAt": iso(created),
                    "_links": {
                        "self": link(
                            links.url(
                                "integrations",
                                "provider",
                                segment(p.name),
                                "consumer",
                                segment(c.name),
                            )
                        ),
                        "pb:latest-pact": link(links.latest_pact(p.name, c.name)),
                    },
                }
                for c, p, created in items
            ]
        },
        "_links": {"self": link(links.url("integrations"))},
    }


def webhook(links: Links, w: Webhook) -> JSONDict:
    request = dict(w.request or {})
    if "password" in request:
        request["password"] = "**********"  # noqa: S105 - masking, not a secret
    body = compact(
        {
            "uuid": w.uuid,
            "description": w.description,
            "consumer": compact(
                {"name": w.consumer.name if w.consumer else None, "label": w.consumer_label}
            )
            or None,
            "provider": compact(
                {"name": w.provider.name if w.provider else None, "label": w.provider_label}
            )
            or None,
            "enabled": w.enabled,
            "events": [{"name": e} for e in (w.events or [])],
            "request": request,
            "createdAt": iso(w.created_at),
            "updatedAt": iso(w.updated_at),
        }
    )
    relations: JSONDict = {
        "self": link(links.webhook(w.uuid), title=w.description or "Webhook"),
        "pb:execute": link(
            links.webhook(w.uuid) + "/execute",
            title="Test the execution of the webhook with the latest matching pact or "
            "verification by sending a POST request to this URL",
        ),
        "pb:webhooks": link(links.webhooks(), title="All webhooks"),
    }
    if w.consumer is not None:
        relations["pb:consumer"] = link(
            links.pacticipant(w.consumer.name), title="Consumer", name=w.consumer.name
        )
    if w.provider is not None:
        relations["pb:provider"] = link(
            links.pacticipant(w.provider.name), title="Provider", name=w.provider.name
        )
    if w.consumer is not None and w.provider is not None:
        relations["pb:pact-webhooks"] = link(
            links.url(
                "webhooks",
                "provider",
                segment(w.provider.name),
                "consumer",
                segment(w.consumer.name),
            ),
            title="All webhooks for consumer and provider",
        )
    body["_links"] = relations
    return body


def webhooks(links: Links, items: Sequence[Webhook], self_href: str) -> JSONDict:
    return {
        "_embedded": {"webhooks": [webhook(links, w) for w in items]},
        "_links": {
            "self": link(self_href, title="Webhooks"),
            "pb:webhooks": [
                link(links.webhook(w.uuid), title=w.description or "Webhook", name=w.uuid)
                for w in items
            ],
        },
    }


def versions_for_ids(session: Session, ids: Sequence[int]) -> list[Version]:
    return list(session.scalars(select(Version).where(Version.id.in_(list(ids)))).all())
