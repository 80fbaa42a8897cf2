"""Every integration at a glance: its latest pact, the provider's verdict on it, where both run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.models import (
    DeployedVersion,
    Pacticipant,
    PactPublication,
    ReleasedVersion,
)


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
    """The integrations whose consumer or provider name contains `search`, a page of them."""
    with db.read() as session:
        wanted = search.casefold().strip()
        pubs = [
            pub
            for pub in repo.all_latest_publications(session)
            if wanted in pub.consumer.name.casefold() or wanted in pub.provider.name.casefold()
        ]
        pages = max(1, -(-len(pubs) // size))
        page = min(max(page, 1), pages)
        shown = pubs[(page - 1) * size : page * size]
        rows = integration_rows(session, shown)
        return IntegrationPage(tuple(rows), len(pubs), page, pages, search)


def integration_rows(session: Session, pubs: list[PactPublication]) -> list[IntegrationRow]:
    """The rows of the given latest publications (one integration each)."""
    names = repo.environment_names_by_id(session)
    environments: dict[int, tuple[str, ...]] = {}

    def where(pacticipant: Pacticipant) -> tuple[str, ...]:
        if pacticipant.id not in environments:
            found = set(
                repo.current_versions_by_environment(session, DeployedVersion, pacticipant.id)
            ) | set(repo.current_versions_by_environment(session, ReleasedVersion, pacticipant.id))
            environments[pacticipant.id] = tuple(sorted(names[i] for i in found if i in names))
        return environments[pacticipant.id]

    return [
        IntegrationRow(
            consumer=pub.consumer.name,
            provider=pub.provider.name,
            consumer_version=pub.consumer_version.number,
            consumer_branches=tuple(bv.branch.name for bv in pub.consumer_version.branch_versions),
            published_at=pub.created_at,
            sha=pub.pact_version.sha,
            verification=judging_verification(session, pub),
            consumer_environments=where(pub.consumer),
            provider_environments=where(pub.provider),
        )
        for pub in pubs
    ]


def judging_verification(session: Session, pub: PactPublication) -> VerificationSummary | None:
    """The newest verification of the pact by the provider's main branch, else the newest."""
    provider = pub.provider
    verification = None
    from_main = False
    if provider.main_branch:
        verification = repo.latest_verification_from_branch(
            session, pub.pact_version_id, provider, provider.main_branch
        )
        from_main = verification is not None
    if verification is None:
        verification = repo.latest_verification(session, pub.pact_version)
    if verification is None:
        return None
    return VerificationSummary(
        provider_version=verification.provider_version.number,
        success=verification.success,
        verified_at=verification.created_at,
        number=verification.number,
        from_main_branch=from_main,
    )


@dataclass(frozen=True)
class Network:
    """Every pacticipant and integration, for the graph."""

    pacticipants: tuple[str, ...]
    integrations: tuple[IntegrationRow, ...]


def network(db: Database) -> Network:
    """The whole system: pacticipants and the status of each integration."""
    with db.read() as session:
        rows = integration_rows(session, repo.all_latest_publications(session))
        names = tuple(sorted(p.name for p in repo.list_pacticipants(session)))
        return Network(names, tuple(rows))
