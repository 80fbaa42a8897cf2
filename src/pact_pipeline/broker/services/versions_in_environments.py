"""Versions in environments: recording deployments and releases, and reading them back.

Deployed and released versions are read and listed alike (parameterised by the kind); they
differ in how they are recorded and ended: a deployment replaces the version deployed to the
same application instance, a release stays supported until support is ended.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.errors import NotFoundError, UnprocessableError
from pact_pipeline.broker.models import (
    DeployedVersion,
    Environment,
    Pacticipant,
    ReleasedVersion,
    utcnow,
)
from pact_pipeline.broker.paging import Page, PageInfo, PageRequest
from pact_pipeline.broker.services.environments import require_environment
from pact_pipeline.broker.services.pacticipants import require_version

R = TypeVar("R")
Placement = TypeVar("Placement", DeployedVersion, ReleasedVersion)


@dataclass(frozen=True)
class Kind(Generic[Placement]):
    """Deployed or released: the model, and its name in messages."""

    model: type[Placement]
    noun: str


DEPLOYED = Kind(DeployedVersion, "deployed version")
RELEASED = Kind(ReleasedVersion, "released version")


def _require(session: Session, kind: Kind[Placement], uuid: str) -> Placement:
    found = repo.find_placement(session, kind.model, uuid)
    if found is None:
        msg = f"No {kind.noun} with UUID {uuid} found"
        raise NotFoundError(msg)
    return found


def get_placement(
    db: Database, kind: Kind[Placement], uuid: str, present: Callable[[Placement], R]
) -> R:
    """A deployed (or released) version by UUID."""
    with db.read() as session:
        return present(_require(session, kind, uuid))


def placements_of_version(
    db: Database,
    kind: Kind[Placement],
    *,
    pacticipant_name: str,
    version_number: str,
    environment_uuid: str,
    present: Callable[[Sequence[Placement]], R],
) -> R:
    """Every deployment (or release) of a version to an environment, oldest first."""
    with db.read() as session:
        version = require_version(session, pacticipant_name, version_number)
        environment = require_environment(session, environment_uuid)
        return present(repo.placements_of_version(session, kind.model, version, environment))


def current_placements(
    db: Database,
    kind: Kind[Placement],
    environment_uuid: str,
    present: Callable[[Environment, Sequence[Placement]], R],
    *,
    pacticipant_name: str | None = None,
    target: str | None = None,
) -> R:
    """The versions currently deployed to (or supported in) an environment, optionally of one
    pacticipant (none when it does not exist) and, for deployments, one ``target``."""
    return current_placements_page(
        db,
        kind,
        environment_uuid,
        lambda environment, found: present(environment, found.items),
        pacticipant_name=pacticipant_name,
        target=target,
    )


def current_placements_page(
    db: Database,
    kind: Kind[Placement],
    environment_uuid: str,
    present: Callable[[Environment, Page[Placement]], R],
    *,
    pacticipant_name: str | None = None,
    target: str | None = None,
    page: PageRequest | None = None,
) -> R:
    """As :func:`current_placements`: all, or one page."""
    with db.read() as session:
        environment = require_environment(session, environment_uuid)
        pacticipant: Pacticipant | None = None
        if pacticipant_name is not None:
            pacticipant = repo.find_pacticipant(session, pacticipant_name)
            if pacticipant is None:
                empty: Page[Placement] = Page([], None if page is None else PageInfo.of(page, 0))
                return present(environment, empty)
        found = repo.current_placements_page(
            session, kind.model, environment, page, pacticipant=pacticipant, target=target
        )
        return present(environment, found)


def record_deployment(
    db: Database,
    *,
    pacticipant_name: str,
    version_number: str,
    environment_uuid: str,
    target: str | None,
    present: Callable[[DeployedVersion], R],
    uuid: str | None = None,
) -> R:
    """Record a deployment; the version it replaces (same target) is marked undeployed."""
    with db.write() as session:
        version = require_version(session, pacticipant_name, version_number)
        environment = require_environment(session, environment_uuid)
        current = repo.currently_deployed_to_target(
            session, environment, version.pacticipant, target
        )
        for deployed in current:
            if deployed.version_id == version.id:
                return present(deployed)
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
        return present(deployed)


def record_release(
    db: Database,
    *,
    pacticipant_name: str,
    version_number: str,
    environment_uuid: str,
    present: Callable[[ReleasedVersion], R],
    uuid: str | None = None,
) -> R:
    """Record a release; releasing a version again makes it supported again."""
    with db.write() as session:
        version = require_version(session, pacticipant_name, version_number)
        environment = require_environment(session, environment_uuid)
        found = repo.placements_of_version(session, ReleasedVersion, version, environment)
        if not found:
            released = ReleasedVersion(
                version_id=version.id,
                pacticipant_id=version.pacticipant_id,
                environment_id=environment.id,
            )
            if uuid is not None:
                released.uuid = uuid
            session.add(released)
        else:
            released = found[0]
            released.support_ended_at = None
            repo.touch(released)
        session.flush()
        return present(released)


def update_deployed_version(
    db: Database,
    uuid: str,
    currently_deployed: bool | None,
    present: Callable[[DeployedVersion], R],
) -> R:
    """Mark a deployment undeployed (it cannot be deployed again: record a new one)."""
    with db.write() as session:
        deployed = _require(session, DEPLOYED, uuid)
        if currently_deployed is True and deployed.undeployed_at is not None:
            msg = "A deployed version cannot be marked as currently deployed once undeployed"
            raise UnprocessableError(msg, body={"errors": {"currentlyDeployed": [msg]}})
        if currently_deployed is False and deployed.undeployed_at is None:
            deployed.undeployed_at = utcnow()
        session.flush()
        return present(deployed)


def update_released_version(
    db: Database,
    uuid: str,
    currently_supported: bool | None,
    present: Callable[[ReleasedVersion], R],
) -> R:
    """End (or resume) the support of a release."""
    with db.write() as session:
        released = _require(session, RELEASED, uuid)
        if currently_supported is False and released.support_ended_at is None:
            released.support_ended_at = utcnow()
        elif currently_supported is True:
            released.support_ended_at = None
        session.flush()
        return present(released)
