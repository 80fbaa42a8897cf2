"""The matrix's rows: current publications of the selected versions and the newest
verification of each (pact version, provider version), read as plain rows for the pure rules
of :mod:`pact_pipeline.broker.matrix`."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from sqlalchemy import ColumnElement, Select, bindparam, or_, select
from sqlalchemy.orm import Session, aliased

from pact_pipeline.broker import matrix
from pact_pipeline.broker.models import Pacticipant, PactPublication, Verification, Version
from pact_pipeline.broker.repository.common import column_rows, is_current_revision
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
    given = {
        "consumer_version_ids": sorted(consumer_version_ids),
        "consumer_ids": sorted(consumer_ids),
        "pact_version_ids": sorted(pact_version_ids),
    }
    present = tuple(name for name, ids in given.items() if ids)
    if not present:
        return []
    rows = column_rows(
        session, _publications_query(present), {name: given[name] for name in present}
    )
    return [matrix.Publication(*row) for row in rows]


@cache
def _publications_query(
    present: tuple[str, ...],
) -> Select[int, int, str, int, str, int, str, int]:
    """The query of :func:`matrix_publications` for the kinds of ids given, built once (building
    and keying a query this size costs more than running it)."""
    columns = {
        "consumer_version_ids": PactPublication.consumer_version_id,
        "consumer_ids": PactPublication.consumer_id,
        "pact_version_ids": PactPublication.pact_version_id,
    }
    consumer, provider = aliased(Pacticipant), aliased(Pacticipant)
    return (
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
        .where(
            or_(*(columns[name].in_(bindparam(name, expanding=True)) for name in present)),
            is_current_revision(),
        )
    )


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
        provider_version_ids=None if any_provider_version else version_ids,
        provider_ids=whole_ids,
    )
    return [matrix.VerificationRef(*row) for row in rows]
