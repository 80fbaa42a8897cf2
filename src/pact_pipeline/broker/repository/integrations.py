"""Integrations: the consumer/provider pairs that have pacts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import TypeVarTuple

from sqlalchemy import CTE, ScalarSelect, Select, and_, bindparam, func, or_, select
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
from pact_pipeline.broker.repository.common import chunked, column_rows, distinct_values

_Ts = TypeVarTuple("_Ts")


@cache
def integration_pair_scan() -> CTE:
    """The distinct (consumer id, provider id) pairs of the publications, as a CTE with the
    columns ``consumer_id`` and ``provider_id`` (in no particular order).

    Two nested loose index scans (as
    :func:`~pact_pipeline.broker.repository.common.distinct_values`) in the (consumer, provider,
    created_at) index: the consumers, each found by one seek for the smallest consumer id above
    the previous one; then each consumer's providers, each found by one seek for its smallest
    provider id above the previous one. The cost grows with the number of integrations, not
    with the number of publications. (A single scan stepping on the row
    value ``(consumer_id, provider_id)`` would be simpler, but SQLite seeks on its first column
    only, reading every publication of the consumer at each step.)
    """
    pub = PactPublication
    first_consumer = select(func.min(pub.consumer_id)).scalar_subquery()
    consumers = select(first_consumer.label("consumer_id")).cte(
        "integration_consumers", recursive=True
    )
    next_consumer = select(func.min(pub.consumer_id)).where(
        pub.consumer_id > consumers.c.consumer_id
    )
    consumers = consumers.union_all(
        select(next_consumer.scalar_subquery().label("consumer_id")).where(
            consumers.c.consumer_id.is_not(None)
        )
    )
    first_provider = select(func.min(pub.provider_id)).where(
        pub.consumer_id == consumers.c.consumer_id
    )
    pairs = (
        select(consumers.c.consumer_id, first_provider.scalar_subquery().label("provider_id"))
        .where(consumers.c.consumer_id.is_not(None))
        .cte("integration_providers", recursive=True)
    )
    next_provider = select(func.min(pub.provider_id)).where(
        pub.consumer_id == pairs.c.consumer_id, pub.provider_id > pairs.c.provider_id
    )
    pairs = pairs.union_all(
        select(pairs.c.consumer_id, next_provider.scalar_subquery().label("provider_id")).where(
            pairs.c.provider_id.is_not(None)
        )
    )
    return (
        select(pairs.c.consumer_id, pairs.c.provider_id)
        .where(pairs.c.provider_id.is_not(None))
        .cte("integration_pairs")
    )


def _latest_publication_time(pairs: CTE) -> ScalarSelect[datetime]:
    """The newest publication time of the pair (correlated): one seek to the end of the pair's
    run in the (consumer, provider, created_at) index. Not the time of the highest id: a
    publication's time need not grow with its id."""
    return (
        select(func.max(PactPublication.created_at))
        .where(
            PactPublication.consumer_id == pairs.c.consumer_id,
            PactPublication.provider_id == pairs.c.provider_id,
        )
        .scalar_subquery()
    )


# Built once: the statements take no values but the filter and the page.
_CONSUMER, _PROVIDER = aliased(Pacticipant, name="consumer"), aliased(Pacticipant, name="provider")


def _with_pacticipants(query: Select[*_Ts]) -> Select[*_Ts]:
    pairs = integration_pair_scan()
    return (
        query.select_from(pairs)
        .join(_CONSUMER, _CONSUMER.id == pairs.c.consumer_id)
        .join(_PROVIDER, _PROVIDER.id == pairs.c.provider_id)
    )


_PAIRS_WITH_TIMES = _with_pacticipants(
    select(_CONSUMER, _PROVIDER, _latest_publication_time(integration_pair_scan()).label("latest"))
).order_by(_CONSUMER.name, _PROVIDER.name)
_PAIR_COUNT = _with_pacticipants(select(func.count()))


def integration_pairs(session: Session) -> list[tuple[Pacticipant, Pacticipant, datetime]]:
    """Every (consumer, provider) pair with a pact, with its latest publication time."""
    return list(integrations_page(session).items)


def integrations_page(
    session: Session, *, name_filter: str | None = None, page: PageRequest | None = None
) -> Page[tuple[Pacticipant, Pacticipant, datetime]]:
    """As :func:`integration_pairs` (by consumer, then provider name), only the pairs where
    either name contains ``name_filter`` (any case), all or one page.

    One or two index seeks per integration (:func:`integration_pair_scan`), never a read of
    every publication; one statement (two when paged: the count)."""
    query, count = _PAIRS_WITH_TIMES, _PAIR_COUNT
    if name_filter is not None:
        either_name = or_(
            _CONSUMER.name.icontains(name_filter, autoescape=True),
            _PROVIDER.name.icontains(name_filter, autoescape=True),
        )
        query, count = query.where(either_name), count.where(either_name)
    if page is None:
        rows = [
            (consumer, provider, latest) for consumer, provider, latest in session.execute(query)
        ]
        # Python's order of the names (a database's collation may order them otherwise).
        rows.sort(key=lambda r: (r[0].name, r[1].name))
        return Page(rows)
    rows = [
        (consumer, provider, latest)
        for consumer, provider, latest in session.execute(
            query.limit(page.size).offset(page.offset)
        )
    ]
    return Page(rows, PageInfo.of(page, session.execute(count).scalar_one()))


_PROVIDERS_OF_CONSUMER_VERSIONS = select(
    PactPublication.consumer_version_id, PactPublication.provider_id
).where(PactPublication.consumer_version_id.in_(bindparam("ids", expanding=True)))


def providers_of_consumer_versions(
    session: Session, version_ids: Iterable[int]
) -> dict[int, list[int]]:
    """For each consumer version with pacts, its providers, ascending (one query in all)."""
    found: dict[int, set[int]] = {}
    for chunk in chunked(version_ids):
        for version_id, provider_id in column_rows(
            session, _PROVIDERS_OF_CONSUMER_VERSIONS, {"ids": chunk}
        ):
            found.setdefault(version_id, set()).add(provider_id)
    return {version_id: sorted(ids) for version_id, ids in found.items()}


def providers_of_consumer(session: Session, consumer_id: int) -> list[int]:
    """Providers the consumer has pacts with, ascending (one index seek per provider)."""
    return distinct_values(
        session, PactPublication.provider_id, where=(PactPublication.consumer_id, consumer_id)
    )


def consumers_of_provider(session: Session, provider_id: int) -> list[int]:
    """Consumers with pacts for the provider, ascending (one index seek per consumer)."""
    return distinct_values(
        session, PactPublication.consumer_id, where=(PactPublication.provider_id, provider_id)
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
