"""Pacticipant versions, their branches and their tags."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.errors import NotFoundError
from pact_pipeline.broker.models import (
    Branch,
    BranchVersion,
    DeployedVersion,
    Environment,
    Pacticipant,
    PactPublication,
    ReleasedVersion,
    Tag,
    Version,
)
from pact_pipeline.broker.paging import Page, PageRequest
from pact_pipeline.broker.services.pacticipants import require_pacticipant, require_version

R = TypeVar("R")


@dataclass(frozen=True)
class VersionFacts:
    """What version resources embed, loaded for a whole list of versions in a few queries
    (rendering them one by one costs about ten queries per version).

    Attributes:
        environments: Every environment (a version links to recording a deployment to each).
        deployed: The environments each version is currently deployed to, by version id.
        released: The environments each version is released and supported in, by version id.
        publications: Each version's current pacts, by version id.
        heads: The head version of each branch the versions are on, by branch id.
    """

    environments: Sequence[Environment]
    deployed: dict[int, list[Environment]]
    released: dict[int, list[Environment]]
    publications: dict[int, list[PactPublication]]
    heads: dict[int, int]


def load_version_facts(session: Session, versions: Sequence[Version]) -> VersionFacts:
    ids = [v.id for v in versions]
    # Fills each version's branch versions (with their branch) and tags.
    repo.versions_with_branches_and_tags(session, ids)
    branch_ids = {bv.branch_id for v in versions for bv in v.branch_versions}
    return VersionFacts(
        environments=repo.list_environments(session),
        deployed=repo.current_environments_of_versions(session, DeployedVersion, ids),
        released=repo.current_environments_of_versions(session, ReleasedVersion, ids),
        publications=repo.publications_for_versions(session, ids),
        heads=repo.branch_heads(session, branch_ids),
    )


@dataclass(frozen=True)
class VersionView:
    version: Version
    facts: VersionFacts


def _view(session: Session, version: Version) -> VersionView:
    return VersionView(version, load_version_facts(session, [version]))


@dataclass(frozen=True)
class BranchView:
    """A branch with its head, the newest version on it."""

    branch: Branch
    head: Version | None


def _branch_view(session: Session, branch: Branch) -> BranchView:
    return BranchView(branch, repo.branch_head(session, branch.pacticipant, branch.name))


@dataclass(frozen=True)
class BranchVersionView:
    """A version's place on a branch, and whether it is the branch's head."""

    branch_version: BranchVersion
    latest: bool


def _branch_version_view(session: Session, branch_version: BranchVersion) -> BranchVersionView:
    latest = repo.is_branch_head(session, branch_version.branch, branch_version.version)
    return BranchVersionView(branch_version, latest)


def get_version(
    db: Database, pacticipant: str, number: str, present: Callable[[VersionView], R]
) -> R:
    with db.read() as session:
        return present(_view(session, require_version(session, pacticipant, number)))


def get_latest_version(
    db: Database,
    pacticipant_name: str,
    present: Callable[[VersionView], R],
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
        return present(_view(session, version))


def list_versions(
    db: Database,
    pacticipant_name: str,
    present: Callable[[Pacticipant, Page[Version], VersionFacts], R],
    page: PageRequest | None = None,
) -> R:
    """The pacticipant's versions, newest first: all, or one page (whose facts alone are
    loaded)."""
    with db.read() as session:
        pacticipant = require_pacticipant(session, pacticipant_name)
        found = repo.versions_page(session, pacticipant, page)
        return present(pacticipant, found, load_version_facts(session, found.items))


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
    present: Callable[[VersionView, bool], R],
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
        return present(_view(session, version), created)


def delete_version(db: Database, pacticipant: str, number: str) -> None:
    with db.write() as session:
        session.delete(require_version(session, pacticipant, number))


def put_branch_version(
    db: Database,
    pacticipant_name: str,
    branch_name: str,
    number: str,
    present: Callable[[BranchVersionView, bool], R],
) -> R:
    with db.write() as session:
        pacticipant = repo.find_or_create_pacticipant(session, pacticipant_name)
        version = repo.find_or_create_version(session, pacticipant, number)
        branch_version, created = repo.add_version_to_branch(session, version, branch_name)
        return present(_branch_version_view(session, branch_version), created)


def require_branch(session: Session, pacticipant_name: str, branch_name: str) -> Branch:
    pacticipant = require_pacticipant(session, pacticipant_name)
    branch = repo.find_branch(session, pacticipant, branch_name)
    if branch is None:
        msg = f"No branch '{branch_name}' found for pacticipant '{pacticipant_name}'"
        raise NotFoundError(msg)
    return branch


def get_branch(
    db: Database, pacticipant: str, branch: str, present: Callable[[BranchView], R]
) -> R:
    with db.read() as session:
        return present(_branch_view(session, require_branch(session, pacticipant, branch)))


def list_branches(
    db: Database, pacticipant_name: str, present: Callable[[Pacticipant, list[BranchView]], R]
) -> R:
    with db.read() as session:
        pacticipant = require_pacticipant(session, pacticipant_name)
        branches = repo.list_branches(session, pacticipant)
        return present(pacticipant, [_branch_view(session, b) for b in branches])


def delete_branch(db: Database, pacticipant: str, branch: str) -> None:
    with db.write() as session:
        session.delete(require_branch(session, pacticipant, branch))


def get_branch_version(
    db: Database,
    pacticipant: str,
    branch_name: str,
    number: str,
    present: Callable[[BranchVersionView], R],
) -> R:
    with db.read() as session:
        branch = require_branch(session, pacticipant, branch_name)
        version = require_version(session, pacticipant, number)
        branch_version = repo.find_branch_version(session, branch, version)
        if branch_version is None:
            msg = f"Version {number} is not on branch '{branch_name}'"
            raise NotFoundError(msg)
        return present(_branch_version_view(session, branch_version))


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
    present: Callable[[Tag, bool], R],
    on_tagged: Callable[[Session, Version, str], None] | None = None,
) -> R:
    with db.write() as session:
        pacticipant = repo.find_or_create_pacticipant(session, pacticipant_name)
        version = repo.find_or_create_version(session, pacticipant, number)
        tag, created = repo.add_tag(session, version, tag_name)
        if created and on_tagged is not None:
            on_tagged(session, version, tag_name)
        return present(tag, created)


def require_tag(session: Session, pacticipant: str, number: str, tag_name: str) -> Tag:
    version = require_version(session, pacticipant, number)
    tag = repo.find_tag(session, version, tag_name)
    if tag is None:
        msg = f"No tag '{tag_name}' found for version {number} of '{pacticipant}'"
        raise NotFoundError(msg)
    return tag


def get_tag(
    db: Database, pacticipant: str, number: str, tag: str, present: Callable[[Tag], R]
) -> R:
    with db.read() as session:
        return present(require_tag(session, pacticipant, number, tag))


def delete_tag(db: Database, pacticipant: str, number: str, tag: str) -> None:
    with db.write() as session:
        session.delete(require_tag(session, pacticipant, number, tag))


def first_tag_as_branch(session: Session, version: Version, tag: str, within: float) -> None:
    """Give a branchless version its first tag as its branch, if it is new enough.

    Clients from before branches tag every version with the branch they built; the Pact
    Broker's ``use_first_tag_as_branch`` turns that into a branch (once, for the first tag, and
    only while the version is ``within`` seconds old, so tagging an old version later does not).
    """
    if version.branch_versions or {t.name for t in version.tags} - {tag}:
        return
    created = version.created_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    if (datetime.now(UTC) - created).total_seconds() > within:
        return
    repo.add_version_to_branch(session, version, tag)
