"""Pacticipants and their labels (versions, branches and tags: :mod:`.versions`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.orm import Session

from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.errors import NotFoundError, invalid
from pact_pipeline.broker.models import Label, Pacticipant, Version
from pact_pipeline.broker.paging import Page, PageRequest

R = TypeVar("R")

PACTICIPANT_FIELDS = (
    "displayName",
    "mainBranch",
    "repositoryUrl",
    "repositoryName",
    "repositoryNamespace",
)
_ATTRIBUTES = {
    "displayName": "display_name",
    "mainBranch": "main_branch",
    "repositoryUrl": "repository_url",
    "repositoryName": "repository_name",
    "repositoryNamespace": "repository_namespace",
}


def require_pacticipant(session: Session, name: str) -> Pacticipant:
    pacticipant = repo.find_pacticipant(session, name)
    if pacticipant is None:
        msg = f"No pacticipant with name '{name}' found"
        raise NotFoundError(msg)
    return pacticipant


def require_version(session: Session, pacticipant_name: str, number: str) -> Version:
    pacticipant = require_pacticipant(session, pacticipant_name)
    version = repo.find_version(session, pacticipant, number)
    if version is None:
        msg = f"No version {number} found for pacticipant '{pacticipant_name}'"
        raise NotFoundError(msg)
    return version


@dataclass(frozen=True)
class PacticipantView:
    """A pacticipant with what its resource shows besides its own columns."""

    pacticipant: Pacticipant
    latest_version: Version | None


def view_of(session: Session, pacticipant: Pacticipant) -> PacticipantView:
    return PacticipantView(pacticipant, repo.latest_version(session, pacticipant))


def get_pacticipant(db: Database, name: str, present: Callable[[PacticipantView], R]) -> R:
    with db.read() as session:
        return present(view_of(session, require_pacticipant(session, name)))


def list_pacticipants(
    db: Database,
    present: Callable[[Page[PacticipantView]], R],
    *,
    label: str | None = None,
    name_filter: str | None = None,
    page: PageRequest | None = None,
) -> R:
    """Pacticipants by name, optionally with a label or a name containing ``name_filter``:
    all, or one page."""
    with db.read() as session:
        found = repo.pacticipants_page(session, label=label, name_filter=name_filter, page=page)
        return present(Page([view_of(session, p) for p in found.items], found.info))


def _apply(pacticipant: Pacticipant, attributes: dict[str, str | None]) -> None:
    for key, value in attributes.items():
        setattr(pacticipant, _ATTRIBUTES[key], value)


def create_pacticipant(
    db: Database,
    name: str,
    attributes: dict[str, str | None],
    present: Callable[[PacticipantView], R],
) -> R:
    with db.write() as session:
        if repo.find_pacticipant(session, name) is not None:
            raise invalid("name", f"A pacticipant with name '{name}' already exists")
        pacticipant = Pacticipant(name=name)
        _apply(pacticipant, attributes)
        session.add(pacticipant)
        session.flush()
        return present(view_of(session, pacticipant))


def update_pacticipant(
    db: Database,
    name: str,
    attributes: dict[str, str | None],
    present: Callable[[PacticipantView, bool], R],
    *,
    create_if_missing: bool,
    replace: bool = False,
) -> R:
    """PATCH (merge) or PUT (replace) a pacticipant; PATCH creates a missing one."""
    with db.write() as session:
        pacticipant = repo.find_pacticipant(session, name)
        created = False
        if pacticipant is None:
            if not create_if_missing:
                msg = f"No pacticipant with name '{name}' found"
                raise NotFoundError(msg)
            pacticipant = Pacticipant(name=name)
            session.add(pacticipant)
            created = True
        if replace:
            _apply(pacticipant, {key: attributes.get(key) for key in PACTICIPANT_FIELDS})
        else:
            _apply(pacticipant, attributes)
        if not created:
            repo.touch(pacticipant)
        session.flush()
        return present(view_of(session, pacticipant), created)


def delete_pacticipant(db: Database, name: str) -> None:
    with db.write() as session:
        session.delete(require_pacticipant(session, name))


def put_label(
    db: Database,
    pacticipant_name: str,
    label_name: str,
    present: Callable[[Label, bool], R],
) -> R:
    with db.write() as session:
        pacticipant = require_pacticipant(session, pacticipant_name)
        label = next((l for l in pacticipant.labels if l.name == label_name), None)  # noqa: E741
        created = label is None
        if label is None:
            label = Label(pacticipant_id=pacticipant.id, name=label_name)
            session.add(label)
            session.flush()
        return present(label, created)


def get_label(
    db: Database, pacticipant_name: str, label_name: str, present: Callable[[Label], R]
) -> R:
    with db.read() as session:
        pacticipant = require_pacticipant(session, pacticipant_name)
        label = next((l for l in pacticipant.labels if l.name == label_name), None)  # noqa: E741
        if label is None:
            msg = f"No label '{label_name}' found for pacticipant '{pacticipant_name}'"
            raise NotFoundError(msg)
        return present(label)


def delete_label(db: Database, pacticipant_name: str, label_name: str) -> None:
    with db.write() as session:
        pacticipant = require_pacticipant(session, pacticipant_name)
        label = next((l for l in pacticipant.labels if l.name == label_name), None)  # noqa: E741
        if label is None:
            msg = f"No label '{label_name}' found for pacticipant '{pacticipant_name}'"
            raise NotFoundError(msg)
        session.delete(label)
