"""Queries: every read and write of the broker's tables, with the session passed explicitly.

Functions here neither commit nor decide HTTP status codes; services own the transaction and
the use case.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, ScalarSelect, and_, exists, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

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
    utcnow,
)

AUTO_MAIN_BRANCHES = ("develop", "main", "master")
#: Ids per ``IN (...)`` list: well under the bound-parameter limits of SQLite (32,766) and of
#: PostgreSQL's protocol (65,535).
IN_CHUNK = 5_000


def chunked(ids: Iterable[int]) -> Iterator[list[int]]:
    """The distinct ids, ascending, in lists short enough for one ``IN (...)`` each."""
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), IN_CHUNK):
        yield ordered[start : start + IN_CHUNK]


# --- pacticipants ---------------------------------------------------------------------------


def find_pacticipant(session: Session, name: str) -> Pacticipant | None:
    return session.scalars(select(Pacticipant).where(Pacticipant.name == name)).first()


def list_pacticipants(session: Session) -> Sequence[Pacticipant]:
    return session.scalars(select(Pacticipant).order_by(Pacticipant.name)).all()


def find_or_create_pacticipant(session: Session, name: str) -> Pacticipant:
    pacticipant = find_pacticipant(session, name)
    if pacticipant is None:
        pacticipant = Pacticipant(name=name)
        session.add(pacticipant)
        session.flush()
    return pacticipant


def pacticipants_with_label(session: Session, label: str) -> Sequence[Pacticipant]:
    return session.scalars(
        select(Pacticipant).join(Label).where(Label.name == label).order_by(Pacticipant.name)
    ).all()


# --- versions ---------------------------------------------------------------------------------


def find_version(session: Session, pacticipant: Pacticipant, number: str) -> Version | None:
    return session.scalars(
        select(Version).where(Version.pacticipant_id == pacticipant.id, Version.number == number)
    ).first()


def find_or_create_version(session: Session, pacticipant: Pacticipant, number: str) -> Version:
    version = find_version(session, pacticipant, number)
    if version is None:
        version = Version(pacticipant_id=pacticipant.id, number=number)
        session.add(version)
        session.flush()
    return version


def list_versions(session: Session, pacticipant: Pacticipant) -> Sequence[Version]:
    return session.scalars(
        select(Version).where(Version.pacticipant_id == pacticipant.id).order_by(Version.id.desc())
    ).all()


def latest_version(
    session: Session, pacticipant: Pacticipant, *, tag: str | None = None
) -> Version | None:
    query = select(Version).where(Version.pacticipant_id == pacticipant.id)
    if tag is not None:
        query = query.join(Tag, Tag.version_id == Version.id).where(Tag.name == tag)
    return session.scalars(query.order_by(Version.id.desc()).limit(1)).first()


def branch_head(session: Session, pacticipant: Pacticipant, branch_name: str) -> Version | None:
    return session.scalars(
        select(Version)
        .join(BranchVersion, BranchVersion.version_id == Version.id)
        .join(Branch, Branch.id == BranchVersion.branch_id)
        .where(Branch.pacticipant_id == pacticipant.id, Branch.name == branch_name)
        .order_by(BranchVersion.id.desc())
        .limit(1)
    ).first()


def versions_on_branch(
    session: Session, pacticipant: Pacticipant, branch_name: str
) -> Sequence[Version]:
    return session.scalars(
        select(Version)
        .join(BranchVersion, BranchVersion.version_id == Version.id)
        .join(Branch, Branch.id == BranchVersion.branch_id)
        .where(Branch.pacticipant_id == pacticipant.id, Branch.name == branch_name)
        .order_by(Version.id.desc())
    ).all()


def versions_with_tag(session: Session, pacticipant: Pacticipant, tag: str) -> Sequence[Version]:
    return session.scalars(
        select(Version)
        .join(Tag, Tag.version_id == Version.id)
        .where(Version.pacticipant_id == pacticipant.id, Tag.name == tag)
        .order_by(Version.id.desc())
    ).all()


# --- branches and tags ------------------------------------------------------------------------


def find_branch(session: Session, pacticipant: Pacticipant, name: str) -> Branch | None:
    return session.scalars(
        select(Branch).where(Branch.pacticipant_id == pacticipant.id, Branch.name == name)
    ).first()


def list_branches(session: Session, pacticipant: Pacticipant) -> Sequence[Branch]:
    return session.scalars(
        select(Branch).where(Branch.pacticipant_id == pacticipant.id).order_by(Branch.id.desc())
    ).all()


def find_branch_version(session: Session, branch: Branch, version: Version) -> BranchVersion | None:
    return session.scalars(
        select(BranchVersion).where(
            BranchVersion.branch_id == branch.id, BranchVersion.version_id == version.id
        )
    ).first()


def add_version_to_branch(
    session: Session, version: Version, branch_name: str
) -> tuple[BranchVersion, bool]:
    """Put a version on a branch (creating the branch); returns (branch version, created)."""
    pacticipant = version.pacticipant
    branch = find_branch(session, pacticipant, branch_name)
    if branch is None:
        branch = Branch(pacticipant_id=pacticipant.id, name=branch_name)
        session.add(branch)
        session.flush()
    existing = find_branch_version(session, branch, version)
    if existing is not None:
        return existing, False
    branch_version = BranchVersion(branch_id=branch.id, version_id=version.id)
    session.add(branch_version)
    session.flush()
    maybe_set_main_branch(pacticipant, branch_name)
    return branch_version, True


def maybe_set_main_branch(pacticipant: Pacticipant, name: str) -> None:
    """Adopt a conventional branch name as the main branch, as the Ruby broker does."""
    if pacticipant.main_branch is None and name in AUTO_MAIN_BRANCHES:
        pacticipant.main_branch = name


def is_branch_head(session: Session, branch: Branch, version: Version) -> bool:
    head = session.scalars(
        select(BranchVersion.version_id)
        .where(BranchVersion.branch_id == branch.id)
        .order_by(BranchVersion.id.desc())
        .limit(1)
    ).first()
    return head == version.id


def newest_on_branch() -> ScalarSelect[int]:
    """The version id of the newest branch version of ``Branch`` (correlated): its head.

    Selected per branch row, this is one backward seek in the (branch, id) index on SQLite and
    PostgreSQL alike; comparing ``branch_versions.id`` with a correlated ``max()`` instead makes
    PostgreSQL evaluate the ``max()`` for every version on the branch.
    """
    return (
        select(BranchVersion.version_id)
        .where(BranchVersion.branch_id == Branch.id)
        .order_by(BranchVersion.id.desc())
        .limit(1)
        .correlate(Branch)
        .scalar_subquery()
    )


def branch_heads(session: Session, branch_ids: Iterable[int]) -> dict[int, int]:
    """The head version of each branch (branch id → version id), one index seek per branch."""
    heads: dict[int, int] = {}
    for chunk in chunked(branch_ids):
        for branch_id, version_id in session.execute(
            select(Branch.id, newest_on_branch()).where(Branch.id.in_(chunk))
        ).tuples():
            if version_id is not None:
                heads[branch_id] = version_id
    return heads


def find_tag(session: Session, version: Version, name: str) -> Tag | None:
    return session.scalars(
        select(Tag).where(Tag.version_id == version.id, Tag.name == name)
    ).first()


def add_tag(session: Session, version: Version, name: str) -> tuple[Tag, bool]:
    existing = find_tag(session, version, name)
    if existing is not None:
        return existing, False
    tag = Tag(version_id=version.id, pacticipant_id=version.pacticipant_id, name=name)
    session.add(tag)
    session.flush()
    maybe_set_main_branch(version.pacticipant, name)
    return tag, True


def latest_tagged_version_id(session: Session, pacticipant_id: int, tag: str) -> int | None:
    return session.scalars(
        select(func.max(Tag.version_id)).where(
            Tag.pacticipant_id == pacticipant_id, Tag.name == tag
        )
    ).first()


# --- pacts ------------------------------------------------------------------------------------


def find_pact_version(
    session: Session, consumer: Pacticipant, provider: Pacticipant, sha: str
) -> PactVersion | None:
    return session.scalars(
        select(PactVersion).where(
            PactVersion.consumer_id == consumer.id,
            PactVersion.provider_id == provider.id,
            PactVersion.sha == sha,
        )
    ).first()


def is_current_revision() -> ColumnElement[bool]:
    """True for the publication that is the current revision of its (consumer version,
    provider) pact: no publication of that pair is newer.

    A correlated "no newer row" test rather than ``id IN (SELECT max(id) ... GROUP BY ...)``:
    the grouped subquery reads every publication of the broker on every call, whereas this is
    one seek in the (consumer version, provider, revision) unique index per publication looked
    at.
    """
    newer = aliased(PactPublication)
    return ~exists().where(
        newer.consumer_version_id == PactPublication.consumer_version_id,
        newer.provider_id == PactPublication.provider_id,
        newer.id > PactPublication.id,
    )


def distinct_values(
    session: Session, column: InstrumentedAttribute[int], *conditions: ColumnElement[bool]
) -> list[int]:
    """The distinct values of an indexed column among the rows matching ``conditions``, sorted.

    A "loose index scan": each value is found by one seek for the smallest value above the
    previous one, so the cost grows with the number of distinct values (e.g. integrations), not
    with the number of rows (e.g. publications). ``conditions`` must be equalities on the
    columns that precede ``column`` in an index.

    Args:
        session: The session.
        column: The column, e.g. ``PactPublication.consumer_id``.
        conditions: Equalities on the leading columns of the index.

    Returns:
        The values, ascending.
    """
    first = select(func.min(column)).where(*conditions).scalar_subquery()
    values = select(first.label("value")).cte("loose_scan", recursive=True)
    following = select(func.min(column)).where(*conditions, column > values.c.value)
    values = values.union_all(
        select(following.scalar_subquery().label("value")).where(values.c.value.is_not(None))
    )
    return [
        int(v) for v in session.scalars(select(values.c.value).where(values.c.value.is_not(None)))
    ]


def current_publication(
    session: Session, consumer_version: Version, provider: Pacticipant
) -> PactPublication | None:
    return session.scalars(
        select(PactPublication)
        .where(
            PactPublication.consumer_version_id == consumer_version.id,
            PactPublication.provider_id == provider.id,
        )
        .order_by(PactPublication.revision_number.desc())
        .limit(1)
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


def current_publications_for_provider(
    session: Session, provider: Pacticipant
) -> Sequence[PactPublication]:
    return session.scalars(
        select(PactPublication).where(
            PactPublication.provider_id == provider.id, is_current_revision()
        )
    ).all()


def previous_publication(session: Session, pub: PactPublication) -> PactPublication | None:
    """The current pact of the consumer version before this one (for "content changed")."""
    return session.scalars(
        select(PactPublication)
        .where(
            PactPublication.consumer_id == pub.consumer_id,
            PactPublication.provider_id == pub.provider_id,
            PactPublication.consumer_version_id < pub.consumer_version_id,
            is_current_revision(),
        )
        .order_by(PactPublication.consumer_version_id.desc())
        .limit(1)
    ).first()


# --- verifications ----------------------------------------------------------------------------


def next_verification_number(session: Session, pact_version: PactVersion) -> int:
    # Lock the pact version's row first: concurrent results for one pact (several workers on
    # PostgreSQL) then take their numbers in turn instead of colliding on the same max + 1.
    session.execute(
        select(PactVersion.id).where(PactVersion.id == pact_version.id).with_for_update()
    )
    current = session.scalar(
        select(func.max(Verification.number)).where(Verification.pact_version_id == pact_version.id)
    )
    return (current or 0) + 1


def find_verification(
    session: Session, pact_version: PactVersion, number: int
) -> Verification | None:
    return session.scalars(
        select(Verification).where(
            Verification.pact_version_id == pact_version.id, Verification.number == number
        )
    ).first()


def latest_verification(session: Session, pact_version: PactVersion) -> Verification | None:
    return session.scalars(
        select(Verification)
        .where(Verification.pact_version_id == pact_version.id)
        .order_by(Verification.id.desc())
        .limit(1)
    ).first()


def verifications_for_provider_version(
    session: Session, version: Version
) -> Sequence[Verification]:
    return session.scalars(
        select(Verification).where(Verification.provider_version_id == version.id)
    ).all()


def latest_verification_for_consumer_version(
    session: Session, version: Version
) -> Verification | None:
    return session.scalars(
        select(Verification)
        .where(
            Verification.pact_version_id.in_(
                select(PactPublication.pact_version_id).where(
                    PactPublication.consumer_version_id == version.id
                )
            )
        )
        .order_by(Verification.id.desc())
        .limit(1)
    ).first()


def latest_verification_rows(
    session: Session,
    pact_version_ids: Iterable[int],
    provider_versions: ColumnElement[bool] | None = None,
) -> list[tuple[int, int, int, str, bool]]:
    """The newest verification per (pact version, provider version), as plain rows.

    Args:
        session: The session.
        pact_version_ids: The pact contents.
        provider_versions: A condition on ``Verification`` limiting the provider versions.

    Returns:
        (verification id, pact version id, provider version id, provider version number,
        success) for each, read with the provider version's number in one query rather than
        one query per verification.
    """
    result: list[tuple[int, int, int, str, bool]] = []
    for chunk in chunked(pact_version_ids):
        latest = select(func.max(Verification.id)).where(Verification.pact_version_id.in_(chunk))
        if provider_versions is not None:
            latest = latest.where(provider_versions)
        latest = latest.group_by(Verification.pact_version_id, Verification.provider_version_id)
        result.extend(
            session.execute(
                select(
                    Verification.id,
                    Verification.pact_version_id,
                    Verification.provider_version_id,
                    Version.number,
                    Verification.success,
                )
                .join(Version, Version.id == Verification.provider_version_id)
                .where(Verification.id.in_(latest))
            ).tuples()
        )
    return result


def latest_verifications(
    session: Session,
    *,
    pact_version_ids: Iterable[int],
    provider_version_ids: Iterable[int] | None = None,
) -> Sequence[Verification]:
    """The newest verification per (pact version, provider version)."""
    pact_ids = list(set(pact_version_ids))
    if not pact_ids:
        return []
    latest = select(func.max(Verification.id)).where(Verification.pact_version_id.in_(pact_ids))
    if provider_version_ids is not None:
        latest = latest.where(Verification.provider_version_id.in_(list(set(provider_version_ids))))
    latest = latest.group_by(Verification.pact_version_id, Verification.provider_version_id)
    return session.scalars(select(Verification).where(Verification.id.in_(latest))).all()


# --- environments, deployments, releases ------------------------------------------------------


def find_environment(session: Session, uuid: str) -> Environment | None:
    return session.scalars(select(Environment).where(Environment.uuid == uuid)).first()


def find_environment_by_name(session: Session, name: str) -> Environment | None:
    return session.scalars(select(Environment).where(Environment.name == name)).first()


def list_environments(session: Session, *, name: str | None = None) -> Sequence[Environment]:
    query = select(Environment).order_by(Environment.name)
    if name is not None:
        query = query.where(Environment.name == name)
    return session.scalars(query).all()


def currently_deployed(
    session: Session,
    environment: Environment,
    *,
    pacticipant: Pacticipant | None = None,
    target: str | None = None,
    any_target: bool = True,
) -> Sequence[DeployedVersion]:
    query = select(DeployedVersion).where(
        DeployedVersion.environment_id == environment.id, DeployedVersion.undeployed_at.is_(None)
    )
    if pacticipant is not None:
        query = query.where(DeployedVersion.pacticipant_id == pacticipant.id)
    if not any_target:
        query = query.where(
            DeployedVersion.target.is_(None) if target is None else DeployedVersion.target == target
        )
    return session.scalars(query.order_by(DeployedVersion.id)).all()


def currently_supported(
    session: Session, environment: Environment, *, pacticipant: Pacticipant | None = None
) -> Sequence[ReleasedVersion]:
    query = select(ReleasedVersion).where(
        ReleasedVersion.environment_id == environment.id, ReleasedVersion.support_ended_at.is_(None)
    )
    if pacticipant is not None:
        query = query.where(ReleasedVersion.pacticipant_id == pacticipant.id)
    return session.scalars(query.order_by(ReleasedVersion.id)).all()


def versions_in_environment(
    session: Session, pacticipant_id: int, environment: Environment
) -> list[int]:
    """Ids of the versions currently deployed or released-and-supported in an environment."""
    deployed = select(DeployedVersion.version_id).where(
        DeployedVersion.pacticipant_id == pacticipant_id,
        DeployedVersion.environment_id == environment.id,
        DeployedVersion.undeployed_at.is_(None),
    )
    released = select(ReleasedVersion.version_id).where(
        ReleasedVersion.pacticipant_id == pacticipant_id,
        ReleasedVersion.environment_id == environment.id,
        ReleasedVersion.support_ended_at.is_(None),
    )
    return sorted(set(session.scalars(deployed).all()) | set(session.scalars(released).all()))


def deployed_environments_of_versions(
    session: Session, version_ids: Iterable[int]
) -> dict[int, list[Environment]]:
    """For each version, the environments it is currently deployed to, in deployment order
    (many versions, one query)."""
    result: dict[int, list[Environment]] = {}
    for chunk in chunked(version_ids):
        for version_id, environment in session.execute(
            select(DeployedVersion.version_id, Environment)
            .join(Environment, Environment.id == DeployedVersion.environment_id)
            .where(DeployedVersion.version_id.in_(chunk), DeployedVersion.undeployed_at.is_(None))
            .order_by(DeployedVersion.id)
        ).tuples():
            found = result.setdefault(version_id, [])
            if environment not in found:
                found.append(environment)
    return result


def released_environments_of_versions(
    session: Session, version_ids: Iterable[int]
) -> dict[int, list[Environment]]:
    """For each version, the environments it is released and supported in (many versions, one
    query)."""
    result: dict[int, list[Environment]] = {}
    for chunk in chunked(version_ids):
        for version_id, environment in session.execute(
            select(ReleasedVersion.version_id, Environment)
            .join(Environment, Environment.id == ReleasedVersion.environment_id)
            .where(
                ReleasedVersion.version_id.in_(chunk), ReleasedVersion.support_ended_at.is_(None)
            )
            .order_by(ReleasedVersion.environment_id)
        ).tuples():
            result.setdefault(version_id, []).append(environment)
    return result


def find_deployed_version(session: Session, uuid: str) -> DeployedVersion | None:
    return session.scalars(select(DeployedVersion).where(DeployedVersion.uuid == uuid)).first()


def find_released_version(session: Session, uuid: str) -> ReleasedVersion | None:
    return session.scalars(select(ReleasedVersion).where(ReleasedVersion.uuid == uuid)).first()


# --- integrations -----------------------------------------------------------------------------


def integration_pairs(session: Session) -> list[tuple[Pacticipant, Pacticipant, datetime]]:
    """Every (consumer, provider) pair with a pact, with its latest publication time."""
    rows = session.execute(
        select(
            PactPublication.consumer_id,
            PactPublication.provider_id,
            func.max(PactPublication.created_at),
        ).group_by(PactPublication.consumer_id, PactPublication.provider_id)
    ).all()
    result = []
    for consumer_id, provider_id, created_at in rows:
        consumer = session.get(Pacticipant, consumer_id)
        provider = session.get(Pacticipant, provider_id)
        if consumer is not None and provider is not None:
            result.append((consumer, provider, created_at))
    result.sort(key=lambda r: (r[0].name, r[1].name))
    return result


def providers_of_consumer_versions(
    session: Session, version_ids: Iterable[int]
) -> dict[int, list[int]]:
    """For each consumer version with pacts, its providers, ascending (one query in all)."""
    found: dict[int, set[int]] = {}
    for chunk in chunked(version_ids):
        for version_id, provider_id in session.execute(
            select(PactPublication.consumer_version_id, PactPublication.provider_id).where(
                PactPublication.consumer_version_id.in_(chunk)
            )
        ).tuples():
            found.setdefault(version_id, set()).add(provider_id)
    return {version_id: sorted(ids) for version_id, ids in found.items()}


def providers_of_consumer(session: Session, consumer_id: int) -> list[int]:
    """Providers the consumer has pacts with, ascending (one index seek per provider)."""
    return distinct_values(
        session, PactPublication.provider_id, PactPublication.consumer_id == consumer_id
    )


def consumers_of_provider(session: Session, provider_id: int) -> list[int]:
    """Consumers with pacts for the provider, ascending (one index seek per consumer)."""
    return distinct_values(
        session, PactPublication.consumer_id, PactPublication.provider_id == provider_id
    )


def delete_integration(session: Session, consumer: Pacticipant, provider: Pacticipant) -> None:
    """Delete a pair's pacts, verifications and webhooks, then orphaned versions/pacticipants."""
    pact_versions = session.scalars(
        select(PactVersion).where(
            PactVersion.consumer_id == consumer.id, PactVersion.provider_id == provider.id
        )
    ).all()
    for pact_version in pact_versions:
        for verification in session.scalars(
            select(Verification).where(Verification.pact_version_id == pact_version.id)
        ).all():
            session.delete(verification)
        for pub in session.scalars(
            select(PactPublication).where(PactPublication.pact_version_id == pact_version.id)
        ).all():
            session.delete(pub)
        session.delete(pact_version)
    for webhook in session.scalars(
        select(Webhook).where(
            Webhook.consumer_id == consumer.id, Webhook.provider_id == provider.id
        )
    ).all():
        session.delete(webhook)
    session.flush()
    # dict.fromkeys: a pacticipant with a pact with itself must be deleted once, not twice.
    for pacticipant in dict.fromkeys((consumer, provider)):
        _delete_orphan_versions(session, pacticipant)
        if _is_orphan_pacticipant(session, pacticipant):
            session.delete(pacticipant)
    session.flush()


def _delete_orphan_versions(session: Session, pacticipant: Pacticipant) -> None:
    used = or_(
        Version.id.in_(select(PactPublication.consumer_version_id)),
        Version.id.in_(select(Verification.provider_version_id)),
        Version.id.in_(select(DeployedVersion.version_id)),
        Version.id.in_(select(ReleasedVersion.version_id)),
    )
    for version in session.scalars(
        select(Version).where(and_(Version.pacticipant_id == pacticipant.id, ~used))
    ).all():
        session.delete(version)
    session.flush()


def _is_orphan_pacticipant(session: Session, pacticipant: Pacticipant) -> bool:
    has_pacts = session.scalar(
        select(func.count())
        .select_from(PactPublication)
        .where(
            or_(
                PactPublication.consumer_id == pacticipant.id,
                PactPublication.provider_id == pacticipant.id,
            )
        )
    )
    has_versions = session.scalar(
        select(func.count()).select_from(Version).where(Version.pacticipant_id == pacticipant.id)
    )
    return not has_pacts and not has_versions


def touch(entity: Pacticipant | Version | Environment | ReleasedVersion | Webhook) -> None:
    entity.updated_at = utcnow()
