"""Branches, branch versions and tags of pacticipant versions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, Select, bindparam, func, select
from sqlalchemy.orm import Session

from pact_pipeline.broker.models import (
    Branch,
    BranchVersion,
    Pacticipant,
    Tag,
    Version,
)
from pact_pipeline.broker.repository.common import chunked, column_rows, newest_on_branch

AUTO_MAIN_BRANCHES = ("develop", "main", "master")


_BRANCH_BY_NAME = select(Branch).where(
    Branch.pacticipant_id == bindparam("pacticipant_id"), Branch.name == bindparam("name")
)


def find_branch(session: Session, pacticipant: Pacticipant, name: str) -> Branch | None:
    return session.scalars(
        _BRANCH_BY_NAME, {"pacticipant_id": pacticipant.id, "name": name}
    ).first()


def list_branches(session: Session, pacticipant: Pacticipant) -> Sequence[Branch]:
    return session.scalars(
        select(Branch).where(Branch.pacticipant_id == pacticipant.id).order_by(Branch.id.desc())
    ).all()


def find_branch_version(session: Session, branch: Branch, version: Version) -> BranchVersion | None:
    return session.scalars(
        select(BranchVersion).where(
            BranchVersion.branch_id == branch.id, BranchVersion.version_id == version.id
        )
    ).first()


def add_version_to_branch(
    session: Session, version: Version, branch_name: str
) -> tuple[BranchVersion, bool]:
    """Put a version on a branch (creating the branch); returns (branch version, created)."""
    pacticipant = version.pacticipant
    branch = find_branch(session, pacticipant, branch_name)
    if branch is None:
        branch = Branch(pacticipant_id=pacticipant.id, name=branch_name)
        session.add(branch)
        session.flush()
    existing = find_branch_version(session, branch, version)
    if existing is not None:
        return existing, False
    branch_version = BranchVersion(branch_id=branch.id, version_id=version.id)
    session.add(branch_version)
    session.flush()
    maybe_set_main_branch(pacticipant, branch_name)
    return branch_version, True


def maybe_set_main_branch(pacticipant: Pacticipant, name: str) -> None:
    """Adopt a conventional branch name as the main branch, as the Ruby broker does."""
    if pacticipant.main_branch is None and name in AUTO_MAIN_BRANCHES:
        pacticipant.main_branch = name


def is_branch_head(session: Session, branch: Branch, version: Version) -> bool:
    head = session.scalars(
        select(BranchVersion.version_id)
        .where(BranchVersion.branch_id == branch.id)
        .order_by(BranchVersion.id.desc())
        .limit(1)
    ).first()
    return head == version.id


_HEADS = select(Branch.id, newest_on_branch()).where(
    Branch.id.in_(bindparam("ids", expanding=True))
)


def branch_heads(session: Session, branch_ids: Iterable[int]) -> dict[int, int]:
    """The head version of each branch (branch id → version id), one index seek per branch."""
    heads: dict[int, int] = {}
    for chunk in chunked(branch_ids):
        for branch_id, version_id in column_rows(session, _HEADS, {"ids": chunk}):
            if version_id is not None:
                heads[branch_id] = version_id
    return heads


def find_tag(session: Session, version: Version, name: str) -> Tag | None:
    return session.scalars(
        select(Tag).where(Tag.version_id == version.id, Tag.name == name)
    ).first()


def add_tag(session: Session, version: Version, name: str) -> tuple[Tag, bool]:
    existing = find_tag(session, version, name)
    if existing is not None:
        return existing, False
    tag = Tag(version_id=version.id, pacticipant_id=version.pacticipant_id, name=name)
    session.add(tag)
    session.flush()
    maybe_set_main_branch(version.pacticipant, name)
    return tag, True


_BRANCH_NAMES_OF_VERSIONS = (
    select(BranchVersion.version_id, Branch.name)
    .join(Branch, Branch.id == BranchVersion.branch_id)
    .where(BranchVersion.version_id.in_(bindparam("ids", expanding=True)))
)
_TAG_NAMES_OF_VERSIONS = select(Tag.version_id, Tag.name).where(
    Tag.version_id.in_(bindparam("ids", expanding=True))
)


def branch_and_tag_names(
    session: Session, version_ids: Iterable[int]
) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    """The branch names and the tag names of each version, in two queries (not two per
    version)."""
    branches: dict[int, set[str]] = {}
    tags: dict[int, set[str]] = {}
    for chunk in chunked(version_ids):
        for version_id, name in column_rows(session, _BRANCH_NAMES_OF_VERSIONS, {"ids": chunk}):
            branches.setdefault(version_id, set()).add(name)
        for version_id, name in column_rows(session, _TAG_NAMES_OF_VERSIONS, {"ids": chunk}):
            tags.setdefault(version_id, set()).add(name)
    return branches, tags


def branch_heads_by_name(
    session: Session, pacticipant_ids: Iterable[int], names: Iterable[str] | None
) -> dict[int, dict[str, int]]:
    """For each pacticipant, the head version of its branches named ``names`` (every branch
    when None), one index seek per branch, one query in all."""
    params = _ids_and_names(pacticipant_ids, names)
    heads: dict[int, dict[str, int]] = {}
    for pacticipant_id, name, version_id in column_rows(
        session, _branch_heads_query(names is not None), params
    ):
        if version_id is not None:
            heads.setdefault(pacticipant_id, {})[name] = version_id
    return heads


def newest_version_per_tag(
    session: Session, pacticipant_ids: Iterable[int], names: Iterable[str] | None
) -> dict[int, dict[str, int]]:
    """For each pacticipant, the newest version with each of its tags named ``names`` (every
    tag when None), one row per tag name, one query in all."""
    params = _ids_and_names(pacticipant_ids, names)
    newest: dict[int, dict[str, int]] = {}
    for pacticipant_id, name, version_id in column_rows(
        session, _newest_per_tag_query(names is not None), params
    ):
        newest.setdefault(pacticipant_id, {})[name] = version_id
    return newest


def versions_per_tag(
    session: Session, pacticipant_ids: Iterable[int], names: Iterable[str]
) -> dict[int, dict[str, set[int]]]:
    """For each pacticipant, every version of it with each of the tags (one query)."""
    tagged: dict[int, dict[str, set[int]]] = {}
    for pacticipant_id, tag_name, version_id in column_rows(
        session, _VERSIONS_PER_TAG, _ids_and_names(pacticipant_ids, names)
    ):
        tagged.setdefault(pacticipant_id, {}).setdefault(tag_name, set()).add(version_id)
    return tagged


def _ids_and_names(ids: Iterable[int], names: Iterable[str] | None) -> dict[str, list[Any]]:
    params: dict[str, list[Any]] = {"ids": sorted(set(ids))}
    if names is not None:
        params["names"] = sorted(set(names))
    return params


_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
_NAMES: BindParameter[list[str]] = bindparam("names", expanding=True)


@cache
def _branch_heads_query(named: bool) -> Select[int, str, int]:
    query = select(Branch.pacticipant_id, Branch.name, newest_on_branch()).where(
        Branch.pacticipant_id.in_(_IDS)
    )
    return query.where(Branch.name.in_(_NAMES)) if named else query


@cache
def _newest_per_tag_query(named: bool) -> Select[int, str, int]:
    query = (
        select(Tag.pacticipant_id, Tag.name, func.max(Tag.version_id))
        .where(Tag.pacticipant_id.in_(_IDS))
        .group_by(Tag.pacticipant_id, Tag.name)
    )
    return query.where(Tag.name.in_(_NAMES)) if named else query


_VERSIONS_PER_TAG = select(Tag.pacticipant_id, Tag.name, Tag.version_id).where(
    Tag.pacticipant_id.in_(_IDS), Tag.name.in_(_NAMES)
)


def first_tag_use_times(
    session: Session, pacticipant_id: int, names: Iterable[str]
) -> dict[str, datetime]:
    """When the pacticipant first used each of the tags."""
    first_ids = (
        select(func.min(Tag.id))
        .where(Tag.pacticipant_id == pacticipant_id, Tag.name.in_(sorted(set(names))))
        .group_by(Tag.name)
    )
    return dict(
        session.execute(select(Tag.name, Tag.created_at).where(Tag.id.in_(first_ids))).all()
    )
