"""Alembic environment: migrations run on the engine the broker hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, Engine, create_engine

from pact_pipeline.broker import models  # noqa: F401 - registers the tables on Base.metadata
from pact_pipeline.broker.db import Base

config = context.config
target_metadata = Base.metadata


def _engine() -> Engine:
    engine = config.attributes.get("engine")
    if engine is not None:
        return engine  # type: ignore[no-any-return]
    url = config.get_main_option("sqlalchemy.url") or "sqlite:///.pact-broker/broker.sqlite"
    return create_engine(url)


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()


def run_migrations_online() -> None:
    # broker.migrate hands over a connection that holds the migration lock.
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    with _engine().connect() as own:
        _migrate(own)


run_migrations_online()
