"""Environments, deployed versions and released versions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.errors import NotFoundError, UnprocessableError, invalid
from pact_pipeline.broker.models import (
    DeployedVersion,
    Environment,
    Pacticipant,
    ReleasedVersion,
    utcnow,
)
from pact_pipeline.broker.services.pacticipants import require_pacticipant, require_version

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
    present: Callable[[Session, Environment], R],
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
        return present(session, environment)


def replace_environment(
    db: Database, uuid: str, data: EnvironmentData, present: Callable[[Session, Environment], R]
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
        return present(session, environment)


def get_environment(db: Database, uuid: str, present: Callable[[Session, Environment], R]) -> R:
    with db.read() as session:
        return present(session, require_environment(session, uuid))


def list_environments(
    db: Database, present: Callable[[Session, Sequence[Environment]], R], *, name: str | None = None
) -> R:
    with db.read() as session:
        return present(session, repo.list_environments(session, name=name))


def delete_environment(db: Database, uuid: str) -> None:
    with db.write() as session:
        session.delete(require_environment(session, uuid))


def record_deployment(
    db: Database,
    *,
    pacticipant_name: str,
    version_number: str,
    environment_uuid: str,
    target: str | None,
    present: Callable[[Session, DeployedVersion], R],
    uuid: str | None = None,
) -> R:
    """Record a deployment; the version it replaces (same target) is marked undeployed."""
    with db.write() as session:
        version = require_version(session, pacticipant_name, version_number)
        environment = require_environment(session, environment_uuid)
        current = repo.currently_deployed(
            session, environment, pacticipant=version.pacticipant, target=target, any_target=False
        )
        for deployed in current:
            if deployed.version_id == version.id:
                return present(session, deployed)
        now = utcnow()
        for deployed in current:
            deployed.undeployed_at = now
        deployed = DeployedVersion(
            version_id=version.id,
            pacticipant_id=version.pacticipant_id,
            environment_id=environment.id,
            target=target,
        )
        if uuid is not None:
            deployed.uuid = uuid
        session.add(deployed)
        session.flush()
        return present(session, deployed)


def record_release(
    db: Database,
    *,
    pacticipant_name: str,
    version_number: str,
    environment_uuid: str,
    present: Callable[[Session, ReleasedVersion], R],
    uuid: str | None = None,
) -> R:
    with db.write() as session:
        version = require_version(session, pacticipant_name, version_number)
        environment = require_environment(session, environment_uuid)
        released = (
            session.query(ReleasedVersion)
            .filter_by(version_id=version.id, environment_id=environment.id)
            .first()
        )
        if released is None:
            released = ReleasedVersion(
                version_id=version.id,
                pacticipant_id=version.pacticipant_id,
                environment_id=environment.id,
            )
            if uuid is not None:
                released.uuid = uuid
            session.add(released)
        else:
            released.support_ended_at = None
            repo.touch(released)
        session.flush()
        return present(session, released)


def deployed_versions_for_version(
    db: Database,
    *,
    pacticipant_name: str,
    version_number: str,
    environment_uuid: str,
    present: Callable[[Session, Sequence[DeployedVersion]], R],
) -> R:
    with db.read() as session:
        version = require_version(session, pacticipant_name, version_number)
        environment = require_environment(session, environment_uuid)
        items = (
            session.query(DeployedVersion)
            .filter_by(version_id=version.id, environment_id=environment.id)
            .order_by(DeployedVersion.id)
            .all()
        )
        return present(session, items)


def released_versions_for_version(
    db: Database,
    *,
    pacticipant_name: str,
    version_number: str,
    environment_uuid: str,
    present: Callable[[Session, Sequence[ReleasedVersion]], R],
) -> R:
    with db.read() as session:
        version = require_version(session, pacticipant_name, version_number)
        environment = require_environment(session, environment_uuid)
        items = (
            session.query(ReleasedVersion)
            .filter_by(version_id=version.id, environment_id=environment.id)
            .order_by(ReleasedVersion.id)
            .all()
        )
        return present(session, items)


def currently_deployed(
    db: Database,
    environment_uuid: str,
    present: Callable[[Session, Environment, Sequence[DeployedVersion]], R],
    *,
    pacticipant_name: str | None = None,
    target: str | None = None,
) -> R:
    with db.read() as session:
        environment = require_environment(session, environment_uuid)
        pacticipant: Pacticipant | None = None
        if pacticipant_name is not None:
            pacticipant = repo.find_pacticipant(session, pacticipant_name)
            if pacticipant is None:
                return present(session, environment, [])
        items = repo.currently_deployed(
            session, environment, pacticipant=pacticipant, target=target, any_target=target is None
        )
        return present(session, environment, items)


def currently_supported(
    db: Database,
    environment_uuid: str,
    present: Callable[[Session, Environment, Sequence[ReleasedVersion]], R],
    *,
    pacticipant_name: str | None = None,
) -> R:
    with db.read() as session:
        environment = require_environment(session, environment_uuid)
        pacticipant: Pacticipant | None = None
        if pacticipant_name is not None:
            pacticipant = repo.find_pacticipant(session, pacticipant_name)
            if pacticipant is None:
                return present(session, environment, [])
        return present(
            session,
            environment,
            repo.currently_supported(session, environment, pacticipant=pacticipant),
        )


def _require_deployed(session: Session, uuid: str) -> DeployedVersion:
    deployed = repo.find_deployed_version(session, uuid)
    if deployed is None:
        msg = f"No deployed version with UUID {uuid} found"
        raise NotFoundError(msg)
    return deployed


def get_deployed_version(
    db: Database, uuid: str, present: Callable[[Session, DeployedVersion], R]
) -> R:
    with db.read() as session:
        return present(session, _require_deployed(session, uuid))


def update_deployed_version(
    db: Database,
    uuid: str,
    currently_deployed: bool | None,
    present: Callable[[Session, DeployedVersion], R],
) -> R:
    with db.write() as session:
        deployed = _require_deployed(session, uuid)
        if currently_deployed is True and deployed.undeployed_at is not None:
            msg = "A deployed version cannot be marked as currently deployed once undeployed"
            raise UnprocessableError(msg, body={"errors": {"currentlyDeployed": [msg]}})
        if currently_deployed is False and deployed.undeployed_at is None:
            deployed.undeployed_at = utcnow()
        session.flush()
        return present(session, deployed)


def _require_released(session: Session, uuid: str) -> ReleasedVersion:
    released = repo.find_released_version(session, uuid)
    if released is None:
        msg = f"No released version with UUID {uuid} found"
        raise NotFoundError(msg)
    return released


def get_released_version(
    db: Database, uuid: str, present: Callable[[Session, ReleasedVersion], R]
) -> R:
    with db.read() as session:
        return present(session, _require_released(session, uuid))


def update_released_version(
    db: Database,
    uuid: str,
    currently_supported: bool | None,
    present: Callable[[Session, ReleasedVersion], R],
) -> R:
    with db.write() as session:
        released = _require_released(session, uuid)
        if currently_supported is False and released.support_ended_at is None:
            released.support_ended_at = utcnow()
        elif currently_supported is True:
            released.support_ended_at = None
        session.flush()
        return present(session, released)


def environments_for_pacticipant_check(session: Session, pacticipant_name: str) -> Pacticipant:
    return require_pacticipant(session, pacticipant_name)
