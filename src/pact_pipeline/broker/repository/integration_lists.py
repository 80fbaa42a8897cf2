"""Queries for one integration's pact lists, label names and versions by id."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from pact_pipeline.broker.models import (
    Branch,
    BranchVersion,
    Label,
    Pacticipant,
    PactPublication,
    Tag,
    Version,
)
from pact_pipeline.broker.repository.common import chunked, is_current_revision


def integration_publications(
    session: Session,
    consumer: Pacticipant,
    provider: Pacticipant,
    *,
    tag: str | None = None,
    branch: str | None = None,
    main_branch: bool = False,
) -> Sequence[PactPublication]:
    """The integration's current pacts, newest consumer version first, optionally only those
    whose consumer version has the tag, is on the branch or on the consumer's main branch."""
    version_id = PactPublication.consumer_version_id
    query = (
        select(PactPublication)
        .where(
            PactPublication.consumer_id == consumer.id,
            PactPublication.provider_id == provider.id,
            is_current_revision(),
        )
        .options(joinedload(PactPublication.consumer_version))
    )
    if tag is not None:
        query = query.where(
            version_id.in_(
                select(Tag.version_id).where(Tag.name == tag, Tag.pacticipant_id == consumer.id)
            )
        )
    branch_name = consumer.main_branch if main_branch else branch
    if main_branch or branch is not None:
        query = query.where(
            version_id.in_(
                select(BranchVersion.version_id)
                .join(Branch, Branch.id == BranchVersion.branch_id)
                .where(Branch.pacticipant_id == consumer.id, Branch.name == branch_name)
            )
        )
    return session.scalars(query.order_by(version_id.desc())).all()


def label_names(session: Session) -> list[str]:
    """Every label name in use, once each, sorted."""
    return list(session.scalars(select(Label.name).distinct().order_by(Label.name)).all())


def versions_by_ids(session: Session, version_ids: Iterable[int]) -> list[Version]:
    """The versions, newest first."""
    found: list[Version] = []
    for chunk in chunked(version_ids):
        found.extend(session.scalars(select(Version).where(Version.id.in_(chunk))).all())
    return sorted(found, key=lambda v: v.id, reverse=True)
