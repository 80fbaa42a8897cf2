"""Query building blocks shared by every domain: ``IN`` lists in chunks, the current-revision
test, branch heads and loose index scans."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from typing import Any, TypeVarTuple

from sqlalchemy import ColumnElement, Result, ScalarSelect, Select, bindparam, exists, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from pact_pipeline.broker.db import Base
from pact_pipeline.broker.models import (
    Branch,
    BranchVersion,
    Environment,
    Pacticipant,
    PactPublication,
    ReleasedVersion,
    Version,
    Webhook,
    utcnow,
)

#: Ids per ``IN (...)`` list: well under the bound-parameter limits of SQLite (32,766) and of
#: PostgreSQL's protocol (65,535).
IN_CHUNK = 5_000

Ts = TypeVarTuple("Ts")


def chunked(ids: Iterable[int]) -> Iterator[list[int]]:
    """The distinct ids, ascending, in lists short enough for one ``IN (...)`` each."""
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), IN_CHUNK):
        yield ordered[start : start + IN_CHUNK]


def column_rows(session: Session, statement: Select[*Ts], params: Mapping[str, Any]) -> Result[*Ts]:
    """Run a query of plain columns on the session's connection (the session's pending
    changes flushed first, as it would): a third of the cost of ``session.execute``, which
    prepares for ORM entities a column query does not return."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    return session.connection().execute(statement, params)


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


def distinct_values(
    session: Session,
    column: InstrumentedAttribute[int],
    *,
    where: tuple[InstrumentedAttribute[int], int] | None = None,
) -> list[int]:
    """The distinct values of an indexed column (among the rows where another column has a
    value), sorted.

    A "loose index scan": each value is found by one seek for the smallest value above the
    previous one, so the cost grows with the number of distinct values (e.g. integrations), not
    with the number of rows (e.g. publications). ``where`` must be an equality on the column
    that precedes ``column`` in an index.

    Args:
        session: The session.
        column: The column, e.g. ``PactPublication.consumer_id``.
        where: A column and its value, e.g. ``(PactPublication.provider_id, 3)``.

    Returns:
        The values, ascending.
    """
    table = column.class_.__table__.name
    query = _loose_scan(table, column.key, None if where is None else where[0].key)
    params = {} if where is None else {"value": where[1]}
    return [int(v) for v in session.scalars(query, params)]


@cache
def _loose_scan(table_name: str, column_key: str, where_key: str | None) -> Select[Any]:
    """The statement of :func:`distinct_values`, built once per shape."""
    table = Base.metadata.tables[table_name]
    column = table.c[column_key]
    conditions = [] if where_key is None else [table.c[where_key] == bindparam("value")]
    first = select(func.min(column)).where(*conditions).scalar_subquery()
    values = select(first.label("value")).cte("loose_scan", recursive=True)
    following = select(func.min(column)).where(*conditions, column > values.c.value)
    values = values.union_all(
        select(following.scalar_subquery().label("value")).where(values.c.value.is_not(None))
    )
    return select(values.c.value).where(values.c.value.is_not(None))


def touch(entity: Pacticipant | Version | Environment | ReleasedVersion | Webhook) -> None:
    entity.updated_at = utcnow()
