"""Environments, deployed versions and released versions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.errors import NotFoundError, invalid
from pact_pipeline.broker.models import (
    Environment,
)

R = TypeVar("R")


@dataclass(frozen=True)
class EnvironmentData:
    name: str
    production: bool
    display_name: str | None = None
    contacts: Any = None


def require_environment(session: Session, uuid: str) -> Environment:
    environment = repo.find_environment(session, uuid)
    if environment is None:
        msg = f"No environment with UUID {uuid} found"
        raise NotFoundError(msg)
    return environment


def create_environment(
    db: Database,
    data: EnvironmentData,
    present: Callable[[Environment], R],
    *,
    uuid: str | None = None,
) -> R:
    with db.write() as session:
        if repo.find_environment_by_name(session, data.name) is not None:
            raise invalid("name", f"name '{data.name}' is already used by an existing environment.")
        environment = Environment(
            name=data.name,
            display_name=data.display_name,
            production=data.production,
            contacts=data.contacts,
        )
        if uuid is not None:
            environment.uuid = uuid
        session.add(environment)
        session.flush()
        return present(environment)


def replace_environment(
    db: Database, uuid: str, data: EnvironmentData, present: Callable[[Environment], R]
) -> R:
    with db.write() as session:
        environment = require_environment(session, uuid)
        clash = repo.find_environment_by_name(session, data.name)
        if clash is not None and clash.id != environment.id:
            raise invalid("name", f"name '{data.name}' is already used by an existing environment.")
        environment.name = data.name
        environment.display_name = data.display_name
        environment.production = data.production
        environment.contacts = data.contacts
        repo.touch(environment)
        session.flush()
        return present(environment)


def get_environment(db: Database, uuid: str, present: Callable[[Environment], R]) -> R:
    with db.read() as session:
        return present(require_environment(session, uuid))


def list_environments(
    db: Database, present: Callable[[Sequence[Environment]], R], *, name: str | None = None
) -> R:
    with db.read() as session:
        return present(repo.list_environments(session, name=name))


def delete_environment(db: Database, uuid: str) -> None:
    with db.write() as session:
        session.delete(require_environment(session, uuid))
