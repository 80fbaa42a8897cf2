"""Integrations: the consumer/provider pairs that have pacts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from pact_pipeline.broker.models import (
    DeployedVersion,
    Pacticipant,
    PactPublication,
    PactVersion,
    ReleasedVersion,
    Verification,
    Version,
    Webhook,
)
from pact_pipeline.broker.paging import Page, PageInfo, PageRequest
from pact_pipeline.broker.repository.common import chunked, distinct_values
from pact_pipeline.broker.repository.paging import count_rows, limit_to_page


def integration_pairs(session: Session) -> list[tuple[Pacticipant, Pacticipant, datetime]]:
    """Every (consumer, provider) pair with a pact, with its latest publication time."""
    rows = session.execute(
        select(
            PactPublication.consumer_id,
            PactPublication.provider_id,
            func.max(PactPublication.created_at),
        ).group_by(PactPublication.consumer_id, PactPublication.provider_id)
    ).all()
    result = []
    for consumer_id, provider_id, created_at in rows:
        consumer = session.get(Pacticipant, consumer_id)
        provider = session.get(Pacticipant, provider_id)
        if consumer is not None and provider is not None:
            result.append((consumer, provider, created_at))
    result.sort(key=lambda r: (r[0].name, r[1].name))
    return result


def integrations_page(
    session: Session, *, name_filter: str | None = None, page: PageRequest | None = None
) -> Page[tuple[Pacticipant, Pacticipant, datetime]]:
    """As :func:`integration_pairs` (by consumer, then provider name), only the pairs where
    either name contains ``name_filter`` (any case), all or one page."""
    consumer, provider = aliased(Pacticipant), aliased(Pacticipant)
    pairs = (
        select(
            PactPublication.consumer_id,
            PactPublication.provider_id,
            func.max(PactPublication.created_at).label("latest"),
        )
        .group_by(PactPublication.consumer_id, PactPublication.provider_id)
        .subquery()
    )
    query = (
        select(consumer, provider, pairs.c.latest)
        .select_from(pairs)
        .join(consumer, consumer.id == pairs.c.consumer_id)
        .join(provider, provider.id == pairs.c.provider_id)
        .order_by(consumer.name, provider.name)
    )
    if name_filter is not None:
        query = query.where(
            or_(
                consumer.name.icontains(name_filter, autoescape=True),
                provider.name.icontains(name_filter, autoescape=True),
            )
        )
    if page is None:
        rows = list(session.execute(query).tuples())
        # As integration_pairs sorts them (a database's collation may order names otherwise).
        rows.sort(key=lambda r: (r[0].name, r[1].name))
        return Page(rows)
    rows = list(session.execute(limit_to_page(query, page)).tuples())
    return Page(rows, PageInfo.of(page, count_rows(session, query)))


def providers_of_consumer_versions(
    session: Session, version_ids: Iterable[int]
) -> dict[int, list[int]]:
    """For each consumer version with pacts, its providers, ascending (one query in all)."""
    found: dict[int, set[int]] = {}
    for chunk in chunked(version_ids):
        for version_id, provider_id in session.execute(
            select(PactPublication.consumer_version_id, PactPublication.provider_id).where(
                PactPublication.consumer_version_id.in_(chunk)
            )
        ).tuples():
            found.setdefault(version_id, set()).add(provider_id)
    return {version_id: sorted(ids) for version_id, ids in found.items()}


def providers_of_consumer(session: Session, consumer_id: int) -> list[int]:
    """Providers the consumer has pacts with, ascending (one index seek per provider)."""
    return distinct_values(
        session, PactPublication.provider_id, PactPublication.consumer_id == consumer_id
    )


def consumers_of_provider(session: Session, provider_id: int) -> list[int]:
    """Consumers with pacts for the provider, ascending (one index seek per consumer)."""
    return distinct_values(
        session, PactPublication.consumer_id, PactPublication.provider_id == provider_id
    )


def delete_integration(session: Session, consumer: Pacticipant, provider: Pacticipant) -> None:
    """Delete a pair's pacts, verifications and webhooks, then orphaned versions/pacticipants."""
    pact_versions = session.scalars(
        select(PactVersion).where(
            PactVersion.consumer_id == consumer.id, PactVersion.provider_id == provider.id
        )
    ).all()
    for pact_version in pact_versions:
        for verification in session.scalars(
            select(Verification).where(Verification.pact_version_id == pact_version.id)
        ).all():
            session.delete(verification)
        for pub in session.scalars(
            select(PactPublication).where(PactPublication.pact_version_id == pact_version.id)
        ).all():
            session.delete(pub)
        session.delete(pact_version)
    for webhook in session.scalars(
        select(Webhook).where(
            Webhook.consumer_id == consumer.id, Webhook.provider_id == provider.id
        )
    ).all():
        session.delete(webhook)
    session.flush()
    # dict.fromkeys: a pacticipant with a pact with itself must be deleted once, not twice.
    for pacticipant in dict.fromkeys((consumer, provider)):
        _delete_orphan_versions(session, pacticipant)
        if _is_orphan_pacticipant(session, pacticipant):
            session.delete(pacticipant)
    session.flush()


def _delete_orphan_versions(session: Session, pacticipant: Pacticipant) -> None:
    used = or_(
        Version.id.in_(select(PactPublication.consumer_version_id)),
        Version.id.in_(select(Verification.provider_version_id)),
        Version.id.in_(select(DeployedVersion.version_id)),
        Version.id.in_(select(ReleasedVersion.version_id)),
    )
    for version in session.scalars(
        select(Version).where(and_(Version.pacticipant_id == pacticipant.id, ~used))
    ).all():
        session.delete(version)
    session.flush()


def _is_orphan_pacticipant(session: Session, pacticipant: Pacticipant) -> bool:
    has_pacts = session.scalar(
        select(func.count())
        .select_from(PactPublication)
        .where(
            or_(
                PactPublication.consumer_id == pacticipant.id,
                PactPublication.provider_id == pacticipant.id,
            )
        )
    )
    has_versions = session.scalar(
        select(func.count()).select_from(Version).where(Version.pacticipant_id == pacticipant.id)
    )
    return not has_pacts and not has_versions
