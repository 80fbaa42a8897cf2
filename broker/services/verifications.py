"""Pacts for verification (selection, pending, WIP) and verification results."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from broker import repository as repo
from broker import selection
from broker.db import Database
from broker.errors import NotFoundError, invalid
from broker.models import (
    Branch,
    BranchVersion,
    DeployedVersion,
    Environment,
    Pacticipant,
    PactPublication,
    ReleasedVersion,
    Tag,
    Verification,
    Version,
)
from broker.services.pacticipants import require_pacticipant
from broker.services.pacts import require_publication_for_sha

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


def _consumer_facts(
    session: Session, consumer: Pacticipant, environments: dict[int, str]
) -> selection.ConsumerFacts:
    heads: dict[str, int] = {}
    for branch_name, version_id in session.execute(
        select(Branch.name, BranchVersion.version_id)
        .join(BranchVersion, BranchVersion.branch_id == Branch.id)
        .where(Branch.pacticipant_id == consumer.id)
        .order_by(BranchVersion.id)
    ).all():
        heads[branch_name] = version_id
    tagged: dict[str, set[int]] = {}
    for tag_name, version_id in session.execute(
        select(Tag.name, Tag.version_id).where(Tag.pacticipant_id == consumer.id)
    ).all():
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
        latest_by_tag={tag: max(ids) for tag, ids in tagged.items()},
        tagged={tag: frozenset(ids) for tag, ids in tagged.items()},
        deployed={env: frozenset(ids) for env, ids in deployed.items()},
        released={env: frozenset(ids) for env, ids in released.items()},
    )


def _candidates(session: Session, provider: Pacticipant) -> list[selection.Candidate]:
    pubs = repo.current_publications_for_provider(session, provider)
    result = []
    for pub in pubs:
        version = pub.consumer_version
        result.append(
            selection.Candidate(
                consumer_id=pub.consumer_id,
                consumer_name=pub.consumer.name,
                consumer_version_id=pub.consumer_version_id,
                consumer_version_number=version.number,
                pact_version_id=pub.pact_version_id,
                sha=pub.pact_version.sha,
                created_at=pub.created_at,
                branches=frozenset(bv.branch.name for bv in version.branch_versions),
                tags=frozenset(t.name for t in version.tags),
            )
        )
    return result


def _provider_facts(
    session: Session, provider: Pacticipant, pact_version_ids: Sequence[int]
) -> selection.ProviderFacts:
    branch_created = {b.name: b.created_at for b in repo.list_branches(session, provider)}
    tag_first: dict[str, datetime] = {}
    for name, created_at in session.execute(
        select(Tag.name, Tag.created_at).where(Tag.pacticipant_id == provider.id).order_by(Tag.id)
    ).all():
        tag_first.setdefault(name, created_at)
    successes: dict[int, list[selection.VerificationFact]] = {}
    if pact_version_ids:
        verifications = session.scalars(
            select(Verification).where(
                Verification.pact_version_id.in_(list(pact_version_ids)),
                Verification.success.is_(True),
                Verification.provider_id == provider.id,
            )
        ).all()
        for verification in verifications:
            version = verification.provider_version
            successes.setdefault(verification.pact_version_id, []).append(
                selection.VerificationFact(
                    pact_version_id=verification.pact_version_id,
                    created_at=verification.created_at,
                    provider_branches=frozenset(bv.branch.name for bv in version.branch_versions),
                    provider_tags=frozenset(t.name for t in version.tags),
                    wip=verification.wip,
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
        candidates = _candidates(session, provider)
        consumer_ids = sorted({c.consumer_id for c in candidates})
        consumers = {
            cid: _consumer_facts(session, session.get_one(Pacticipant, cid), environments)
            for cid in consumer_ids
        }
        selectors = list(query.selectors) or selection.default_selectors(consumers, candidates)
        normalised = selection.normalise(selectors, query.provider_version_branch)
        entries = selection.squash(selection.select(normalised, candidates, consumers))
        facts = _provider_facts(session, provider, [c.pact_version_id for c in candidates])
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
