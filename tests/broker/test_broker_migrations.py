"""Migrations on SQLite and PostgreSQL: up from empty, every step down and up again, the
result identical to the models, data kept, and several processes migrating one database at once.

The PostgreSQL cases (marked ``postgres``) each get a database of their own on the server named
by ``PACT_BROKER_TEST_POSTGRES_URL``, and are skipped when there is none.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from pact_pipeline.broker import migrate
from pact_pipeline.broker.db import Base, Database, make_engine, normalize_url
from pact_pipeline.broker.services import versions as version_svc
from pact_pipeline.broker.testing import TestData
from tests.broker.broker_support import POSTGRES_SKIP_REASON, fresh_postgres_database, postgres_url


def revisions() -> list[str]:
    """Every revision, oldest first."""
    script = ScriptDirectory.from_config(migrate.alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ]
)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    server = postgres_url()
    if server is None:
        pytest.skip(POSTGRES_SKIP_REASON)
    with fresh_postgres_database(server) as url:
        yield url


@pytest.fixture
def engine(empty_database: str) -> Iterator[Engine]:
    engine = make_engine(empty_database)
    yield engine
    engine.dispose()


def schema_differences(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_from_empty_gives_exactly_the_models(engine: Engine) -> None:
    assert tables(engine) == set()
    migrate.upgrade(engine)
    assert migrate.current(engine) == revisions()[-1]
    assert tables(engine) == set(Base.metadata.tables)
    assert schema_differences(engine) == []
    migrate.upgrade(engine)  # idempotent: a second start changes nothing
    assert schema_differences(engine) == []


def test_every_migration_goes_down_and_up_again(engine: Engine) -> None:
    """Each revision in turn: up to it, down one step, up again; then all the way down."""
    previous = "base"
    for revision in revisions():
        migrate.upgrade(engine, revision)
        assert migrate.current(engine) == revision
        after_up = set(inspect(engine).get_table_names())
        migrate.downgrade(engine, previous)
        assert migrate.current(engine) == (None if previous == "base" else previous)
        migrate.upgrade(engine, revision)
        assert set(inspect(engine).get_table_names()) == after_up
        previous = revision
    assert schema_differences(engine) == []
    migrate.downgrade(engine, "base")
    assert tables(engine) == set()
    migrate.upgrade(engine)
    assert schema_differences(engine) == []


def test_data_survives_the_newest_migration_going_down_and_up(empty_database: str) -> None:
    all_revisions = revisions()
    if len(all_revisions) < 2:
        pytest.skip("only one migration: going below it drops every table by design")
    db = Database(empty_database)
    try:
        migrate.upgrade(db.engine)
        data = TestData(db).create_pact_with_hierarchy("Consumer", "1.0.0", "Provider")
        data.create_verification("2.0.0")
        migrate.downgrade(db.engine, all_revisions[-2])
        migrate.upgrade(db.engine)
        number = version_svc.get_version(db, "Consumer", "1.0.0", lambda view: view.version.number)
        assert number == "1.0.0"
    finally:
        db.dispose()


def test_processes_starting_together_migrate_once(empty_database: str) -> None:
    """Workers of one server all migrate at start: they must queue, not collide."""
    command = [
        sys.executable,
        "-m",
        "pact_pipeline.broker",
        "migrate",
        "--database-url",
        empty_database,
    ]
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for _ in range(3)
    ]
    outputs = [process.communicate(timeout=120)[0].decode() for process in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], "\n".join(outputs)
    engine = make_engine(empty_database)
    try:
        assert migrate.current(engine) == revisions()[-1]
        assert schema_differences(engine) == []
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u:p@db:5432/broker", "postgresql+psycopg://u:p@db:5432/broker"),
        ("postgresql://u:p@db/broker", "postgresql+psycopg://u:p@db/broker"),
        ("postgresql+psycopg://u:p@db/broker", "postgresql+psycopg://u:p@db/broker"),
        ("sqlite:///x.sqlite", "sqlite:///x.sqlite"),
    ],
)
def test_postgres_urls_without_a_driver_use_psycopg(given: str, used: str) -> None:
    assert normalize_url(given) == used
