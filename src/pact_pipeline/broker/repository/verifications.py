"""Verification results of pact versions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cache

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.orm import Session

from pact_pipeline.broker.models import (
    PactPublication,
    PactVersion,
    Verification,
    Version,
)
from pact_pipeline.broker.repository.common import chunked, column_rows


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
    *,
    provider_version_ids: Iterable[int] | None = None,
    provider_ids: Iterable[int] = (),
) -> list[tuple[int, int, int, str, bool]]:
    """The newest verification per (pact version, provider version), as plain rows.

    Args:
        session: The session.
        pact_version_ids: The pact contents.
        provider_version_ids: Only verifications by these provider versions (or by any version
            of ``provider_ids``); ``None``: by any provider version.
        provider_ids: With ``provider_version_ids``, also verifications by these providers.

    Returns:
        (verification id, pact version id, provider version id, provider version number,
        success) for each, read with the provider version's number in one query rather than
        one query per verification.
    """
    filters: dict[str, list[int]] = {}
    if provider_version_ids is not None:
        filters = {
            "provider_version_ids": sorted(set(provider_version_ids)),
            "provider_ids": sorted(set(provider_ids)),
        }
    query = _latest_verification_rows_query(tuple(name for name, ids in filters.items() if ids))
    result: list[tuple[int, int, int, str, bool]] = []
    if provider_version_ids is not None and not any(filters.values()):
        return result
    for chunk in chunked(pact_version_ids):
        params: dict[str, list[int]] = {"pact_version_ids": chunk}
        params.update((name, ids) for name, ids in filters.items() if ids)
        result.extend(column_rows(session, query, params))
    return result


@cache
def _latest_verification_rows_query(
    filters: tuple[str, ...],
) -> Select[int, int, int, str, bool]:
    """The query of :func:`latest_verification_rows` for its filters, built once."""
    columns = {
        "provider_version_ids": Verification.provider_version_id,
        "provider_ids": Verification.provider_id,
    }
    latest = select(func.max(Verification.id)).where(
        Verification.pact_version_id.in_(bindparam("pact_version_ids", expanding=True))
    )
    if filters:
        latest = latest.where(
            or_(*(columns[name].in_(bindparam(name, expanding=True)) for name in filters))
        )
    latest = latest.group_by(Verification.pact_version_id, Verification.provider_version_id)
    return (
        select(
            Verification.id,
            Verification.pact_version_id,
            Verification.provider_version_id,
            Version.number,
            Verification.success,
        )
        .join(Version, Version.id == Verification.provider_version_id)
        .where(Verification.id.in_(latest))
    )


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


_VERIFIERS = (
    select(Verification.provider_version_id)
    .where(
        Verification.pact_version_id == bindparam("pact_version_id"),
        Verification.provider_version_id.in_(bindparam("provider_version_ids", expanding=True)),
    )
    .distinct()
)


def provider_versions_that_verified(
    session: Session, pact_version_id: int, provider_version_ids: Iterable[int]
) -> set[int]:
    """Which of the provider versions have verified the pact content (successfully or not):
    one seek per provider version, however often the content has been verified by others."""
    found: set[int] = set()
    for chunk in chunked(provider_version_ids):
        found.update(
            session.scalars(
                _VERIFIERS, {"pact_version_id": pact_version_id, "provider_version_ids": chunk}
            )
        )
    return found


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
            )
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
            )
        )
    return found
