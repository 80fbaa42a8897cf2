"""Queries the browsable pages need beyond the API's: recent versions, the previous distinct
pact, the integrations at a glance."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import (
    CTE,
    ColumnClause,
    Integer,
    ScalarSelect,
    Select,
    bindparam,
    func,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from pact_pipeline.broker.models import (
    Branch,
    BranchVersion,
    DeployedVersion,
    Environment,
    Pacticipant,
    PactPublication,
    PactVersion,
    ReleasedVersion,
    Verification,
    Version,
)
from pact_pipeline.broker.repository.common import chunked, is_current_revision
from pact_pipeline.broker.repository.integrations import integration_pair_scan


def recent_versions(session: Session, pacticipant: Pacticipant, limit: int) -> Sequence[Version]:
    """The pacticipant's newest versions, newest first."""
    return session.scalars(
        select(Version)
        .where(Version.pacticipant_id == pacticipant.id)
        .order_by(Version.id.desc())
        .limit(limit)
    ).all()


def previous_distinct_publication(session: Session, pub: PactPublication) -> PactPublication | None:
    """The current pact of the newest earlier consumer version whose content differs."""
    return session.scalars(
        select(PactPublication)
        .where(
            PactPublication.consumer_id == pub.consumer_id,
            PactPublication.provider_id == pub.provider_id,
            PactPublication.consumer_version_id < pub.consumer_version_id,
            PactPublication.pact_version_id != pub.pact_version_id,
            is_current_revision(),
        )
        .order_by(PactPublication.consumer_version_id.desc())
        .limit(1)
    ).first()


# --- the integrations at a glance (home page, network graph, pacticipant page) -------------
#
# A constant number of statements for any number of integrations shown, each reading by index
# seeks per integration (never every publication or verification of the broker).


class IntegrationHead(NamedTuple):
    """An integration by its names, with its latest pact (the current revision of the pact of
    its newest consumer version)."""

    consumer: str
    provider: str
    publication_id: int


def _newest_current_publication(pairs: CTE) -> ScalarSelect[int]:
    """The id of the pair's latest pact (correlated), as ``latest_publication`` finds it: the
    current revision of the newest consumer version, by a backward walk of the (provider,
    consumer, consumer version) index."""
    return (
        select(PactPublication.id)
        .where(
            PactPublication.consumer_id == pairs.c.consumer_id,
            PactPublication.provider_id == pairs.c.provider_id,
            is_current_revision(),
        )
        .order_by(PactPublication.consumer_version_id.desc())
        .limit(_ONE)
        .scalar_subquery()
    )


_CONSUMER, _PROVIDER = aliased(Pacticipant, name="consumer"), aliased(Pacticipant, name="provider")
#: ``LIMIT 1`` written out, not bound: PostgreSQL can then reuse one plan of each statement
#: (psycopg prepares the statements a connection repeats); with the limit as a parameter, the
#: generic plan does not know each subquery stops at its first row, so PostgreSQL plans every
#: execution anew (about half the time of these statements).
_ONE: ColumnClause[int] = literal_column("1", Integer)


def _integration_heads_query() -> Select[str, str, int]:
    pairs = integration_pair_scan()
    return (
        select(_CONSUMER.name, _PROVIDER.name, _newest_current_publication(pairs))
        .select_from(pairs)
        .join(_CONSUMER, _CONSUMER.id == pairs.c.consumer_id)
        .join(_PROVIDER, _PROVIDER.id == pairs.c.provider_id)
    )


_INTEGRATION_HEADS = _integration_heads_query()


def integration_heads(session: Session) -> list[IntegrationHead]:
    """Every integration with its latest pact, by consumer then provider name (as Python orders
    them): one statement, a few index seeks per integration."""
    heads = [
        IntegrationHead(consumer, provider, publication_id)
        for consumer, provider, publication_id in session.execute(_INTEGRATION_HEADS)
        if publication_id is not None
    ]
    heads.sort(key=lambda head: (head.consumer, head.provider))
    return heads


class VerificationFacts(NamedTuple):
    """What the integration pages show of a verification."""

    number: int
    success: bool
    verified_at: datetime
    provider_version: str


class PublicationFacts(NamedTuple):
    """What the integration pages show of a pact publication."""

    consumer_id: int
    consumer: str
    provider_id: int
    provider: str
    consumer_version_id: int
    consumer_version: str
    published_at: datetime
    sha: str
    #: The verification the pact is judged by: the newest of its content by a version on the
    #: provider's main branch, else the newest.
    verification: VerificationFacts | None
    #: Whether that verification is by a version on the provider's main branch.
    verified_on_main_branch: bool


def _newest_verification(*, on_main_branch: bool) -> ScalarSelect[int]:
    """The id of the newest verification of the publication's content (correlated), by a
    backward walk of the (pact version, id) index; only by a version on the provider's main
    branch (when it has one) when asked, one seek in the (version, branch) index per
    verification walked.

    The branch test is a scalar subquery, not ``EXISTS`` or ``IN``: PostgreSQL turns those into
    a join that reads every version on the main branch for each publication.
    """
    verification = aliased(Verification)
    query = select(verification.id).where(
        verification.pact_version_id == PactPublication.pact_version_id
    )
    if on_main_branch:
        main_branch = (
            select(Branch.id)
            .where(
                Branch.pacticipant_id == _PROVIDER.id,
                Branch.name == _PROVIDER.main_branch,
                _PROVIDER.main_branch != "",
            )
            .correlate_except(Branch)
            .scalar_subquery()
        )
        on_main = (
            select(BranchVersion.id)
            .where(
                BranchVersion.version_id == verification.provider_version_id,
                BranchVersion.branch_id == main_branch,
            )
            .correlate_except(BranchVersion)
            .limit(_ONE)
            .scalar_subquery()
        )
        query = query.where(on_main.is_not(None))
    return query.order_by(verification.id.desc()).limit(_ONE).scalar_subquery()


# The verifications are joined on their id, found by a correlated subquery: one seek in the
# primary key per publication (on SQLite and PostgreSQL alike).
_MAIN_VERIFICATION = aliased(Verification, name="main_verification")
_VERIFICATION = aliased(Verification, name="verification")
_PROVIDER_VERSION = aliased(Version, name="provider_version")
_PUBLICATION_FACTS = (
    select(
        PactPublication.id,
        PactPublication.consumer_id,
        _CONSUMER.name,
        PactPublication.provider_id,
        _PROVIDER.name,
        PactPublication.consumer_version_id,
        Version.number,
        PactPublication.created_at,
        PactVersion.sha,
        _VERIFICATION.id,
        _VERIFICATION.number,
        _VERIFICATION.success,
        _VERIFICATION.created_at,
        _PROVIDER_VERSION.number,
        _MAIN_VERIFICATION.id,
    )
    .join(_CONSUMER, _CONSUMER.id == PactPublication.consumer_id)
    .join(_PROVIDER, _PROVIDER.id == PactPublication.provider_id)
    .join(Version, Version.id == PactPublication.consumer_version_id)
    .join(PactVersion, PactVersion.id == PactPublication.pact_version_id)
    .outerjoin(
        _MAIN_VERIFICATION, _MAIN_VERIFICATION.id == _newest_verification(on_main_branch=True)
    )
    .outerjoin(
        _VERIFICATION,
        _VERIFICATION.id
        == func.coalesce(_MAIN_VERIFICATION.id, _newest_verification(on_main_branch=False)),
    )
    .outerjoin(_PROVIDER_VERSION, _PROVIDER_VERSION.id == _VERIFICATION.provider_version_id)
    .where(PactPublication.id.in_(bindparam("ids", expanding=True)))
)


def publication_facts(
    session: Session, publication_ids: Iterable[int]
) -> dict[int, PublicationFacts]:
    """What the integration pages show of each publication, by id, with the verification it is
    judged by (one statement a chunk)."""
    found: dict[int, PublicationFacts] = {}
    for chunk in chunked(publication_ids):
        for (
            pub_id,
            consumer_id,
            consumer,
            provider_id,
            provider,
            consumer_version_id,
            consumer_version,
            published_at,
            sha,
            verification_id,
            number,
            success,
            verified_at,
            provider_version,
            main_verification_id,
        ) in session.execute(_PUBLICATION_FACTS, {"ids": chunk}):
            verification = (
                None
                if verification_id is None
                else VerificationFacts(number, success, verified_at, provider_version)
            )
            found[pub_id] = PublicationFacts(
                consumer_id,
                consumer,
                provider_id,
                provider,
                consumer_version_id,
                consumer_version,
                published_at,
                sha,
                verification,
                main_verification_id is not None,
            )
    return found


# The name by a correlated seek in the branches' key: PostgreSQL would hash every branch to join.
_BRANCH_NAMES = (
    select(
        BranchVersion.version_id,
        select(Branch.name).where(Branch.id == BranchVersion.branch_id).scalar_subquery(),
    )
    .where(BranchVersion.version_id.in_(bindparam("ids", expanding=True)))
    .order_by(BranchVersion.version_id, BranchVersion.id)
)


def branch_names_of_versions(session: Session, version_ids: Iterable[int]) -> dict[int, list[str]]:
    """The names of each version's branches, in the order the version joined them."""
    found: dict[int, list[str]] = {}
    for chunk in chunked(version_ids):
        for version_id, name in session.execute(_BRANCH_NAMES, {"ids": chunk}):
            found.setdefault(version_id, []).append(name)
    return found


_CURRENT_ENVIRONMENTS = union_all(
    *(
        select(kind.pacticipant_id, Environment.id, Environment.name)
        .join(Environment, Environment.id == kind.environment_id)
        .where(
            kind.pacticipant_id.in_(bindparam("ids", expanding=True)),
            kind.end_column().is_(None),
        )
        for kind in (DeployedVersion, ReleasedVersion)
    )
)


def current_environment_names(
    session: Session, pacticipant_ids: Iterable[int]
) -> dict[int, list[str]]:
    """The names of the environments each pacticipant has a version deployed to or released
    (and supported) in now, sorted. Only current placements are read: the (pacticipant, end)
    indexes skip what was undeployed or is no longer supported."""
    found: dict[int, dict[int, str]] = {}
    for chunk in chunked(pacticipant_ids):
        for pacticipant_id, environment_id, name in session.execute(
            _CURRENT_ENVIRONMENTS, {"ids": chunk}
        ):
            found.setdefault(pacticipant_id, {})[environment_id] = name
    return {pacticipant_id: sorted(names.values()) for pacticipant_id, names in found.items()}
