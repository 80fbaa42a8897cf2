"""Pact versions (content stored once per SHA) and their publications (revisions)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import ScalarSelect, Select, bindparam, func, select
from sqlalchemy.orm import Session, aliased, joinedload

from pact_pipeline.broker.models import (
    Branch,
    BranchVersion,
    Pacticipant,
    PactPublication,
    PactVersion,
    Tag,
    Version,
)
from pact_pipeline.broker.paging import Page, PageRequest
from pact_pipeline.broker.repository.common import (
    chunked,
    column_rows,
    distinct_values,
    is_current_revision,
)
from pact_pipeline.broker.repository.integrations import consumers_of_provider
from pact_pipeline.broker.repository.paging import scalars_page

# Queries every publication asks are built once: building and keying a query costs more than
# SQLite takes to run it.
_PACT_VERSION_BY_SHA = select(PactVersion).where(
    PactVersion.consumer_id == bindparam("consumer_id"),
    PactVersion.provider_id == bindparam("provider_id"),
    PactVersion.sha == bindparam("sha"),
)
_CURRENT_PUBLICATION = (
    select(PactPublication)
    .where(
        PactPublication.consumer_version_id == bindparam("consumer_version_id"),
        PactPublication.provider_id == bindparam("provider_id"),
    )
    .order_by(PactPublication.revision_number.desc())
    .limit(1)
)
_PREVIOUS_PUBLICATION = (
    select(PactPublication)
    .where(
        PactPublication.consumer_id == bindparam("consumer_id"),
        PactPublication.provider_id == bindparam("provider_id"),
        PactPublication.consumer_version_id < bindparam("consumer_version_id"),
        is_current_revision(),
    )
    .order_by(PactPublication.consumer_version_id.desc())
    .limit(1)
)


def find_pact_version(
    session: Session, consumer: Pacticipant, provider: Pacticipant, sha: str
) -> PactVersion | None:
    return session.scalars(
        _PACT_VERSION_BY_SHA, {"consumer_id": consumer.id, "provider_id": provider.id, "sha": sha}
    ).first()


def current_publication(
    session: Session, consumer_version: Version, provider: Pacticipant
) -> PactPublication | None:
    return session.scalars(
        _CURRENT_PUBLICATION,
        {"consumer_version_id": consumer_version.id, "provider_id": provider.id},
    ).first()


def publications_for_versions(
    session: Session, version_ids: Iterable[int]
) -> dict[int, list[PactPublication]]:
    """For each version, its current pacts (one per provider, by provider id), in one query."""
    result: dict[int, list[PactPublication]] = {}
    for chunk in chunked(version_ids):
        for pub in session.scalars(
            select(PactPublication)
            .where(PactPublication.consumer_version_id.in_(chunk), is_current_revision())
            .order_by(PactPublication.provider_id)
        ):
            result.setdefault(pub.consumer_version_id, []).append(pub)
    return result


def latest_publication(
    session: Session,
    consumer: Pacticipant,
    provider: Pacticipant,
    *,
    tag: str | None = None,
    branch: str | None = None,
    untagged: bool = False,
) -> PactPublication | None:
    """The current pact of the newest consumer version (optionally tagged/on a branch).

    Walks the integration's publications newest consumer version first, in the
    (provider, consumer, consumer version) index, and stops at the first that qualifies.
    """
    version_id = PactPublication.consumer_version_id
    query = select(PactPublication).where(
        PactPublication.consumer_id == consumer.id,
        PactPublication.provider_id == provider.id,
        is_current_revision(),
    )
    if tag is not None:
        query = query.where(
            version_id.in_(
                select(Tag.version_id).where(Tag.name == tag, Tag.pacticipant_id == consumer.id)
            )
        )
    if untagged:
        query = query.where(
            ~version_id.in_(select(Tag.version_id).where(Tag.pacticipant_id == consumer.id))
        )
    if branch is not None:
        query = query.where(
            version_id.in_(
                select(BranchVersion.version_id)
                .join(Branch)
                .where(Branch.name == branch, Branch.pacticipant_id == consumer.id)
            )
        )
    return session.scalars(query.order_by(version_id.desc()).limit(1)).first()


def _latest_sha_of_consumer() -> ScalarSelect[str]:
    """The content SHA of the current pact of ``Pacticipant``'s newest version with a pact for
    the ``provider_id`` parameter (correlated: one backward seek per consumer)."""
    return (
        select(PactVersion.sha)
        .join(PactPublication, PactPublication.pact_version_id == PactVersion.id)
        .where(
            PactPublication.consumer_id == Pacticipant.id,
            PactPublication.provider_id == bindparam("provider_id"),
            is_current_revision(),
        )
        .order_by(PactPublication.consumer_version_id.desc())
        .limit(1)
        .correlate(Pacticipant)
        .scalar_subquery()
    )


_LATEST_SHAS = select(Pacticipant.name, _latest_sha_of_consumer()).where(
    Pacticipant.id.in_(bindparam("consumer_ids", expanding=True))
)


def latest_pact_shas_by_consumer(
    session: Session, provider_id: int, consumers: Iterable[Pacticipant]
) -> dict[str, str]:
    """For each consumer with pacts for the provider, by name, the content SHA of the current
    pact of its newest version (what :func:`latest_publications_for_provider` would load as
    whole publications)."""
    found: dict[str, str] = {}
    for chunk in chunked(c.id for c in consumers):
        found.update(
            (name, sha)
            for name, sha in column_rows(
                session, _LATEST_SHAS, {"provider_id": provider_id, "consumer_ids": chunk}
            )
            if sha is not None
        )
    return found


def latest_publications_for_provider(
    session: Session, provider: Pacticipant, *, tag: str | None = None
) -> list[PactPublication]:
    """Per consumer, the current pact of its newest version (with ``tag`` when given)."""
    consumers = session.scalars(
        select(Pacticipant)
        .where(Pacticipant.id.in_(consumers_of_provider(session, provider.id)))
        .order_by(Pacticipant.name)
    ).all()
    result = []
    for consumer in consumers:
        pub = latest_publication(session, consumer, provider, tag=tag)
        if pub is not None:
            result.append(pub)
    return result


def all_latest_publications(session: Session) -> list[PactPublication]:
    """The latest pact of every integration."""
    pairs = [
        (consumer_id, provider_id)
        for provider_id in distinct_values(session, PactPublication.provider_id)
        for consumer_id in consumers_of_provider(session, provider_id)
    ]
    result = []
    for consumer_id, provider_id in pairs:
        consumer = session.get(Pacticipant, consumer_id)
        provider = session.get(Pacticipant, provider_id)
        if consumer is None or provider is None:
            continue
        pub = latest_publication(session, consumer, provider)
        if pub is not None:
            result.append(pub)
    result.sort(key=lambda p: (p.consumer.name, p.provider.name))
    return result


def previous_publication(session: Session, pub: PactPublication) -> PactPublication | None:
    """The current pact of the consumer version before this one (for "content changed")."""
    return session.scalars(
        _PREVIOUS_PUBLICATION,
        {
            "consumer_id": pub.consumer_id,
            "provider_id": pub.provider_id,
            "consumer_version_id": pub.consumer_version_id,
        },
    ).first()


def publications_of_consumer_version(
    session: Session, consumer_version: Version, provider: Pacticipant
) -> Sequence[PactPublication]:
    """Every revision of the consumer version's pact with the provider."""
    return session.scalars(
        select(PactPublication).where(
            PactPublication.consumer_version_id == consumer_version.id,
            PactPublication.provider_id == provider.id,
        )
    ).all()


def newest_publication_of_pact_version(
    session: Session, pact_version: PactVersion
) -> PactPublication | None:
    """The publication of the content by the newest consumer version (its newest revision)."""
    return session.scalars(
        select(PactPublication)
        .where(PactPublication.pact_version_id == pact_version.id)
        .order_by(PactPublication.consumer_version_id.desc(), PactPublication.id.desc())
        .limit(1)
    ).first()


def provider_publications_matching(
    session: Session,
    provider: Pacticipant,
    *,
    tag: str | None,
    branch: str | None,
    main_branch: bool,
) -> Sequence[PactPublication]:
    """The provider's current pacts whose consumer version has the tag, is on the branch, or is
    on its pacticipant's main branch."""
    return session.scalars(_provider_publications_query(provider, tag, branch, main_branch)).all()


def provider_publications_page(
    session: Session,
    provider: Pacticipant,
    page: PageRequest,
    *,
    tag: str | None,
    branch: str | None,
    main_branch: bool,
) -> Page[PactPublication]:
    """One page of :func:`provider_publications_matching`, by consumer name then newest
    consumer version first (the order the whole list is shown in)."""
    consumer = aliased(Pacticipant)
    query = (
        _provider_publications_query(provider, tag, branch, main_branch)
        .join(consumer, consumer.id == PactPublication.consumer_id)
        .order_by(consumer.name, PactPublication.consumer_version_id.desc())
    )
    return scalars_page(session, query, page)


def _provider_publications_query(
    provider: Pacticipant, tag: str | None, branch: str | None, main_branch: bool
) -> Select[PactPublication]:
    version_id = PactPublication.consumer_version_id
    query = (
        select(PactPublication)
        .where(PactPublication.provider_id == provider.id, is_current_revision())
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


def newest_consumer_versions_with_pacts(
    session: Session, provider_id: int, consumer_ids: Iterable[int]
) -> list[int]:
    """Per consumer, its newest version with a pact for the provider (the "latest" selector's
    pick): one seek per consumer in the (provider, consumer, consumer version) index."""
    newest = (
        select(func.max(PactPublication.consumer_version_id))
        .where(
            PactPublication.provider_id == provider_id,
            PactPublication.consumer_id == Pacticipant.id,
        )
        .scalar_subquery()
    )
    return [
        version_id
        for version_id in session.scalars(
            select(newest).where(Pacticipant.id.in_(sorted(consumer_ids)))
        )
        if version_id is not None
    ]


_CURRENT_PACTS_OF_CONSUMER_VERSIONS = (
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
        PactPublication.provider_id == bindparam("provider_id"),
        PactPublication.consumer_version_id.in_(bindparam("ids", expanding=True)),
        is_current_revision(),
    )
)


_VERSIONS_PUBLISHED_SINCE = (
    select(PactPublication.consumer_version_id)
    .where(
        PactPublication.provider_id == bindparam("provider_id"),
        PactPublication.created_at > bindparam("since"),
        PactPublication.consumer_id.in_(bindparam("consumer_ids", expanding=True)),
    )
    .distinct()
)
_BRANCHES_OF = (
    select(Branch.pacticipant_id, Branch.name)
    .join(BranchVersion, BranchVersion.branch_id == Branch.id)
    .where(BranchVersion.version_id.in_(_VERSIONS_PUBLISHED_SINCE))
    .distinct()
)
_TAGS_OF = (
    select(Tag.pacticipant_id, Tag.name)
    .where(Tag.version_id.in_(_VERSIONS_PUBLISHED_SINCE))
    .distinct()
)


def labels_of_consumer_versions_published_since(
    session: Session, provider_id: int, consumer_ids: Iterable[int], since: datetime
) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    """The branch names and the tag names, by consumer, of the consumer versions with a pact
    for the provider published after ``since`` (a range of the (consumer, provider, time)
    index per consumer: as many as were published in the window, whatever the history)."""
    params = {"provider_id": provider_id, "since": since, "consumer_ids": sorted(consumer_ids)}
    branches: dict[int, set[str]] = {}
    tags: dict[int, set[str]] = {}
    for pacticipant_id, name in column_rows(session, _BRANCHES_OF, params):
        branches.setdefault(pacticipant_id, set()).add(name)
    for pacticipant_id, name in column_rows(session, _TAGS_OF, params):
        tags.setdefault(pacticipant_id, set()).add(name)
    return branches, tags


def current_pacts_of_consumer_versions(
    session: Session, provider_id: int, consumer_version_ids: Iterable[int]
) -> list[tuple[int, int, str, int, str, datetime]]:
    """The provider's current pacts of the consumer versions, as plain rows: (consumer id,
    consumer version id, its number, pact version id, SHA, publication time)."""
    rows: list[tuple[int, int, str, int, str, datetime]] = []
    for chunk in chunked(consumer_version_ids):
        rows.extend(
            column_rows(
                session,
                _CURRENT_PACTS_OF_CONSUMER_VERSIONS,
                {"provider_id": provider_id, "ids": chunk},
            )
        )
    return rows


_TIMES_AND_SHAS = (
    select(PactPublication.id, PactPublication.created_at, PactVersion.sha)
    .join(PactVersion, PactVersion.id == PactPublication.pact_version_id)
    .where(PactPublication.id.in_(bindparam("ids", expanding=True)))
)


def publication_times_and_shas(
    session: Session, publication_ids: Iterable[int]
) -> dict[int, tuple[datetime, str]]:
    """Each publication's time and its content's SHA (many publications, one query a chunk)."""
    found: dict[int, tuple[datetime, str]] = {}
    for chunk in chunked(publication_ids):
        found.update(
            (pub_id, (created_at, sha))
            for pub_id, created_at, sha in column_rows(session, _TIMES_AND_SHAS, {"ids": chunk})
        )
    return found
