"""Environments (the versions in them: :mod:`.versions_in_environments`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from pact_pipeline.broker.models import (
    Environment,
)


def find_environment(session: Session, uuid: str) -> Environment | None:
    return session.scalars(select(Environment).where(Environment.uuid == uuid)).first()


_BY_NAME = select(Environment).where(Environment.name == bindparam("name"))


def find_environment_by_name(session: Session, name: str) -> Environment | None:
    return session.scalars(_BY_NAME, {"name": name}).first()


def list_environments(session: Session, *, name: str | None = None) -> Sequence[Environment]:
    query = select(Environment).order_by(Environment.name)
    if name is not None:
        query = query.where(Environment.name == name)
    return session.scalars(query).all()


def environment_names_by_id(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Environment.id, Environment.name)).all())
