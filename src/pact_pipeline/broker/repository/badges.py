"""The verifications pact badges are decided from (the Ruby broker's
``find_latest_verification_for`` and ``find_latest_verification_for_tags``)."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from pact_pipeline.broker.models import PactPublication, Tag, Verification
from pact_pipeline.broker.repository.common import is_current_revision


def _tagged(pacticipant_id: int, tag: str | None = None) -> Select[int]:
    """The ids of the pacticipant's versions with ``tag`` (with any tag when None)."""
    query = select(Tag.version_id).where(Tag.pacticipant_id == pacticipant_id)
    return query if tag is None else query.where(Tag.name == tag)


def latest_verification_of_integration(
    session: Session,
    consumer_id: int,
    provider_id: int,
    *,
    tag: str | None = None,
    untagged: bool = False,
) -> Verification | None:
    """The newest verification of the newest consumer version (with ``tag``, or without any
    tag) whose current pact has been verified at all.

    The latest pact's own content when it was verified; else an older pact's, which tells the
    badge the pact changed since it was last verified.
    """
    version_id = PactPublication.consumer_version_id
    query = (
        select(Verification)
        .join(PactPublication, PactPublication.pact_version_id == Verification.pact_version_id)
        .where(
            PactPublication.consumer_id == consumer_id,
            PactPublication.provider_id == provider_id,
            is_current_revision(),
        )
    )
    if tag is not None:
        query = query.where(version_id.in_(_tagged(consumer_id, tag)))
    if untagged:
        query = query.where(~version_id.in_(_tagged(consumer_id)))
    return session.scalars(
        query.order_by(version_id.desc(), Verification.id.desc()).limit(1)
    ).first()


def latest_verification_for_tags(
    session: Session,
    consumer_id: int,
    provider_id: int,
    consumer_tag: str,
    provider_tag: str,
) -> Verification | None:
    """The newest verification, by a provider version tagged ``provider_tag``, of the current
    pact of a consumer version tagged ``consumer_tag``: newest consumer version first, then
    newest provider version, then newest verification."""
    return session.scalars(
        select(Verification)
        .join(PactPublication, PactPublication.pact_version_id == Verification.pact_version_id)
        .where(
            PactPublication.consumer_id == consumer_id,
            PactPublication.provider_id == provider_id,
            is_current_revision(),
            PactPublication.consumer_version_id.in_(_tagged(consumer_id, consumer_tag)),
            Verification.provider_version_id.in_(_tagged(provider_id, provider_tag)),
        )
        .order_by(
            PactPublication.consumer_version_id.desc(),
            Verification.provider_version_id.desc(),
            Verification.id.desc(),
        )
        .limit(1)
    ).first()
