"""Pacts for verification (selection, pending, WIP) and verification results."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pact_pipeline.broker import repository as repo
from pact_pipeline.broker import selection
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.errors import NotFoundError, invalid
from pact_pipeline.broker.models import (
    Branch,
    BranchVersion,
    DeployedVersion,
    Environment,
    Pacticipant,
    PactPublication,
    PactVersion,
    ReleasedVersion,
    Tag,
    Verification,
    Version,
)
from pact_pipeline.broker.services.pacticipants import require_pacticipant
from pact_pipeline.broker.services.pacts import require_publication_for_sha

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
    provider: Pacticipant
    entries: list[selection.VerifiablePact]
    query: VerificationQuery


def _labels(
    session: Session, version_ids: Iterable[int]
) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    """The branch names and the tag names of each version, in two queries (not two per
    version)."""
    branches: dict[int, set[str]] = {}
    tags: dict[int, set[str]] = {}
    for chunk in repo.chunked(version_ids):
        for version_id, name in session.execute(
            select(BranchVersion.version_id, Branch.name)
            .join(Branch, Branch.id == BranchVersion.branch_id)
            .where(BranchVersion.version_id.in_(chunk))
        ).tuples():
            branches.setdefault(version_id, set()).add(name)
        for version_id, name in session.execute(
            select(Tag.version_id, Tag.name).where(Tag.version_id.in_(chunk))
        ).tuples():
            tags.setdefault(version_id, set()).add(name)
    return branches, tags


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
    branches: frozenset[str]
    tags: frozenset[str]
    listed_tags: frozenset[str]

    @classmethod
    def of(cls, query: VerificationQuery) -> _Scope:
        explicit = selection.normalise(query.selectors, query.provider_version_branch)
        return cls(
            every_label=query.include_wip_pacts_since is not None,
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
    heads_query = select(Branch.name, repo.newest_on_branch()).where(
        Branch.pacticipant_id == consumer.id
    )
    tags_query = (
        select(Tag.name, func.max(Tag.version_id))
        .where(Tag.pacticipant_id == consumer.id)
        .group_by(Tag.name)
    )
    if not scope.every_label:
        heads_query = heads_query.where(Branch.name.in_(sorted(scope.branches | main)))
        tags_query = tags_query.where(Tag.name.in_(sorted(scope.tags | main)))
    heads = {
        name: version_id
        for name, version_id in session.execute(heads_query).tuples()
        if version_id is not None
    }
    latest_by_tag = dict(session.execute(tags_query).tuples().all())
    tagged: dict[str, set[int]] = {}
    if scope.listed_tags:
        for tag_name, version_id in session.execute(
            select(Tag.name, Tag.version_id).where(
                Tag.pacticipant_id == consumer.id, Tag.name.in_(sorted(scope.listed_tags))
            )
        ).tuples():
            tagged.setdefault(tag_name, set()).add(version_id)
    deployed: dict[str, set[int]] = {}
    for env_id, version_id in session.execute(
        select(DeployedVersion.environment_id, DeployedVersion.version_id).where(
            DeployedVersion.pacticipant_id == consumer.id, DeployedVersion.undeployed_at.is_(None)
        )
    ).all():
        deployed.setdefault(environments[env_id], set()).add(version_id)
    released: dict[str, set[int]] = {}
    for env_id, version_id in session.execute(
        select(ReleasedVersion.environment_id, ReleasedVersion.version_id).where(
            ReleasedVersion.pacticipant_id == consumer.id,
            ReleasedVersion.support_ended_at.is_(None),
        )
    ).all():
        released.setdefault(environments[env_id], set()).add(version_id)
    return selection.ConsumerFacts(
        consumer_id=consumer.id,
        name=consumer.name,
        main_branch=consumer.main_branch,
        branch_heads=heads,
        latest_by_tag=latest_by_tag,
        tagged={tag: frozenset(ids) for tag, ids in tagged.items()},
        deployed={env: frozenset(ids) for env, ids in deployed.items()},
        released={env: frozenset(ids) for env, ids in released.items()},
    )


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
        # One seek per consumer in the (provider, consumer, consumer version) index.
        newest = (
            select(func.max(PactPublication.consumer_version_id))
            .where(
                PactPublication.provider_id == provider.id,
                PactPublication.consumer_id == Pacticipant.id,
            )
            .scalar_subquery()
        )
        reachable.update(
            version_id
            for version_id in session.scalars(
                select(newest).where(Pacticipant.id.in_(sorted(consumers)))
            )
            if version_id is not None
        )
    return reachable


def _candidates(
    session: Session, provider: Pacticipant, consumers: dict[int, selection.ConsumerFacts]
) -> list[selection.Candidate]:
    """The provider's current pacts for the consumer versions selectors can reach."""
    rows: list[tuple[int, int, str, int, str, datetime]] = []
    for chunk in repo.chunked(_reachable_versions(session, provider, consumers)):
        rows.extend(
            session.execute(
                select(
                    PactPublication.consumer_id,
                    PactPublication.consumer_version_id,
                    Version.number,
                    PactPublication.pact_version_id,
                    PactVersion.sha,
                    PactPublication.created_at,
                )
                .join(Version, Version.id == PactPublication.consumer_version_id)
                .join(PactVersion, PactVersion.id == PactPublication.pact_version_id)
                .where(
                    PactPublication.provider_id == provider.id,
                    PactPublication.consumer_version_id.in_(chunk),
                    repo.is_current_revision(),
                )
            ).tuples()
        )
    branches, tags = _labels(session, (row[1] for row in rows))
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
        first_ids = (
            select(func.min(Tag.id))
            .where(
                Tag.pacticipant_id == provider.id,
                Tag.name.in_(sorted(set(query.provider_version_tags))),
            )
            .group_by(Tag.name)
        )
        tag_first = dict(
            session.execute(select(Tag.name, Tag.created_at).where(Tag.id.in_(first_ids)))
            .tuples()
            .all()
        )
    rows: list[tuple[int, int, datetime, bool]] = []
    for chunk in repo.chunked(pact_version_ids):
        rows.extend(
            session.execute(
                select(
                    Verification.pact_version_id,
                    Verification.provider_version_id,
                    Verification.created_at,
                    Verification.wip,
                )
                .where(
                    Verification.pact_version_id.in_(chunk),
                    Verification.success.is_(True),
                    Verification.provider_id == provider.id,
                )
                .order_by(Verification.id)
            ).tuples()
        )
    branches, tags = _labels(session, (row[1] for row in rows))
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
    present: Callable[[Session, VerifiableResult], R],
) -> R:
    with db.read() as session:
        provider = require_pacticipant(session, provider_name)
        validate_environments(session, query.selectors)
        environments = {e.id: e.name for e in session.scalars(select(Environment)).all()}
        scope = _Scope.of(query)
        consumers = {
            cid: _consumer_facts(session, session.get_one(Pacticipant, cid), environments, scope)
            for cid in repo.consumers_of_provider(session, provider.id)
        }
        candidates = _candidates(session, provider, consumers)
        selectors = list(query.selectors) or selection.default_selectors(consumers, candidates)
        normalised = selection.normalise(selectors, query.provider_version_branch)
        entries = selection.squash(selection.select(normalised, candidates, consumers))
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
        return present(session, VerifiableResult(provider, entries, query))


def require_provider(db: Database, provider_name: str) -> None:
    with db.read() as session:
        require_pacticipant(session, provider_name)


# --- verification results ----------------------------------------------------------------------


@dataclass(frozen=True)
class VerificationCommand:
    success: bool
    provider_version: str
    build_url: str | None = None
    test_results: Any = None
    verified_by: Any = None
    provider_branch: str | None = None


def publish_verification(
    db: Database,
    *,
    provider_name: str,
    consumer_name: str,
    sha: str | None,
    metadata: dict[str, Any],
    command: VerificationCommand,
    present: Callable[[Session, Verification], R],
    on_published: Callable[[Session, Verification], None] | None = None,
) -> R:
    """Record a verification of a pact version (by SHA, or the integration's latest pact)."""
    with db.write() as session:
        if sha is None:
            consumer = require_pacticipant(session, consumer_name)
            provider = require_pacticipant(session, provider_name)
            latest = repo.latest_publication(session, consumer, provider)
            if latest is None:
                msg = f"No pact found between {consumer_name} and {provider_name}"
                raise NotFoundError(msg)
            pub: PactPublication = latest
        else:
            pub = require_publication_for_sha(session, consumer_name, provider_name, sha)
        provider = pub.provider
        version = repo.find_or_create_version(session, provider, command.provider_version)
        if command.build_url:
            version.build_url = command.build_url
        if command.provider_branch:
            repo.add_version_to_branch(session, version, command.provider_branch)
        verification = Verification(
            number=repo.next_verification_number(session, pub.pact_version),
            pact_version_id=pub.pact_version_id,
            provider_version_id=version.id,
            consumer_id=pub.consumer_id,
            provider_id=pub.provider_id,
            success=command.success,
            build_url=command.build_url,
            test_results=command.test_results,
            verified_by=command.verified_by,
            wip=bool(metadata.get("w")),
            pact_pending=metadata.get("p") if isinstance(metadata.get("p"), bool) else None,
        )
        session.add(verification)
        session.flush()
        if on_published is not None:
            on_published(session, verification)
        return present(session, verification)


def get_verification(
    db: Database,
    *,
    provider_name: str,
    consumer_name: str,
    sha: str,
    number: int | None,
    present: Callable[[Session, Verification], R],
) -> R:
    with db.read() as session:
        pub = require_publication_for_sha(session, consumer_name, provider_name, sha)
        if number is None:
            verification = repo.latest_verification(session, pub.pact_version)
        else:
            verification = repo.find_verification(session, pub.pact_version, number)
        if verification is None:
            msg = (
                "No verification results found for the pact between "
                f"{consumer_name} and {provider_name} ({sha})"
            )
            raise NotFoundError(msg)
        return present(session, verification)


def latest_verification_for_latest_pact(
    db: Database,
    *,
    provider_name: str,
    consumer_name: str,
    present: Callable[[Session, Verification], R],
) -> R:
    with db.read() as session:
        consumer = require_pacticipant(session, consumer_name)
        provider = require_pacticipant(session, provider_name)
        pub = repo.latest_publication(session, consumer, provider)
        verification = repo.latest_verification(session, pub.pact_version) if pub else None
        if verification is None:
            msg = (
                "No verification results found for the latest pact between "
                f"{consumer_name} and {provider_name}"
            )
            raise NotFoundError(msg)
        return present(session, verification)


def latest_verification_for_consumer_version(
    db: Database, *, consumer_name: str, number: str, present: Callable[[Session, Verification], R]
) -> R:
    with db.read() as session:
        consumer = require_pacticipant(session, consumer_name)
        version: Version | None = repo.find_version(session, consumer, number)
        verification = (
            repo.latest_verification_for_consumer_version(session, version) if version else None
        )
        if verification is None:
            msg = f"No verification results found for {consumer_name} version {number}"
            raise NotFoundError(msg)
        return present(session, verification)
