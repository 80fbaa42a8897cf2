"""Pacts for verification: the facts selection needs, loaded through the repository for the
reachable versions only, handed to the pure rules of :mod:`pact_pipeline.broker.selection`."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from pact_pipeline.broker import repository as repo
from pact_pipeline.broker import selection
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.errors import invalid
from pact_pipeline.broker.models import DeployedVersion, Pacticipant, ReleasedVersion
from pact_pipeline.broker.services.pacticipants import require_pacticipant

R = TypeVar("R")


# --- metadata carried in the pact URL ----------------------------------------------------------


def encode_metadata(data: dict[str, Any]) -> str:
    """Opaque URL segment that tells the broker, when results come back, how a pact was selected."""
    raw = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_metadata(segment: str | None) -> dict[str, Any]:
    """Decode :func:`encode_metadata`; unreadable metadata is ignored, not an error."""
    if not segment:
        return {}
    try:
        padded = segment + "=" * (-len(segment) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error):
        return {}
    return value if isinstance(value, dict) else {}


# --- pacts for verification --------------------------------------------------------------------


@dataclass(frozen=True)
class VerificationQuery:
    selectors: tuple[selection.Selector, ...]
    include_pending_status: bool = False
    include_wip_pacts_since: datetime | None = None
    provider_version_branch: str | None = None
    provider_version_tags: tuple[str, ...] = ()


@dataclass
class VerifiableResult:
    """The pacts selected for a provider, and the SHA of each consumer's latest pact with it
    (by consumer name): such a pact is linked by the integration's stable URL."""

    provider: Pacticipant
    entries: list[selection.VerifiablePact]
    query: VerificationQuery
    latest_shas: dict[str, str]


@dataclass(frozen=True)
class _Scope:
    """The branches and tags a request can reach: facts are read for those only.

    Attributes:
        every_label: WIP pacts were asked for: every branch head and every tag's newest version
            is a candidate.
        branches: Branch names the selectors name (``branch``, which normalisation sets for
            ``matchingBranch``, and ``fallbackBranch``); each consumer's main branch is added.
        tags: Tag names the selectors name (``tag``, ``fallbackTag``); each consumer's main
            branch name is added, as the default selectors use it as a tag.
        listed_tags: Tags whose every version a selector asks for (no ``latest``).
    """

    every_label: bool
    every_branch: bool
    branches: frozenset[str]
    tags: frozenset[str]
    listed_tags: frozenset[str]

    @classmethod
    def of(cls, query: VerificationQuery) -> _Scope:
        explicit = selection.normalise(query.selectors, query.provider_version_branch)
        return cls(
            every_label=query.include_wip_pacts_since is not None,
            every_branch=any(s.each_branch for s in explicit),
            branches=frozenset(n for s in explicit for n in (s.branch, s.fallback_branch) if n),
            tags=frozenset(n for s in explicit for n in (s.tag, s.fallback_tag) if n),
            listed_tags=frozenset(s.tag for s in explicit if s.tag is not None and not s.latest),
        )


def _consumer_facts(
    session: Session, consumer: Pacticipant, environments: dict[int, str], scope: _Scope
) -> selection.ConsumerFacts:
    """Where the consumer's branches, tags and environments point, as far as ``scope`` needs.

    Costs one seek per branch (its head is its newest branch version) and one row per tag
    name, not a read of the consumer's whole history; without WIP, only the branches and tags
    the selectors name are read at all.
    """
    main = {consumer.main_branch} if consumer.main_branch else set()
    branches = None if scope.every_label or scope.every_branch else scope.branches | main
    tags = None if scope.every_label else scope.tags | main
    tagged = (
        repo.versions_per_tag(session, consumer.id, scope.listed_tags) if scope.listed_tags else {}
    )
    deployed = repo.current_versions_by_environment(session, DeployedVersion, consumer.id)
    released = repo.current_versions_by_environment(session, ReleasedVersion, consumer.id)
    return selection.ConsumerFacts(
        consumer_id=consumer.id,
        name=consumer.name,
        main_branch=consumer.main_branch,
        branch_heads=repo.branch_heads_by_name(session, consumer.id, branches),
        latest_by_tag=repo.newest_version_per_tag(session, consumer.id, tags),
        tagged={tag: frozenset(ids) for tag, ids in tagged.items()},
        deployed=_by_environment_name(deployed, environments),
        released=_by_environment_name(released, environments),
    )


def _by_environment_name(
    by_id: dict[int, set[int]], environments: dict[int, str]
) -> dict[str, frozenset[int]]:
    return {environments[env_id]: frozenset(ids) for env_id, ids in by_id.items()}


def _reachable_versions(
    session: Session, provider: Pacticipant, consumers: dict[int, selection.ConsumerFacts]
) -> set[int]:
    """The consumer versions any selector or WIP can pick: branch heads, each tag's newest
    version, every version of a listed tag, deployed and released versions, and each
    consumer's newest version with a pact for the provider (the "latest" selector's pick).

    Loading only these candidates, instead of every pact the provider has, is what keeps pacts
    for verification from growing with the history: they are a few per branch and environment.
    """
    reachable: set[int] = set()
    for facts in consumers.values():
        reachable.update(facts.branch_heads.values(), facts.latest_by_tag.values())
        for ids in (*facts.tagged.values(), *facts.deployed.values(), *facts.released.values()):
            reachable.update(ids)
    if consumers:
        reachable.update(repo.newest_consumer_versions_with_pacts(session, provider.id, consumers))
    return reachable


def _candidates(
    session: Session, provider: Pacticipant, consumers: dict[int, selection.ConsumerFacts]
) -> list[selection.Candidate]:
    """The provider's current pacts for the consumer versions selectors can reach."""
    rows = repo.current_pacts_of_consumer_versions(
        session, provider.id, _reachable_versions(session, provider, consumers)
    )
    branches, tags = repo.branch_and_tag_names(session, (row[1] for row in rows))
    return [
        selection.Candidate(
            consumer_id=consumer_id,
            consumer_name=consumers[consumer_id].name,
            consumer_version_id=version_id,
            consumer_version_number=number,
            pact_version_id=pact_version_id,
            sha=sha,
            created_at=created_at,
            branches=frozenset(branches.get(version_id, ())),
            tags=frozenset(tags.get(version_id, ())),
        )
        for consumer_id, version_id, number, pact_version_id, sha, created_at in sorted(
            rows, key=lambda row: row[1]
        )
    ]


def _provider_facts(
    session: Session,
    provider: Pacticipant,
    pact_version_ids: Sequence[int],
    query: VerificationQuery,
) -> selection.ProviderFacts:
    """Successful verifications of the candidates' content, and when the request's provider
    branch was created (or its tags first used): the only branch and tags pending and WIP
    look up."""
    branch_created: dict[str, datetime] = {}
    if query.provider_version_branch:
        branch = repo.find_branch(session, provider, query.provider_version_branch)
        if branch is not None:
            branch_created[branch.name] = branch.created_at
    tag_first: dict[str, datetime] = {}
    if query.provider_version_tags:
        tag_first = repo.first_tag_use_times(session, provider.id, query.provider_version_tags)
    rows = repo.successful_verification_rows(session, provider.id, pact_version_ids)
    branches, tags = repo.branch_and_tag_names(session, (row[1] for row in rows))
    successes: dict[int, list[selection.VerificationFact]] = {}
    for pact_version_id, version_id, created_at, wip in rows:
        successes.setdefault(pact_version_id, []).append(
            selection.VerificationFact(
                pact_version_id=pact_version_id,
                created_at=created_at,
                provider_branches=frozenset(branches.get(version_id, ())),
                provider_tags=frozenset(tags.get(version_id, ())),
                wip=wip,
            )
        )
    return selection.ProviderFacts(
        name=provider.name,
        branch_created_at=branch_created,
        tag_first_used_at=tag_first,
        successes=successes,
    )


def validate_environments(session: Session, selectors: Sequence[selection.Selector]) -> None:
    for index, selector in enumerate(selectors):
        if (
            selector.environment is not None
            and repo.find_environment_by_name(session, selector.environment) is None
        ):
            raise invalid(
                "consumerVersionSelectors",
                f"Environment not found: '{selector.environment}' (at index {index})",
            )


def pacts_for_verification(
    db: Database,
    provider_name: str,
    query: VerificationQuery,
    present: Callable[[VerifiableResult], R],
) -> R:
    with db.read() as session:
        provider = require_pacticipant(session, provider_name)
        validate_environments(session, query.selectors)
        environments = repo.environment_names_by_id(session)
        scope = _Scope.of(query)
        consumers = {
            cid: _consumer_facts(session, repo.pacticipant_by_id(session, cid), environments, scope)
            for cid in repo.consumers_of_provider(session, provider.id)
        }
        candidates = _candidates(session, provider, consumers)
        selectors = list(query.selectors) or selection.default_selectors(consumers, candidates)
        normalised = selection.normalise(selectors, query.provider_version_branch)
        entries = selection.squash(selection.apply_selectors(normalised, candidates, consumers))
        facts = _provider_facts(session, provider, [c.pact_version_id for c in candidates], query)
        for entry in entries:
            entry.pending = selection.is_pending(
                facts,
                entry.candidate.pact_version_id,
                provider_branch=query.provider_version_branch,
                provider_tags=query.provider_version_tags,
            )
            entry.provider_branch = query.provider_version_branch
            if not query.provider_version_branch and query.provider_version_tags:
                pending_tags = selection.pending_provider_tags(
                    facts, entry.candidate.pact_version_id, query.provider_version_tags
                )
                entry.pending_provider_tags = pending_tags
                entry.non_pending_provider_tags = [
                    t for t in query.provider_version_tags if t not in pending_tags
                ]
        if query.include_wip_pacts_since is not None:
            entries.extend(
                selection.wip_pacts(
                    since=query.include_wip_pacts_since,
                    candidates=candidates,
                    consumers=consumers,
                    facts=facts,
                    provider_branch=query.provider_version_branch,
                    provider_tags=query.provider_version_tags,
                    already=entries,
                )
            )
        latest_shas = {
            pub.consumer.name: pub.pact_version.sha
            for pub in repo.latest_publications_for_provider(session, provider)
        }
        return present(VerifiableResult(provider, entries, query, latest_shas))


def require_provider(db: Database, provider_name: str) -> None:
    with db.read() as session:
        require_pacticipant(session, provider_name)
