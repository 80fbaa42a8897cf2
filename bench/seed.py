"""Seed a broker database shaped like ``pact_broker#872``, fast.

The services write one row at a time (a publish is a few dozen statements); seeding 10^5
versions that way takes many minutes. This seeder generates the rows in memory, following the
rules the services follow, and bulk-inserts them with SQLAlchemy Core into a database created by
the normal migrations. What it keeps true, so that the broker sees data it could have produced:

* ids grow with creation time in every table (the broker's "latest" is the highest id);
* every version is on exactly one branch, and a branch's head is its newest branch version;
  ``main`` is every pacticipant's main branch, as the broker infers from the first ``main``
  version;
* pact content is stored once per (consumer, provider, SHA), with interaction ids and the SHA the
  broker computes (:mod:`pact_pipeline.broker.content`); a republication of a consumer version
  adds the next revision number;
* verification numbers count 1, 2, 3... per pact version;
* an environment has at most one current deployed version per pacticipant (a new deployment
  marks the previous one undeployed), and released versions are unique per environment.

The shape: a fixed set of pacticipants in three layers (core providers, services that are both
consumers and providers, and front ends that only consume), so the number of integrations does
not change with the scale; the history (versions, branches, publications, verifications) grows
linearly with it. That is what lets the benchmark tell O(integrations) from O(versions).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, Table, func, insert, select, text

from bench.generator import TABLE_ORDER, Generator
from bench.shape import INSERT_CHUNK, Dataset, Row, Shape
from pact_pipeline.broker import migrate
from pact_pipeline.broker.db import make_engine


def _chunks(rows: Sequence[Row], size: int) -> Iterator[Sequence[Row]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def write(engine: Engine, rows: dict[str, list[Row]]) -> dict[str, int]:
    """Bulk-insert generated rows into an empty, migrated database, in one transaction.

    Args:
        engine: The broker database.
        rows: Rows per table name, ids included.

    Returns:
        The number of rows written per table.
    """
    counts: dict[str, int] = {}
    with engine.begin() as connection:
        for table in TABLE_ORDER:
            data = rows.get(table.name, [])
            for chunk in _chunks(data, INSERT_CHUNK):
                connection.execute(insert(table), list(chunk))
            counts[table.name] = len(data)
        if engine.dialect.name == "postgresql":
            # Explicit ids leave the serial sequences behind; the broker's inserts use them.
            for table in TABLE_ORDER:
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                        f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table.name}), false)"
                    )
                )
    if engine.dialect.name == "postgresql":
        # Autovacuum would analyze the new tables soon anyway; do it now, outside a transaction.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    return counts


def _require_empty(engine: Engine, tables: Iterable[Table]) -> None:
    with engine.connect() as connection:
        for table in tables:
            if connection.execute(select(func.count()).select_from(table)).scalar_one():
                msg = f"the database is not empty ({table.name} has rows); seed a fresh one"
                raise RuntimeError(msg)


def seed(url: str, scale: float = 1.0, *, seed: int = 872, pacticipants: int = 50) -> Dataset:
    """Create (migrate) a broker database at ``url`` and fill it with a #872-shaped history.

    Args:
        url: SQLAlchemy URL of an empty database (a new SQLite file, or an empty PostgreSQL
            database).
        scale: History size; 1.0 is ~50k versions (see :meth:`Shape.at_scale`).
        seed: Random seed; the same seed and scale give the same data.
        pacticipants: Number of pacticipants (fixed as the scale changes).

    Returns:
        The dataset: counts written and what the benchmark should ask about.
    """
    started = datetime.now(UTC)
    shape = Shape.at_scale(scale, pacticipants)
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        _require_empty(engine, TABLE_ORDER)
        # Timestamps are naive UTC, as the broker stores them.
        now = started.replace(tzinfo=None, microsecond=0) - timedelta(hours=1)
        generator = Generator(shape, random.Random(seed), now)
        rows = generator.run()
        counts = write(engine, rows.tables)
    finally:
        engine.dispose()
    return Dataset(
        url=url,
        scale=scale,
        shape=shape,
        integrations=generator.topo.integrations,
        counts=counts,
        targets=generator.targets(),
        seconds=(datetime.now(UTC) - started).total_seconds(),
    )
