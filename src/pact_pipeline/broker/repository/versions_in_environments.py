"""Versions in environments: deployed versions and released versions, read alike.

Each function takes the kind (``DeployedVersion`` or ``ReleasedVersion``) and reads its table;
"current" means the kind's end column (undeployed, support ended) is still empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import TypeVar

from sqlalchemy import ColumnElement, Select, bindparam, literal, select, union_all
from sqlalchemy.orm import InstrumentedAttribute, Session

from pact_pipeline.broker.models import (
    DeployedVersion,
    Environment,
    Pacticipant,
    ReleasedVersion,
    Version,
)
from pact_pipeline.broker.paging import Page, PageRequest
from pact_pipeline.broker.repository.common import chunked, column_rows
from pact_pipeline.broker.repository.paging import scalars_page

Placement = TypeVar("Placement", DeployedVersion, ReleasedVersion)
#: The order in which a version's environments are listed: deployments in the order they
#: happened, releases by environment (as each kind has always been listed).
_ENVIRONMENT_ORDER: dict[type[DeployedVersion | ReleasedVersion], InstrumentedAttribute[int]] = {
    DeployedVersion: DeployedVersion.id,
    ReleasedVersion: ReleasedVersion.environment_id,
}


def _is_current(kind: type[Placement]) -> ColumnElement[bool]:
    return kind.end_column().is_(None)


def find_placement(session: Session, kind: type[Placement], uuid: str) -> Placement | None:
    """The deployed (or released) version with the UUID."""
    return session.scalars(select(kind).where(kind.uuid == uuid)).first()


def _current_query(
    kind: type[Placement], environment: Environment, pacticipant: Pacticipant | None
) -> Select[Placement]:
    query = select(kind).where(kind.environment_id == environment.id, _is_current(kind))
    if pacticipant is not None:
        query = query.where(kind.pacticipant_id == pacticipant.id)
    return query


def current_placements(
    session: Session,
    kind: type[Placement],
    environment: Environment,
    *,
    pacticipant: Pacticipant | None = None,
    target: str | None = None,
) -> Sequence[Placement]:
    """The versions currently deployed to (or released and supported in) the environment;
    for deployments, to the ``target`` application instance only when one is given."""
    query = _current_query(kind, environment, pacticipant)
    if target is not None:
        # Only deployments go to named application instances.
        assert kind is DeployedVersion, "releases have no target"
        query = query.where(DeployedVersion.target == target)
    return session.scalars(query.order_by(kind.id)).all()


def current_placements_page(
    session: Session,
    kind: type[Placement],
    environment: Environment,
    page: PageRequest | None,
    *,
    pacticipant: Pacticipant | None = None,
    target: str | None = None,
) -> Page[Placement]:
    """As :func:`current_placements`, all or one page."""
    query = _current_query(kind, environment, pacticipant)
    if target is not None:
        assert kind is DeployedVersion, "releases have no target"
        query = query.where(DeployedVersion.target == target)
    return scalars_page(session, query.order_by(kind.id), page)


def currently_deployed_to_target(
    session: Session, environment: Environment, pacticipant: Pacticipant, target: str | None
) -> Sequence[DeployedVersion]:
    """The pacticipant's versions currently deployed to one application instance (``target``;
    None is the instance without a name)."""
    query = _current_query(DeployedVersion, environment, pacticipant).where(
        DeployedVersion.target.is_(None) if target is None else DeployedVersion.target == target
    )
    return session.scalars(query.order_by(DeployedVersion.id)).all()


def placements_of_version(
    session: Session, kind: type[Placement], version: Version, environment: Environment
) -> Sequence[Placement]:
    """Every deployment (or release) of a version to an environment, current or not, oldest
    first."""
    return session.scalars(
        select(kind)
        .where(kind.version_id == version.id, kind.environment_id == environment.id)
        .order_by(kind.id)
    ).all()


def current_environments_of_versions(
    session: Session, kind: type[Placement], version_ids: Iterable[int]
) -> dict[int, list[Environment]]:
    """For each version, the environments it is currently deployed to (or released and
    supported in), each once (many versions, one query a chunk)."""
    result: dict[int, list[Environment]] = {}
    for chunk in chunked(version_ids):
        for version_id, environment in session.execute(
            _environments_of_versions_query(kind), {"ids": chunk}
        ):
            found = result.setdefault(version_id, [])
            if environment not in found:
                found.append(environment)
    return result


@cache
def _environments_of_versions_query(kind: type[Placement]) -> Select[int, Environment]:
    """The query of :func:`current_environments_of_versions`, built once per kind."""
    return (
        select(kind.version_id, Environment)
        .join(Environment, Environment.id == kind.environment_id)
        .where(kind.version_id.in_(bindparam("ids", expanding=True)), _is_current(kind))
        .order_by(_ENVIRONMENT_ORDER[kind])
    )


def current_versions_by_environment(
    session: Session, kind: type[Placement], pacticipant_ids: Iterable[int]
) -> dict[int, dict[int, set[int]]]:
    """For each pacticipant, its currently deployed (or supported) versions by environment id
    (one query)."""
    found: dict[int, dict[int, set[int]]] = {}
    for pacticipant_id, env_id, version_id in column_rows(
        session, _current_versions_query(kind), {"ids": sorted(set(pacticipant_ids))}
    ):
        found.setdefault(pacticipant_id, {}).setdefault(env_id, set()).add(version_id)
    return found


@cache
def _current_versions_query(kind: type[Placement]) -> Select[int, int, int]:
    return select(kind.pacticipant_id, kind.environment_id, kind.version_id).where(
        kind.pacticipant_id.in_(bindparam("ids", expanding=True)), _is_current(kind)
    )


def versions_in_environment(
    session: Session, pacticipant_id: int, environment: Environment
) -> list[int]:
    """Ids of the versions currently deployed or released-and-supported in an environment."""
    deployed = _current_version_ids(session, DeployedVersion, pacticipant_id, environment)
    released = _current_version_ids(session, ReleasedVersion, pacticipant_id, environment)
    return sorted(deployed | released)


def _current_version_ids(
    session: Session, kind: type[Placement], pacticipant_id: int, environment: Environment
) -> set[int]:
    return set(
        session.scalars(
            select(kind.version_id).where(
                kind.pacticipant_id == pacticipant_id,
                kind.environment_id == environment.id,
                _is_current(kind),
            )
        ).all()
    )


def versions_in_environment_by_pacticipant(
    session: Session, pacticipant_ids: Iterable[int], environment: Environment
) -> dict[int, list[Version]]:
    """:func:`versions_in_environment` for many pacticipants at once (one query a chunk):
    each one's versions currently deployed or released-and-supported there, oldest first."""
    found: dict[int, list[Version]] = {}
    for chunk in chunked(pacticipant_ids):
        for version in session.scalars(
            _VERSIONS_IN_ENVIRONMENT, {"pacticipant_ids": chunk, "environment_id": environment.id}
        ):
            found.setdefault(version.pacticipant_id, []).append(version)
    return found


def _current_in(kind: type[Placement]) -> Select[int]:
    return select(kind.version_id).where(
        kind.pacticipant_id.in_(bindparam("pacticipant_ids", expanding=True)),
        kind.environment_id == bindparam("environment_id"),
        _is_current(kind),
    )


_VERSIONS_IN_ENVIRONMENT = (
    select(Version)
    .where(Version.id.in_(_current_in(DeployedVersion).union(_current_in(ReleasedVersion))))
    .order_by(Version.id)
)


def current_placements_of_pacticipant(
    session: Session, pacticipant_id: int
) -> list[tuple[str, str, int]]:
    """Where the pacticipant's versions are now, as (environment name, "deployed" or
    "released", version id): by environment name, deployments before releases, each kind in
    the order it happened (one query)."""
    return [
        (name, kind, version_id)
        for name, kind, version_id, _ in column_rows(
            session, _PLACEMENTS_OF_PACTICIPANT, {"pacticipant_id": pacticipant_id}
        )
    ]


def _placements_of(kind: type[Placement], label: str) -> Select[str, str, int, int]:
    return (
        select(Environment.name, literal(label), kind.version_id, kind.id)
        .join(Environment, Environment.id == kind.environment_id)
        .where(kind.pacticipant_id == bindparam("pacticipant_id"), _is_current(kind))
    )


_PLACEMENTS_UNION = union_all(
    _placements_of(DeployedVersion, "deployed"), _placements_of(ReleasedVersion, "released")
).subquery()
_PLACEMENTS_OF_PACTICIPANT = select(_PLACEMENTS_UNION).order_by(
    _PLACEMENTS_UNION.c[0], _PLACEMENTS_UNION.c[1], _PLACEMENTS_UNION.c[3]
)
