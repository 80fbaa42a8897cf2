"""Verification results of pact versions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from pact_pipeline.broker.models import (
    PactPublication,
    PactVersion,
    Verification,
    Version,
)
from pact_pipeline.broker.repository.common import chunked


def next_verification_number(session: Session, pact_version: PactVersion) -> int:
    # Lock the pact version's row first: concurrent results for one pact (several workers on
    # PostgreSQL) then take their numbers in turn instead of colliding on the same max + 1.
    session.execute(
        select(PactVersion.id).where(PactVersion.id == pact_version.id).with_for_update()
    )
    current = session.scalar(
        select(func.max(Verification.number)).where(Verification.pact_version_id == pact_version.id)
    )
    return (current or 0) + 1


def find_verification(
    session: Session, pact_version: PactVersion, number: int
) -> Verification | None:
    return session.scalars(
        select(Verification).where(
            Verification.pact_version_id == pact_version.id, Verification.number == number
        )
    ).first()


def latest_verification(session: Session, pact_version: PactVersion) -> Verification | None:
    return session.scalars(
        select(Verification)
        .where(Verification.pact_version_id == pact_version.id)
        .order_by(Verification.id.desc())
        .limit(1)
    ).first()


def latest_verification_for_consumer_version(
    session: Session, version: Version
) -> Verification | None:
    return session.scalars(
        select(Verification)
        .where(
            Verification.pact_version_id.in_(
                select(PactPublication.pact_version_id).where(
                    PactPublication.consumer_version_id == version.id
                )
            )
        )
        .order_by(Verification.id.desc())
        .limit(1)
    ).first()


def latest_verification_rows(
    session: Session,
    pact_version_ids: Iterable[int],
    provider_versions: ColumnElement[bool] | None = None,
) -> list[tuple[int, int, int, str, bool]]:
    """The newest verification per (pact version, provider version), as plain rows.

    Args:
        session: The session.
        pact_version_ids: The pact contents.
        provider_versions: A condition on ``Verification`` limiting the provider versions.

    Returns:
        (verification id, pact version id, provider version id, provider version number,
        success) for each, read with the provider version's number in one query rather than
        one query per verification.
    """
    result: list[tuple[int, int, int, str, bool]] = []
    for chunk in chunked(pact_version_ids):
        latest = select(func.max(Verification.id)).where(Verification.pact_version_id.in_(chunk))
        if provider_versions is not None:
            latest = latest.where(provider_versions)
        latest = latest.group_by(Verification.pact_version_id, Verification.provider_version_id)
        result.extend(
            session.execute(
                select(
                    Verification.id,
                    Verification.pact_version_id,
                    Verification.provider_version_id,
                    Version.number,
                    Verification.success,
                )
                .join(Version, Version.id == Verification.provider_version_id)
                .where(Verification.id.in_(latest))
            ).tuples()
        )
    return result


def latest_verifications(
    session: Session,
    *,
    pact_version_ids: Iterable[int],
    provider_version_ids: Iterable[int] | None = None,
) -> Sequence[Verification]:
    """The newest verification per (pact version, provider version)."""
    pact_ids = list(set(pact_version_ids))
    if not pact_ids:
        return []
    latest = select(func.max(Verification.id)).where(Verification.pact_version_id.in_(pact_ids))
    if provider_version_ids is not None:
        latest = latest.where(Verification.provider_version_id.in_(list(set(provider_version_ids))))
    latest = latest.group_by(Verification.pact_version_id, Verification.provider_version_id)
    return session.scalars(select(Verification).where(Verification.id.in_(latest))).all()


def successful_verification_rows(
    session: Session, provider_id: int, pact_version_ids: Iterable[int]
) -> list[tuple[int, int, datetime, bool]]:
    """The provider's successful verifications of the pact versions, oldest first, as plain
    rows: (pact version id, provider version id, time, whether the pact was WIP)."""
    rows: list[tuple[int, int, datetime, bool]] = []
    for chunk in chunked(pact_version_ids):
        rows.extend(
            session.execute(
                select(
                    Verification.pact_version_id,
                    Verification.provider_version_id,
                    Verification.created_at,
                    Verification.wip,
                )
                .where(
                    Verification.pact_version_id.in_(chunk),
                    Verification.success.is_(True),
                    Verification.provider_id == provider_id,
                )
                .order_by(Verification.id)
            ).tuples()
        )
    return rows


def verification_outcomes(
    session: Session, verification_ids: Iterable[int]
) -> dict[int, tuple[bool, datetime, int]]:
    """Each verification's success, time and number (many verifications, one query a chunk)."""
    found: dict[int, tuple[bool, datetime, int]] = {}
    for chunk in chunked(verification_ids):
        found.update(
            (verification_id, (success, created_at, number))
            for verification_id, success, created_at, number in session.execute(
                select(
                    Verification.id,
                    Verification.success,
                    Verification.created_at,
                    Verification.number,
                ).where(Verification.id.in_(chunk))
            ).tuples()
        )
    return found
