"""Every integration at a glance: its latest pact, the provider's verdict on it, where both run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.models import PactPublication


@dataclass(frozen=True)
class VerificationSummary:
    """The verification an integration's latest pact is judged by."""

    provider_version: str
    success: bool
    verified_at: datetime
    number: int
    from_main_branch: bool


@dataclass(frozen=True)
class IntegrationRow:
    """One integration on the home page."""

    consumer: str
    provider: str
    consumer_version: str
    consumer_branches: tuple[str, ...]
    published_at: datetime
    sha: str
    verification: VerificationSummary | None
    consumer_environments: tuple[str, ...]
    provider_environments: tuple[str, ...]

    @property
    def status(self) -> Literal["verified", "failed", "unverified"]:
        """verified, failed or unverified: the colour of the integration."""
        if self.verification is None:
            return "unverified"
        return "verified" if self.verification.success else "failed"


@dataclass(frozen=True)
class IntegrationPage:
    """A page of integrations, filtered by a search."""

    rows: tuple[IntegrationRow, ...]
    total: int
    page: int
    pages: int
    search: str


def integration_page(db: Database, *, search: str, page: int, size: int) -> IntegrationPage:
    """The integrations whose consumer or provider name contains `search`, a page of them.

    A constant number of statements, whatever the number of integrations or the history: the
    integrations and their latest pacts in one, then the facts of the page's rows."""
    with db.read() as session:
        wanted = search.casefold().strip()
        heads = [
            head
            for head in repo.integration_heads(session)
            if wanted in head.consumer.casefold() or wanted in head.provider.casefold()
        ]
        pages = max(1, -(-len(heads) // size))
        page = min(max(page, 1), pages)
        shown = heads[(page - 1) * size : page * size]
        rows = _rows(session, [head.publication_id for head in shown])
        return IntegrationPage(tuple(rows), len(heads), page, pages, search)


def integration_rows(session: Session, pubs: list[PactPublication]) -> list[IntegrationRow]:
    """The rows of the given latest publications (one integration each)."""
    return _rows(session, [pub.id for pub in pubs])


def _rows(session: Session, publication_ids: list[int]) -> list[IntegrationRow]:
    """The rows of the publications (latest pacts, one integration each), in their order: a
    handful of statements for all of them, not a few per row."""
    pubs = repo.publication_facts(session, publication_ids)
    branches = repo.branch_names_of_versions(
        session, [pub.consumer_version_id for pub in pubs.values()]
    )
    environments = repo.current_environment_names(
        session, {i for pub in pubs.values() for i in (pub.consumer_id, pub.provider_id)}
    )
    return [
        IntegrationRow(
            consumer=pub.consumer,
            provider=pub.provider,
            consumer_version=pub.consumer_version,
            consumer_branches=tuple(branches.get(pub.consumer_version_id, ())),
            published_at=pub.published_at,
            sha=pub.sha,
            verification=_verification_summary(pub),
            consumer_environments=tuple(environments.get(pub.consumer_id, ())),
            provider_environments=tuple(environments.get(pub.provider_id, ())),
        )
        for pub in (pubs[i] for i in publication_ids if i in pubs)
    ]


def _verification_summary(pub: repo.PublicationFacts) -> VerificationSummary | None:
    """The verification the pact is judged by: the newest by the provider's main branch, else
    the newest."""
    if pub.verification is None:
        return None
    return VerificationSummary(
        provider_version=pub.verification.provider_version,
        success=pub.verification.success,
        verified_at=pub.verification.verified_at,
        number=pub.verification.number,
        from_main_branch=pub.verified_on_main_branch,
    )


@dataclass(frozen=True)
class Network:
    """Every pacticipant and integration, for the graph."""

    pacticipants: tuple[str, ...]
    integrations: tuple[IntegrationRow, ...]


def network(db: Database) -> Network:
    """The whole system: pacticipants and the status of each integration."""
    with db.read() as session:
        heads = repo.integration_heads(session)
        rows = _rows(session, [head.publication_id for head in heads])
        names = tuple(sorted(p.name for p in repo.list_pacticipants(session)))
        return Network(names, tuple(rows))
