"""Queries the browsable pages need beyond the API's: recent versions, a branch's verification."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from pact_pipeline.broker.models import (
    Branch,
    BranchVersion,
    Pacticipant,
    PactPublication,
    Verification,
    Version,
)
from pact_pipeline.broker.repository.common import is_current_revision


def recent_versions(session: Session, pacticipant: Pacticipant, limit: int) -> Sequence[Version]:
    """The pacticipant's newest versions, newest first."""
    return session.scalars(
        select(Version)
        .where(Version.pacticipant_id == pacticipant.id)
        .order_by(Version.id.desc())
        .limit(limit)
    ).all()


def latest_verification_from_branch(
    session: Session, pact_version_id: int, provider: Pacticipant, branch: str
) -> Verification | None:
    """The newest verification of a pact's content by a provider version on `branch`."""
    on_branch = (
        select(BranchVersion.version_id)
        .join(Branch, Branch.id == BranchVersion.branch_id)
        .where(Branch.pacticipant_id == provider.id, Branch.name == branch)
    )
    return session.scalars(
        select(Verification)
        .where(
            Verification.pact_version_id == pact_version_id,
            Verification.provider_version_id.in_(on_branch),
        )
        .order_by(Verification.id.desc())
        .limit(1)
    ).first()


def previous_distinct_publication(session: Session, pub: PactPublication) -> PactPublication | None:
    """The current pact of the newest earlier consumer version whose content differs."""
    return session.scalars(
        select(PactPublication)
        .where(
            PactPublication.consumer_id == pub.consumer_id,
            PactPublication.provider_id == pub.provider_id,
            PactPublication.consumer_version_id < pub.consumer_version_id,
            PactPublication.pact_version_id != pub.pact_version_id,
            is_current_revision(),
        )
        .order_by(PactPublication.consumer_version_id.desc())
        .limit(1)
    ).first()
