"""The matrix's rows: current publications of the selected versions and the newest
verification of each (pact version, provider version), read as plain rows for the pure rules
of :mod:`pact_pipeline.broker.matrix`."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, aliased

from pact_pipeline.broker import matrix
from pact_pipeline.broker.models import Pacticipant, PactPublication, Verification, Version
from pact_pipeline.broker.repository.common import is_current_revision
from pact_pipeline.broker.repository.verifications import latest_verification_rows


def _verified_by(version_ids: set[int], whole_ids: set[int]) -> ColumnElement[bool]:
    # A verification's provider version is a version of its provider, so "by a version of a
    # whole pacticipant" is "by that provider": no need to list every one of its versions.
    return or_(
        Verification.provider_version_id.in_(version_ids),
        Verification.provider_id.in_(whole_ids),
    )


def pact_versions_verified_by(
    session: Session, version_ids: set[int], whole_ids: set[int]
) -> set[int]:
    """Pact versions verified by the versions, or by any version of the whole pacticipants."""
    query = select(Verification.pact_version_id).where(_verified_by(version_ids, whole_ids))
    return set(session.scalars(query).all())


def matrix_publications(
    session: Session,
    consumer_version_ids: set[int],
    consumer_ids: set[int],
    pact_version_ids: set[int],
) -> list[matrix.Publication]:
    """Current publications by any of the consumer versions or consumers, or of any of the
    pact versions, with names and version numbers read in the same query (loading them
    through the ORM's relationships costs one query per publication)."""
    conditions = []
    if consumer_version_ids:
        conditions.append(PactPublication.consumer_version_id.in_(consumer_version_ids))
    if consumer_ids:
        conditions.append(PactPublication.consumer_id.in_(consumer_ids))
    if pact_version_ids:
        conditions.append(PactPublication.pact_version_id.in_(pact_version_ids))
    if not conditions:
        return []
    consumer, provider = aliased(Pacticipant), aliased(Pacticipant)
    rows = session.execute(
        select(
            PactPublication.id,
            PactPublication.consumer_id,
            consumer.name,
            PactPublication.consumer_version_id,
            Version.number,
            PactPublication.provider_id,
            provider.name,
            PactPublication.pact_version_id,
        )
        .join(consumer, consumer.id == PactPublication.consumer_id)
        .join(provider, provider.id == PactPublication.provider_id)
        .join(Version, Version.id == PactPublication.consumer_version_id)
        .where(or_(*conditions), is_current_revision())
    ).tuples()
    return [matrix.Publication(*row) for row in rows]


def matrix_verifications(
    session: Session,
    pact_version_ids: Iterable[int],
    *,
    version_ids: set[int],
    whole_ids: set[int],
    any_provider_version: bool,
) -> list[matrix.VerificationRef]:
    """The newest verification per (pact version, provider version) of the pact versions, by
    the selected provider versions unless ``any_provider_version``."""
    rows = latest_verification_rows(
        session,
        pact_version_ids,
        None if any_provider_version else _verified_by(version_ids, whole_ids),
    )
    return [matrix.VerificationRef(*row) for row in rows]
