"""Publishing pacts (``/contracts/publish`` and ``PUT /pacts/...``) and reading them back."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.content import (
    canonical_json,
    content_sha,
    merge_pacts,
    pacticipant_name,
    with_interaction_ids,
)
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.errors import ConflictError, NotFoundError, invalid
from pact_pipeline.broker.models import (
    Branch,
    BranchVersion,
    Pacticipant,
    PactPublication,
    PactVersion,
    Tag,
    Version,
)
from pact_pipeline.broker.services.pacticipants import require_pacticipant, require_version

R = TypeVar("R")
NoticeType = Literal["debug", "info", "success", "warning", "prompt", "error"]


@dataclass(frozen=True)
class Notice:
    type: NoticeType
    text: str


@dataclass(frozen=True)
class Contract:
    consumer_name: str
    provider_name: str
    content: dict[str, Any]
    on_conflict: Literal["overwrite", "merge"] = "overwrite"


@dataclass(frozen=True)
class PublishCommand:
    pacticipant_name: str
    version_number: str
    contracts: tuple[Contract, ...]
    branch: str | None = None
    tags: tuple[str, ...] = ()
    build_url: str | None = None


@dataclass
class StoredPact:
    """The outcome of storing one pact."""

    publication: PactPublication
    created: bool
    content_changed: bool
    republished_unchanged: bool
    events: list[str] = field(default_factory=list)


@dataclass
class PublishOutcome:
    version: Version
    pacts: list[StoredPact]
    notices: list[Notice]
    created_version: bool


def _store_pact(
    session: Session,
    consumer: Pacticipant,
    provider: Pacticipant,
    version: Version,
    content: dict[str, Any],
    *,
    mode: Literal["overwrite", "merge", "patch"],
    allow_dangerous: bool,
) -> StoredPact:
    current = repo.current_publication(session, version, provider)
    if current is not None and mode in ("merge", "patch"):
        existing = json.loads(current.pact_version.content)
        content = merge_pacts(existing, content, strict=mode == "patch")
    content = with_interaction_ids(content)
    sha = content_sha(content)
    pact_version = repo.find_pact_version(session, consumer, provider, sha)
    if pact_version is None:
        pact_version = PactVersion(
            consumer_id=consumer.id,
            provider_id=provider.id,
            sha=sha,
            content=canonical_json(content),
        )
        session.add(pact_version)
        session.flush()
    if current is not None and current.pact_version_id == pact_version.id:
        return StoredPact(
            current,
            created=False,
            content_changed=False,
            republished_unchanged=True,
            events=["contract_published"],
        )
    if current is not None and mode == "overwrite" and not allow_dangerous:
        msg = (
            f"Cannot change the content of the pact for {consumer.name} version {version.number} "
            f"and provider {provider.name}, as race conditions will cause unreliable results "
            "for can-i-deploy. Each pact must be published with a unique consumer version "
            "number. Some Pact libraries generate random data when a concrete value for a type "
            "matcher is not specified, and this can cause the contract to mutate - ensure you "
            "have given example values for all type matchers."
        )
        raise ConflictError(
            msg,
            body={
                "notices": [{"type": "error", "text": msg}],
                "errors": {"contracts": [msg]},
            },
        )
    publication = PactPublication(
        consumer_id=consumer.id,
        provider_id=provider.id,
        consumer_version_id=version.id,
        pact_version_id=pact_version.id,
        revision_number=(current.revision_number + 1) if current is not None else 1,
    )
    session.add(publication)
    session.flush()
    previous = repo.previous_publication(session, publication)
    changed = previous is None or previous.pact_version_id != pact_version.id
    events = ["contract_published"] + (["contract_content_changed"] if changed else [])
    return StoredPact(
        publication,
        created=current is None,
        content_changed=changed,
        republished_unchanged=False,
        events=events,
    )


def publish_contracts(
    db: Database,
    command: PublishCommand,
    present: Callable[[Session, PublishOutcome], R],
    *,
    allow_dangerous: bool,
    pact_url: Callable[[PactPublication], str],
    on_published: Callable[[Session, StoredPact], None] | None = None,
) -> R:
    """Create the version with its branch and tags, then store each contract."""
    with db.write() as session:
        pacticipant = repo.find_or_create_pacticipant(session, command.pacticipant_name)
        created_version = repo.find_version(session, pacticipant, command.version_number) is None
        version = repo.find_or_create_version(session, pacticipant, command.version_number)
        if command.build_url:
            version.build_url = command.build_url
        if command.branch:
            repo.add_version_to_branch(session, version, command.branch)
        for tag in command.tags:
            repo.add_tag(session, version, tag)
        notices = [Notice("debug", _version_notice(command, created_version))]
        stored: list[StoredPact] = []
        for contract in command.contracts:
            provider = repo.find_or_create_pacticipant(session, contract.provider_name)
            result = _store_pact(
                session,
                pacticipant,
                provider,
                version,
                contract.content,
                mode=contract.on_conflict,
                allow_dangerous=allow_dangerous,
            )
            stored.append(result)
            notices.extend(_pact_notices(command, contract, result, pact_url(result.publication)))
            if on_published is not None:
                on_published(session, result)
        session.flush()
        session.refresh(version)
        return present(session, PublishOutcome(version, stored, notices, created_version))


def _version_notice(command: PublishCommand, created: bool) -> str:
    verb = "Created" if created else "Updated"
    parts = [f"{verb} {command.pacticipant_name} version {command.version_number}"]
    if command.branch:
        parts.append(f"with branch {command.branch}")
    if command.tags:
        parts.append(("and " if command.branch else "with ") + f"tags {', '.join(command.tags)}")
    return " ".join(parts)


def _pact_notices(
    command: PublishCommand, contract: Contract, stored: StoredPact, url: str
) -> list[Notice]:
    who = f"{command.pacticipant_name} version {command.version_number}"
    if stored.republished_unchanged:
        headline = Notice(
            "success",
            f"Pact published for {who} and provider {contract.provider_name} "
            "(republished with no content changes).",
        )
    else:
        headline = Notice(
            "success",
            f"Pact successfully published for {who} and provider {contract.provider_name}.",
        )
    notices = [headline, Notice("debug", f"  View the published pact at {url}")]
    if stored.events:
        reason = ""
        if "contract_content_changed" in stored.events:
            reason = " (pact content has changed since the previous version)"
        notices.append(Notice("debug", f"  Events detected: {', '.join(stored.events)}{reason}"))
    if not command.branch:
        notices.append(
            Notice(
                "warning",
                "  No branch was given: set the consumer version's branch so that providers can "
                "select this pact with mainBranch, branch and matchingBranch selectors.",
            )
        )
    notices.append(
        Notice(
            "prompt",
            "  Next steps:\n    * Configure separate "
            f"{contract.provider_name} pact verification build and webhook to trigger it when "
            "the pact content changes. See https://docs.pact.io/go/webhooks",
        )
    )
    return notices


def put_pact(
    db: Database,
    *,
    consumer_name: str,
    provider_name: str,
    version_number: str,
    content: dict[str, Any],
    merge: bool,
    allow_dangerous: bool,
    present: Callable[[Session, StoredPact], R],
    on_published: Callable[[Session, StoredPact], None] | None = None,
) -> R:
    """Store a pact by consumer version (PUT overwrite, PATCH merge)."""
    for role, expected in (("consumer", consumer_name), ("provider", provider_name)):
        actual = pacticipant_name(content, role)
        if actual is not None and actual != expected:
            raise invalid(
                f"{role}.name",
                f"{role} name in pact ({actual}) does not match {role} name in path ({expected})",
            )
    with db.write() as session:
        consumer = repo.find_or_create_pacticipant(session, consumer_name)
        provider = repo.find_or_create_pacticipant(session, provider_name)
        version = repo.find_or_create_version(session, consumer, version_number)
        stored = _store_pact(
            session,
            consumer,
            provider,
            version,
            content,
            mode="patch" if merge else "overwrite",
            allow_dangerous=allow_dangerous,
        )
        if on_published is not None:
            on_published(session, stored)
        return present(session, stored)


def _integration(
    session: Session, consumer_name: str, provider_name: str
) -> tuple[Pacticipant, Pacticipant]:
    return require_pacticipant(session, consumer_name), require_pacticipant(session, provider_name)


def _no_pact(consumer: str, provider: str, detail: str = "") -> NotFoundError:
    return NotFoundError(f"No pact found between {consumer} and {provider}{detail}")


def get_pact_for_version(
    db: Database,
    consumer_name: str,
    provider_name: str,
    version_number: str,
    present: Callable[[Session, PactPublication], R],
) -> R:
    with db.read() as session:
        provider = require_pacticipant(session, provider_name)
        version = require_version(session, consumer_name, version_number)
        pub = repo.current_publication(session, version, provider)
        if pub is None:
            raise _no_pact(consumer_name, provider_name, f" for consumer version {version_number}")
        return present(session, pub)


def delete_pact_for_version(
    db: Database, consumer_name: str, provider_name: str, version_number: str
) -> None:
    with db.write() as session:
        provider = require_pacticipant(session, provider_name)
        version = require_version(session, consumer_name, version_number)
        pubs = list(
            session.query(PactPublication).filter_by(
                consumer_version_id=version.id, provider_id=provider.id
            )
        )
        if not pubs:
            raise _no_pact(consumer_name, provider_name, f" for consumer version {version_number}")
        for pub in pubs:
            session.delete(pub)


def get_latest_pact(
    db: Database,
    consumer_name: str,
    provider_name: str,
    present: Callable[[Session, PactPublication], R],
    *,
    tag: str | None = None,
    branch: str | None = None,
    untagged: bool = False,
) -> R:
    with db.read() as session:
        consumer, provider = _integration(session, consumer_name, provider_name)
        pub = repo.latest_publication(
            session, consumer, provider, tag=tag, branch=branch, untagged=untagged
        )
        if pub is None:
            raise _no_pact(consumer_name, provider_name)
        return present(session, pub)


def get_pact_version(
    db: Database,
    consumer_name: str,
    provider_name: str,
    sha: str,
    present: Callable[[Session, PactPublication], R],
) -> R:
    """The pact content with a SHA, presented through its newest publication."""
    with db.read() as session:
        pub = require_publication_for_sha(session, consumer_name, provider_name, sha)
        return present(session, pub)


def require_publication_for_sha(
    session: Session, consumer_name: str, provider_name: str, sha: str
) -> PactPublication:
    consumer, provider = _integration(session, consumer_name, provider_name)
    pact_version = repo.find_pact_version(session, consumer, provider, sha)
    if pact_version is None:
        raise _no_pact(consumer_name, provider_name, f" with pact version {sha}")
    pub = (
        session.query(PactPublication)
        .filter_by(pact_version_id=pact_version.id)
        .order_by(PactPublication.consumer_version_id.desc(), PactPublication.id.desc())
        .first()
    )
    if pub is None:
        raise _no_pact(consumer_name, provider_name, f" with pact version {sha}")
    return pub


def latest_provider_pacts(
    db: Database,
    provider_name: str,
    present: Callable[[Session, Pacticipant, Sequence[PactPublication]], R],
    *,
    tag: str | None = None,
) -> R:
    with db.read() as session:
        provider = require_pacticipant(session, provider_name)
        return present(
            session, provider, repo.latest_publications_for_provider(session, provider, tag=tag)
        )


def all_latest_pacts(db: Database, present: Callable[[Session, Sequence[PactPublication]], R]) -> R:
    with db.read() as session:
        return present(session, repo.all_latest_publications(session))


def provider_pacts(
    db: Database,
    provider_name: str,
    present: Callable[[Session, Pacticipant, Sequence[PactPublication]], R],
    *,
    tag: str | None = None,
    branch: str | None = None,
    main_branch: bool = False,
    latest: bool = False,
) -> R:
    """Pacts for a provider filtered by the consumer version's tag, branch or main branch.

    The filters run in the database: reading every pact of the provider to filter them here
    costs a few queries per pact, and a provider has one pact per consumer build.
    """
    with db.read() as session:
        provider = require_pacticipant(session, provider_name)
        chosen: list[PactPublication] = []
        if latest:
            for consumer_id in repo.consumers_of_provider(session, provider.id):
                consumer = session.get_one(Pacticipant, consumer_id)
                wanted_branch = consumer.main_branch if main_branch else branch
                if main_branch and wanted_branch is None:
                    continue
                pub = repo.latest_publication(
                    session, consumer, provider, tag=tag, branch=wanted_branch
                )
                if pub is not None:
                    chosen.append(pub)
        else:
            chosen = list(
                session.scalars(
                    _matching(provider, tag=tag, branch=branch, main_branch=main_branch)
                )
            )
        chosen.sort(key=lambda p: (p.consumer.name, -p.consumer_version_id))
        return present(session, provider, chosen)


def _matching(
    provider: Pacticipant, *, tag: str | None, branch: str | None, main_branch: bool
) -> Select[PactPublication]:
    """The provider's current pacts whose consumer version has the tag, is on the branch, or is
    on its pacticipant's main branch."""
    version_id = PactPublication.consumer_version_id
    query = (
        select(PactPublication)
        .where(PactPublication.provider_id == provider.id, repo.is_current_revision())
        .options(joinedload(PactPublication.consumer_version), joinedload(PactPublication.consumer))
    )
    if tag is not None:
        query = query.where(version_id.in_(select(Tag.version_id).where(Tag.name == tag)))
    on_branch = select(BranchVersion.version_id).join(Branch, Branch.id == BranchVersion.branch_id)
    if main_branch:
        # A version's branches belong to its own pacticipant, the pact's consumer.
        query = query.where(
            version_id.in_(
                on_branch.join(Pacticipant, Pacticipant.id == Branch.pacticipant_id).where(
                    Branch.name == Pacticipant.main_branch
                )
            )
        )
    elif branch is not None:
        query = query.where(version_id.in_(on_branch.where(Branch.name == branch)))
    return query
