"""Whole-database operations used by tests and the conformance harness."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from pact_pipeline.broker.db import Base


def delete_every_row(session: Session) -> None:
    """Delete every row (schema kept), children first; SQLite's id counters start again."""
    for table in reversed(Base.metadata.sorted_tables):
        session.execute(table.delete())
    if session.get_bind().dialect.name == "sqlite" and _has_sqlite_sequence(session):
        session.execute(text("DELETE FROM sqlite_sequence"))


def _has_sqlite_sequence(session: Session) -> bool:
    return bool(
        session.execute(text("SELECT name FROM sqlite_master WHERE name='sqlite_sequence'")).first()
    )
