"""Pacts for verification: the facts selection needs, loaded through the repository for the
reachable versions only, handed to the pure rules of :mod:`pact_pipeline.broker.selection`."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
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
        wip_since: WIP pacts were asked for, published since then: the head of every branch and
            the newest version of every tag with a version published since then is a
            candidate.
        every_branch: ``{branch: true}``: every branch head is a candidate.
        branches: Branch names the selectors name (``branch``, which normalisation sets for
            ``matchingBranch``, and ``fallbackBranch``); each consumer's main branch is added.
        tags: Tag names the selectors name (``tag``, ``fallbackTag``); each consumer's main
            branch name is added, as the default selectors use it as a tag.
        listed_tags: Tags whose every version a selector asks for (no ``latest``).
    """

    wip_since: datetime | None
    every_branch: bool
    branches: frozenset[str]
    tags: frozenset[str]
    listed_tags: frozenset[str]

    @classmethod
    def of(cls, query: VerificationQuery) -> _Scope:
        explicit = selection.normalise(query.selectors, query.provider_version_branch)
        return cls(
            wip_since=query.include_wip_pacts_since,
            every_branch=any(s.each_branch for s in explicit),
            branches=frozenset(n for s in explicit for n in (s.branch, s.fallback_branch) if n),
            tags=frozenset(n for s in explicit for n in (s.tag, s.fallback_tag) if n),
            listed_tags=frozenset(s.tag for s in explicit if s.tag is not None and not s.latest),
        )


def _consumer_facts(
    session: Session,
    provider_id: int,
    consumers: Sequence[Pacticipant],
    environments: dict[int, str],
    scope: _Scope,
) -> dict[int, selection.ConsumerFacts]:
    """Where each consumer's branches, tags and environments point, as far as ``scope``
    needs, by consumer id.

    Costs one seek per branch (its head is its newest branch version) and one row per tag
    name, not a read of the consumers' whole history: only the branches and tags the selectors
    name (every branch for ``{branch: true}``), each consumer's main branch, and with WIP the
    branches and tags of the versions with a pact published since the WIP date. One query
    per kind of fact for all the consumers.
    """
    ids = [c.id for c in consumers]
    # WIP pacts are the current pacts of branch heads and tags' newest versions published
    # since a date: only the branches and tags of versions published since then can have one.
    recent_branches: dict[int, set[str]] = {}
    recent_tags: dict[int, set[str]] = {}
    if scope.wip_since is not None:
        recent_branches, recent_tags = repo.labels_of_consumer_versions_published_since(
            session, provider_id, ids, scope.wip_since
        )

    def own(consumer: Pacticipant, named: frozenset[str], recent: dict[int, set[str]]) -> set[str]:
        main = {consumer.main_branch} if consumer.main_branch else set()
        return set(named) | main | recent.get(consumer.id, set())

    own_branches = {c.id: own(c, scope.branches, recent_branches) for c in consumers}
    own_tags = {c.id: own(c, scope.tags, recent_tags) for c in consumers}
    branches = None if scope.every_branch else set().union(*own_branches.values())
    tags: set[str] | None = set().union(*own_tags.values())
    heads = repo.branch_heads_by_name(session, ids, branches)
    newest_tagged = repo.newest_version_per_tag(session, ids, tags)
    tagged = repo.versions_per_tag(session, ids, scope.listed_tags) if scope.listed_tags else {}
    deployed = repo.current_versions_by_environment(session, DeployedVersion, ids)
    released = repo.current_versions_by_environment(session, ReleasedVersion, ids)
    facts: dict[int, selection.ConsumerFacts] = {}
    for consumer in consumers:
        # Other consumers' names were read too: keep the ones this one's scope has.
        facts[consumer.id] = selection.ConsumerFacts(
            consumer_id=consumer.id,
            name=consumer.name,
            main_branch=consumer.main_branch,
            branch_heads=_only(
                heads.get(consumer.id, {}), None if branches is None else own_branches[consumer.id]
            ),
            latest_by_tag=_only(newest_tagged.get(consumer.id, {}), own_tags[consumer.id]),
            tagged={tag: frozenset(v) for tag, v in tagged.get(consumer.id, {}).items()},
            deployed=_by_environment_name(deployed.get(consumer.id, {}), environments),
            released=_by_environment_name(released.get(consumer.id, {}), environments),
        )
    return facts


def _only(by_name: dict[str, int], names: set[str] | None) -> dict[str, int]:
    if names is None:
        return by_name
    return {name: v for name, v in by_name.items() if name in names}


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
    now: datetime,
) -> selection.ProviderFacts:
    """What pending and WIP need to know: when the request's provider branch was created (or
    its tags first used), and, for each question the rules will ask of the candidates'
    content, one successful verification answering it (not every verification: a content
    verified by every provider build would make this read thousands)."""
    branch_created: dict[str, datetime] = {}
    if query.provider_version_branch:
        branch = repo.find_branch(session, provider, query.provider_version_branch)
        if branch is not None:
            branch_created[branch.name] = branch.created_at
    tag_first: dict[str, datetime] = {}
    if query.provider_version_tags:
        tag_first = repo.first_tag_use_times(session, provider.id, query.provider_version_tags)
    asked = selection.questions(
        provider_branch=query.provider_version_branch,
        provider_tags=query.provider_version_tags,
        branch_created_at=branch_created,
        tag_first_used_at=tag_first,
        wip_cutoff=(
            selection.wip_cutoff(now) if query.include_wip_pacts_since is not None else None
        ),
    )
    witnesses: set[int] = set()
    for question in asked:
        witnesses.update(
            repo.verification_witnesses(session, provider.id, pact_version_ids, question).values()
        )
    rows = repo.witness_rows(session, witnesses)
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
        consumer_ids = repo.consumers_of_provider(session, provider.id)
        by_id = repo.pacticipants_by_ids(session, consumer_ids)
        facts_by_id = _consumer_facts(
            session, provider.id, [by_id[cid] for cid in consumer_ids], environments, scope
        )
        consumers = {cid: facts_by_id[cid] for cid in consumer_ids}
        candidates = _candidates(session, provider, consumers)
        selectors = list(query.selectors) or selection.default_selectors(consumers, candidates)
        normalised = selection.normalise(selectors, query.provider_version_branch)
        entries = selection.squash(selection.apply_selectors(normalised, candidates, consumers))
        now = datetime.now(UTC)
        facts = _provider_facts(
            session, provider, [c.pact_version_id for c in candidates], query, now
        )
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
                    now=now,
                )
            )
        latest_shas = repo.latest_pact_shas_by_consumer(session, provider.id, by_id.values())
        return present(VerifiableResult(provider, entries, query, latest_shas))


def require_provider(db: Database, provider_name: str) -> None:
    with db.read() as session:
        require_pacticipant(session, provider_name)
