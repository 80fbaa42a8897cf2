"""Apply the Alembic migrations that define the schema (run at every start; idempotent).

Several processes may start at once on one database (``serve --workers N``, or a CLI next to a
running server), so migrations run under a database-wide lock: the first process migrates, the
others wait, then find the schema current and do nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine

from pact_pipeline.broker.db import postgres_advisory_lock

MIGRATIONS = Path(__file__).parent / "migrations"
# An arbitrary, fixed key for PostgreSQL's advisory lock: "pactbrkr" as a 64-bit integer.
MIGRATION_LOCK_KEY = 0x7061637462726B72


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration that runs on ``connection`` (see ``migrations/env.py``)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@contextmanager
def migration_lock(engine: Engine) -> Iterator[Connection]:
    """A connection that holds the database's migration lock until the block ends.

    PostgreSQL: a session-level advisory lock (it outlives the migration's own transactions).
    SQLite: every transaction on the connection begins IMMEDIATE (see ``broker.db``), which
    takes the database's write lock before reading the schema version, so a second process
    queues on the busy timeout instead of reading a stale version and colliding.
    """
    if engine.dialect.name == "postgresql":
        with postgres_advisory_lock(engine, MIGRATION_LOCK_KEY) as connection:
            yield connection
        return
    with engine.execution_options(broker_write=True).connect() as connection:
        yield connection


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema up to ``revision``."""
    with migration_lock(engine) as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database schema down to ``revision`` (``"base"``: no tables at all)."""
    with migration_lock(engine) as connection:
        command.downgrade(alembic_config(connection), revision)


def current(engine: Engine) -> str | None:
    """The revision the database is at, or None before the first migration."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
