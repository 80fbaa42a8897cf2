"""Publishing pacts (``/contracts/publish`` and ``PUT /pacts/...``) and reading them back."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from sqlalchemy.orm import Session

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
    Pacticipant,
    PactPublication,
    PactVersion,
    Verification,
    Version,
)
from pact_pipeline.broker.pacticipant_names import duplicate_message, potential_duplicates
from pact_pipeline.broker.paging import Page, PageRequest
from pact_pipeline.broker.services import contract_comparisons
from pact_pipeline.broker.services.pacticipants import require_pacticipant, require_version
from pact_pipeline.broker.services.versions import first_tag_as_branch

R = TypeVar("R")


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
    # Filled in by the event hooks: why each event was raised (shown after its name), the
    # deliveries it triggered, and whether any webhook covers the pact at all.
    event_comments: dict[str, str] = field(default_factory=dict)
    triggered: list[Any] = field(default_factory=list)
    webhooks_configured: bool = False
    # Merged into the consumer version's existing pact (``onConflict: merge``).
    merged: bool = False


@dataclass(frozen=True)
class PactView:
    """A publication with the newest verification of its content (the pact resource names its
    outcome)."""

    publication: PactPublication
    latest_verification: Verification | None


def view_of(session: Session, pub: PactPublication) -> PactView:
    return PactView(pub, repo.latest_verification(session, pub.pact_version))


@dataclass
class PublishOutcome:
    """What publishing contracts did: the consumer version (``created_version`` when it is
    new), and each contract's stored pact, in the command's order."""

    command: PublishCommand
    version: Version
    pacts: list[StoredPact]
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
    merged = current is not None and mode in ("merge", "patch")
    if current is not None and merged:
        existing = json.loads(current.pact_version.content)
        content = merge_pacts(existing, content, strict=mode == "patch")
    pact_version = _find_or_create_pact_version(session, consumer, provider, content)
    if current is not None and current.pact_version_id == pact_version.id:
        return StoredPact(
            current,
            created=False,
            content_changed=False,
            republished_unchanged=True,
            events=["contract_published"],
            merged=merged,
        )
    if current is not None and mode == "overwrite" and not allow_dangerous:
        raise _content_change_refused(consumer, provider, version)
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
    comments = {}
    if changed:
        comments["contract_content_changed"] = (
            "first time pact published"
            if previous is None
            else "pact content has changed since the previous version"
        )
    return StoredPact(
        publication,
        created=current is None,
        content_changed=changed,
        republished_unchanged=False,
        events=events,
        event_comments=comments,
        merged=merged,
    )


def _find_or_create_pact_version(
    session: Session, consumer: Pacticipant, provider: Pacticipant, content: dict[str, Any]
) -> PactVersion:
    """The stored content (one row per SHA, whoever publishes it again)."""
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
    return pact_version


def _content_change_refused(
    consumer: Pacticipant, provider: Pacticipant, version: Version
) -> ConflictError:
    msg = (
        f"Cannot change the content of the pact for {consumer.name} version {version.number} "
        f"and provider {provider.name}, as race conditions will cause unreliable results "
        "for can-i-deploy. Each pact must be published with a unique consumer version "
        "number. Some Pact libraries generate random data when a concrete value for a type "
        "matcher is not specified, and this can cause the contract to mutate - ensure you "
        "have given example values for all type matchers."
    )
    return ConflictError(
        msg,
        body={
            "notices": [{"type": "error", "text": msg}],
            "errors": {"contracts": [msg]},
        },
    )


def _refuse_likely_duplicates(
    session: Session, names: Sequence[str], base_url: str, *, publish: bool
) -> None:
    """409 when a new name is probably an existing pacticipant misspelt (the Pact Broker's
    ``check_for_potential_duplicate_pacticipant_names``)."""
    if repo.existing_names(session, names) == set(names):
        return  # Only a new name can be a misspelling: most publications name none.
    existing = list(repo.pacticipant_names(session).values())
    messages = [
        duplicate_message(name, similar, base_url)
        for name in dict.fromkeys(names)
        if (similar := potential_duplicates(name, existing))
    ]
    if not messages:
        return
    text = "\n".join(messages)
    if publish:
        body: dict[str, Any] = {
            "notices": [{"type": "error", "text": m} for m in messages],
            "errors": {"contracts": messages},
        }
    else:
        body = {"error": text, "errors": {"pacticipant": messages}}
    raise ConflictError(text, body=body)


def publish_contracts(
    db: Database,
    command: PublishCommand,
    present: Callable[[PublishOutcome], R],
    *,
    allow_dangerous: bool,
    on_published: Callable[[Session, StoredPact], None] | None = None,
    first_tag_as_branch_within: float | None = None,
    duplicate_names_check: str | None = None,
) -> R:
    """Create the version with its branch and tags, then store each contract."""
    with db.write() as session:
        if duplicate_names_check is not None:
            names = [command.pacticipant_name, *(c.provider_name for c in command.contracts)]
            _refuse_likely_duplicates(session, names, duplicate_names_check, publish=True)
        pacticipant = repo.find_or_create_pacticipant(session, command.pacticipant_name)
        found = repo.find_version(session, pacticipant, command.version_number)
        created_version = found is None
        version = found or repo.find_or_create_version(session, pacticipant, command.version_number)
        if command.build_url:
            version.build_url = command.build_url
        if command.branch:
            repo.add_version_to_branch(session, version, command.branch)
        for tag in command.tags:
            repo.add_tag(session, version, tag)
        if not command.branch and command.tags and first_tag_as_branch_within is not None:
            session.flush()
            session.refresh(version)
            first_tag_as_branch(session, version, command.tags[0], first_tag_as_branch_within)
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
            if on_published is not None:
                on_published(session, result)
        contract_comparisons.compare_new_pacts(session, [s.publication for s in stored])
        session.flush()
        session.refresh(version)
        return present(PublishOutcome(command, version, stored, created_version))


def put_pact(
    db: Database,
    *,
    consumer_name: str,
    provider_name: str,
    version_number: str,
    content: dict[str, Any],
    merge: bool,
    allow_dangerous: bool,
    present: Callable[[PactView, bool], R],
    on_published: Callable[[Session, StoredPact], None] | None = None,
    duplicate_names_check: str | None = None,
) -> R:
    """Store a pact by consumer version (PUT overwrite, PATCH merge).

    ``duplicate_names_check``: the broker's base URL to refuse, with advice, a new
    pacticipant name much like an existing one; None: no check.
    """
    for role, expected in (("consumer", consumer_name), ("provider", provider_name)):
        actual = pacticipant_name(content, role)
        if actual is not None and actual != expected:
            raise invalid(
                f"{role}.name",
                f"{role} name in pact ({actual}) does not match {role} name in path ({expected})",
            )
    with db.write() as session:
        if duplicate_names_check is not None:
            _refuse_likely_duplicates(
                session, [consumer_name, provider_name], duplicate_names_check, publish=False
            )
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
        contract_comparisons.compare_new_pacts(session, [stored.publication])
        return present(view_of(session, stored.publication), stored.created)


def _integration(
    session: Session, consumer_name: str, provider_name: str
) -> tuple[Pacticipant, Pacticipant]:
    return require_pacticipant(session, consumer_name), require_pacticipant(session, provider_name)


def no_pact(consumer: str, provider: str, detail: str = "") -> NotFoundError:
    return NotFoundError(f"No pact found between {consumer} and {provider}{detail}")


def get_pact_for_version(
    db: Database,
    consumer_name: str,
    provider_name: str,
    version_number: str,
    present: Callable[[PactView], R],
) -> R:
    with db.read() as session:
        provider = require_pacticipant(session, provider_name)
        version = require_version(session, consumer_name, version_number)
        pub = repo.current_publication(session, version, provider)
        if pub is None:
            raise no_pact(consumer_name, provider_name, f" for consumer version {version_number}")
        return present(view_of(session, pub))


def delete_pact_for_version(
    db: Database, consumer_name: str, provider_name: str, version_number: str
) -> None:
    with db.write() as session:
        provider = require_pacticipant(session, provider_name)
        version = require_version(session, consumer_name, version_number)
        pubs = repo.publications_of_consumer_version(session, version, provider)
        if not pubs:
            raise no_pact(consumer_name, provider_name, f" for consumer version {version_number}")
        for pub in pubs:
            session.delete(pub)


def get_latest_pact(
    db: Database,
    consumer_name: str,
    provider_name: str,
    present: Callable[[PactView], R],
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
            raise no_pact(consumer_name, provider_name)
        return present(view_of(session, pub))


def get_pact_version(
    db: Database,
    consumer_name: str,
    provider_name: str,
    sha: str,
    present: Callable[[PactView], R],
) -> R:
    """The pact content with a SHA, presented through its newest publication."""
    with db.read() as session:
        pub = require_publication_for_sha(session, consumer_name, provider_name, sha)
        return present(view_of(session, pub))


def require_publication_for_sha(
    session: Session, consumer_name: str, provider_name: str, sha: str
) -> PactPublication:
    consumer, provider = _integration(session, consumer_name, provider_name)
    pact_version = repo.find_pact_version(session, consumer, provider, sha)
    if pact_version is None:
        raise no_pact(consumer_name, provider_name, f" with pact version {sha}")
    pub = repo.newest_publication_of_pact_version(session, pact_version)
    if pub is None:
        raise no_pact(consumer_name, provider_name, f" with pact version {sha}")
    return pub


def latest_provider_pacts(
    db: Database,
    provider_name: str,
    present: Callable[[Pacticipant, Sequence[PactPublication]], R],
    *,
    tag: str | None = None,
) -> R:
    with db.read() as session:
        provider = require_pacticipant(session, provider_name)
        return present(provider, repo.latest_publications_for_provider(session, provider, tag=tag))


def all_latest_pacts(db: Database, present: Callable[[Sequence[PactPublication]], R]) -> R:
    with db.read() as session:
        return present(repo.all_latest_publications(session))


def provider_pacts(
    db: Database,
    provider_name: str,
    present: Callable[[Pacticipant, Page[PactPublication]], R],
    *,
    tag: str | None = None,
    branch: str | None = None,
    main_branch: bool = False,
    latest: bool = False,
    page: PageRequest | None = None,
) -> R:
    """Pacts for a provider filtered by the consumer version's tag, branch or main branch.

    The filters run in the database: reading every pact of the provider to filter them here
    costs a few queries per pact, and a provider has one pact per consumer build. ``page``
    (for the lists of every matching pact, not the newest per consumer) reads one page.
    """
    with db.read() as session:
        provider = require_pacticipant(session, provider_name)
        if page is not None and not latest:
            found = repo.provider_publications_page(
                session, provider, page, tag=tag, branch=branch, main_branch=main_branch
            )
            return present(provider, found)
        chosen: list[PactPublication] = []
        if latest:
            for consumer_id in repo.consumers_of_provider(session, provider.id):
                consumer = repo.pacticipant_by_id(session, consumer_id)
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
                repo.provider_publications_matching(
                    session, provider, tag=tag, branch=branch, main_branch=main_branch
                )
            )
        chosen.sort(key=lambda p: (p.consumer.name, -p.consumer_version_id))
        return present(provider, Page(chosen))
