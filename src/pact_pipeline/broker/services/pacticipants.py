"""Pacticipants, versions, branches, tags and labels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.orm import Session

from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.errors import NotFoundError, invalid
from pact_pipeline.broker.models import Branch, BranchVersion, Label, Pacticipant, Tag, Version

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


def get_pacticipant(db: Database, name: str, present: Callable[[Session, Pacticipant], R]) -> R:
    with db.read() as session:
        return present(session, require_pacticipant(session, name))


def list_pacticipants(
    db: Database, present: Callable[[Session, list[Pacticipant]], R], *, label: str | None = None
) -> R:
    with db.read() as session:
        if label is not None:
            return present(session, list(repo.pacticipants_with_label(session, label)))
        return present(session, list(repo.list_pacticipants(session)))


def _apply(pacticipant: Pacticipant, attributes: dict[str, str | None]) -> None:
    for key, value in attributes.items():
        setattr(pacticipant, _ATTRIBUTES[key], value)


def create_pacticipant(
    db: Database,
    name: str,
    attributes: dict[str, str | None],
    present: Callable[[Session, Pacticipant], R],
) -> R:
    with db.write() as session:
        if repo.find_pacticipant(session, name) is not None:
            raise invalid("name", f"A pacticipant with name '{name}' already exists")
        pacticipant = Pacticipant(name=name)
        _apply(pacticipant, attributes)
        session.add(pacticipant)
        session.flush()
        return present(session, pacticipant)


def update_pacticipant(
    db: Database,
    name: str,
    attributes: dict[str, str | None],
    present: Callable[[Session, Pacticipant, bool], R],
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
        return present(session, pacticipant, created)


def delete_pacticipant(db: Database, name: str) -> None:
    with db.write() as session:
        session.delete(require_pacticipant(session, name))


def get_version(
    db: Database, pacticipant: str, number: str, present: Callable[[Session, Version], R]
) -> R:
    with db.read() as session:
        return present(session, require_version(session, pacticipant, number))


def get_latest_version(
    db: Database,
    pacticipant_name: str,
    present: Callable[[Session, Version], R],
    *,
    tag: str | None = None,
    branch: str | None = None,
) -> R:
    with db.read() as session:
        pacticipant = require_pacticipant(session, pacticipant_name)
        if branch is not None:
            version = repo.branch_head(session, pacticipant, branch)
        else:
            version = repo.latest_version(session, pacticipant, tag=tag)
        if version is None:
            scope = f" with tag '{tag}'" if tag else f" on branch '{branch}'" if branch else ""
            msg = f"No version{scope} found for pacticipant '{pacticipant_name}'"
            raise NotFoundError(msg)
        return present(session, version)


def list_versions(
    db: Database, pacticipant_name: str, present: Callable[[Session, Pacticipant, list[Version]], R]
) -> R:
    with db.read() as session:
        pacticipant = require_pacticipant(session, pacticipant_name)
        return present(session, pacticipant, list(repo.list_versions(session, pacticipant)))


@dataclass(frozen=True)
class VersionChanges:
    """What a PUT/PATCH of a version carries besides its number."""

    build_url: str | None = None
    branch: str | None = None
    tags: tuple[str, ...] = ()
    replace: bool = False


def upsert_version(
    db: Database,
    pacticipant_name: str,
    number: str,
    changes: VersionChanges,
    present: Callable[[Session, Version, bool], R],
) -> R:
    with db.write() as session:
        pacticipant = repo.find_or_create_pacticipant(session, pacticipant_name)
        version = repo.find_version(session, pacticipant, number)
        created = version is None
        version = repo.find_or_create_version(session, pacticipant, number)
        if changes.build_url is not None or changes.replace:
            version.build_url = changes.build_url
        if not created:
            repo.touch(version)
        if changes.branch:
            repo.add_version_to_branch(session, version, changes.branch)
        for tag in changes.tags:
            repo.add_tag(session, version, tag)
        session.flush()
        session.refresh(version)
        return present(session, version, created)


def delete_version(db: Database, pacticipant: str, number: str) -> None:
    with db.write() as session:
        session.delete(require_version(session, pacticipant, number))


def put_branch_version(
    db: Database,
    pacticipant_name: str,
    branch_name: str,
    number: str,
    present: Callable[[Session, BranchVersion, bool], R],
) -> R:
    with db.write() as session:
        pacticipant = repo.find_or_create_pacticipant(session, pacticipant_name)
        version = repo.find_or_create_version(session, pacticipant, number)
        branch_version, created = repo.add_version_to_branch(session, version, branch_name)
        return present(session, branch_version, created)


def require_branch(session: Session, pacticipant_name: str, branch_name: str) -> Branch:
    pacticipant = require_pacticipant(session, pacticipant_name)
    branch = repo.find_branch(session, pacticipant, branch_name)
    if branch is None:
        msg = f"No branch '{branch_name}' found for pacticipant '{pacticipant_name}'"
        raise NotFoundError(msg)
    return branch


def get_branch(
    db: Database, pacticipant: str, branch: str, present: Callable[[Session, Branch], R]
) -> R:
    with db.read() as session:
        return present(session, require_branch(session, pacticipant, branch))


def list_branches(
    db: Database, pacticipant_name: str, present: Callable[[Session, Pacticipant, list[Branch]], R]
) -> R:
    with db.read() as session:
        pacticipant = require_pacticipant(session, pacticipant_name)
        return present(session, pacticipant, list(repo.list_branches(session, pacticipant)))


def delete_branch(db: Database, pacticipant: str, branch: str) -> None:
    with db.write() as session:
        session.delete(require_branch(session, pacticipant, branch))


def get_branch_version(
    db: Database,
    pacticipant: str,
    branch_name: str,
    number: str,
    present: Callable[[Session, BranchVersion], R],
) -> R:
    with db.read() as session:
        branch = require_branch(session, pacticipant, branch_name)
        version = require_version(session, pacticipant, number)
        branch_version = repo.find_branch_version(session, branch, version)
        if branch_version is None:
            msg = f"Version {number} is not on branch '{branch_name}'"
            raise NotFoundError(msg)
        return present(session, branch_version)


def delete_branch_version(db: Database, pacticipant: str, branch_name: str, number: str) -> None:
    with db.write() as session:
        branch = require_branch(session, pacticipant, branch_name)
        version = require_version(session, pacticipant, number)
        branch_version = repo.find_branch_version(session, branch, version)
        if branch_version is None:
            msg = f"Version {number} is not on branch '{branch_name}'"
            raise NotFoundError(msg)
        session.delete(branch_version)


def put_tag(
    db: Database,
    pacticipant_name: str,
    number: str,
    tag_name: str,
    present: Callable[[Session, Tag, bool], R],
    on_tagged: Callable[[Session, Version, str], None] | None = None,
) -> R:
    with db.write() as session:
        pacticipant = repo.find_or_create_pacticipant(session, pacticipant_name)
        version = repo.find_or_create_version(session, pacticipant, number)
        tag, created = repo.add_tag(session, version, tag_name)
        if created and on_tagged is not None:
            on_tagged(session, version, tag_name)
        return present(session, tag, created)


def require_tag(session: Session, pacticipant: str, number: str, tag_name: str) -> Tag:
    version = require_version(session, pacticipant, number)
    tag = repo.find_tag(session, version, tag_name)
    if tag is None:
        msg = f"No tag '{tag_name}' found for version {number} of '{pacticipant}'"
        raise NotFoundError(msg)
    return tag


def get_tag(
    db: Database, pacticipant: str, number: str, tag: str, present: Callable[[Session, Tag], R]
) -> R:
    with db.read() as session:
        return present(session, require_tag(session, pacticipant, number, tag))


def delete_tag(db: Database, pacticipant: str, number: str, tag: str) -> None:
    with db.write() as session:
        session.delete(require_tag(session, pacticipant, number, tag))


def put_label(
    db: Database,
    pacticipant_name: str,
    label_name: str,
    present: Callable[[Session, Label, bool], R],
) -> R:
    with db.write() as session:
        pacticipant = require_pacticipant(session, pacticipant_name)
        label = next((l for l in pacticipant.labels if l.name == label_name), None)  # noqa: E741
        created = label is None
        if label is None:
            label = Label(pacticipant_id=pacticipant.id, name=label_name)
            session.add(label)
            session.flush()
        return present(session, label, created)


def get_label(
    db: Database, pacticipant_name: str, label_name: str, present: Callable[[Session, Label], R]
) -> R:
    with db.read() as session:
        pacticipant = require_pacticipant(session, pacticipant_name)
        label = next((l for l in pacticipant.labels if l.name == label_name), None)  # noqa: E741
        if label is None:
            msg = f"No label '{label_name}' found for pacticipant '{pacticipant_name}'"
            raise NotFoundError(msg)
        return present(session, label)


def delete_label(db: Database, pacticipant_name: str, label_name: str) -> None:
    with db.write() as session:
        pacticipant = require_pacticipant(session, pacticipant_name)
        label = next((l for l in pacticipant.labels if l.name == label_name), None)  # noqa: E741
        if label is None:
            msg = f"No label '{label_name}' found for pacticipant '{pacticipant_name}'"
            raise NotFoundError(msg)
        session.delete(label)
