"""Pacticipant versions: found by number, by branch, by tag, newest first."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import bindparam, select, tuple_
from sqlalchemy.orm import Session, selectinload

from pact_pipeline.broker.models import (
    Branch,
    BranchVersion,
    Pacticipant,
    Tag,
    Version,
)
from pact_pipeline.broker.paging import Page, PageRequest
from pact_pipeline.broker.repository.common import chunked, newest_on_branch
from pact_pipeline.broker.repository.paging import scalars_page

# Queries asked on every request are built once: building and keying a query costs more than
# SQLite takes to run it.
_BY_NUMBER = select(Version).where(
    Version.pacticipant_id == bindparam("pacticipant_id"), Version.number == bindparam("number")
)
_WITH_BRANCHES_AND_TAGS = (
    select(Version)
    .where(Version.id.in_(bindparam("ids", expanding=True)))
    .options(
        selectinload(Version.branch_versions).joinedload(BranchVersion.branch),
        selectinload(Version.tags),
    )
)


def find_version(session: Session, pacticipant: Pacticipant, number: str) -> Version | None:
    return session.scalars(_BY_NUMBER, {"pacticipant_id": pacticipant.id, "number": number}).first()


def find_or_create_version(session: Session, pacticipant: Pacticipant, number: str) -> Version:
    version = find_version(session, pacticipant, number)
    if version is None:
        version = Version(pacticipant_id=pacticipant.id, number=number)
        session.add(version)
        session.flush()
    return version


def list_versions(session: Session, pacticipant: Pacticipant) -> Sequence[Version]:
    return session.scalars(
        select(Version).where(Version.pacticipant_id == pacticipant.id).order_by(Version.id.desc())
    ).all()


def versions_page(
    session: Session, pacticipant: Pacticipant, page: PageRequest | None
) -> Page[Version]:
    """The pacticipant's versions, newest first: all, or one page (``LIMIT``/``OFFSET`` on
    the (pacticipant, id) order, so a page costs the same however many versions there are)."""
    query = (
        select(Version).where(Version.pacticipant_id == pacticipant.id).order_by(Version.id.desc())
    )
    return scalars_page(session, query, page)


def latest_version(
    session: Session, pacticipant: Pacticipant, *, tag: str | None = None
) -> Version | None:
    query = select(Version).where(Version.pacticipant_id == pacticipant.id)
    if tag is not None:
        query = query.join(Tag, Tag.version_id == Version.id).where(Tag.name == tag)
    return session.scalars(query.order_by(Version.id.desc()).limit(1)).first()


def branch_head(session: Session, pacticipant: Pacticipant, branch_name: str) -> Version | None:
    return session.scalars(
        select(Version)
        .join(BranchVersion, BranchVersion.version_id == Version.id)
        .join(Branch, Branch.id == BranchVersion.branch_id)
        .where(Branch.pacticipant_id == pacticipant.id, Branch.name == branch_name)
        .order_by(BranchVersion.id.desc())
        .limit(1)
    ).first()


_HEADS_OF = select(Version).where(
    Version.id.in_(
        select(newest_on_branch()).where(
            tuple_(Branch.pacticipant_id, Branch.name).in_(bindparam("pairs", expanding=True))
        )
    )
)


def branch_heads_of(session: Session, branches: dict[int, str]) -> dict[int, Version]:
    """:func:`branch_head` for many pacticipants at once: pacticipant id → branch name in,
    pacticipant id → the newest version on that branch out (those with one; one query)."""
    if not branches:
        return {}
    return {
        version.pacticipant_id: version
        for version in session.scalars(_HEADS_OF, {"pairs": sorted(branches.items())})
    }


def versions_on_branch(
    session: Session, pacticipant: Pacticipant, branch_name: str
) -> Sequence[Version]:
    return session.scalars(
        select(Version)
        .join(BranchVersion, BranchVersion.version_id == Version.id)
        .join(Branch, Branch.id == BranchVersion.branch_id)
        .where(Branch.pacticipant_id == pacticipant.id, Branch.name == branch_name)
        .order_by(Version.id.desc())
    ).all()


def versions_with_tag(session: Session, pacticipant: Pacticipant, tag: str) -> Sequence[Version]:
    return session.scalars(
        select(Version)
        .join(Tag, Tag.version_id == Version.id)
        .where(Version.pacticipant_id == pacticipant.id, Tag.name == tag)
        .order_by(Version.id.desc())
    ).all()


def version_by_id(session: Session, version_id: int) -> Version:
    return session.get_one(Version, version_id)


def versions_with_branches_and_tags(
    session: Session, version_ids: Iterable[int]
) -> dict[int, Version]:
    """The versions by id, each with its branch versions (and their branch) and tags loaded:
    rendering many versions through lazy relationships costs several queries per version."""
    versions: dict[int, Version] = {}
    for chunk in chunked(version_ids):
        versions.update((v.id, v) for v in session.scalars(_WITH_BRANCHES_AND_TAGS, {"ids": chunk}))
    return versions
