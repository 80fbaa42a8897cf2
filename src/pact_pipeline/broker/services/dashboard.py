"""The dashboard (``GET /dashboard``, as the Pact Broker's ``Index::Service``
``find_index_items_for_api``): the latest pact of each integration with its latest
verification, the branches and tags they head."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.repository import metrics as metrics_repo


@dataclass(frozen=True)
class DashboardVerification:
    success: bool
    verified_at: datetime
    provider_version: str
    provider_branches: tuple[str, ...]
    provider_head_tags: tuple[str, ...]


@dataclass(frozen=True)
class DashboardItem:
    """One integration: its latest pact and that pact's latest verification."""

    consumer: str
    provider: str
    consumer_version: str
    consumer_branches: tuple[str, ...]
    pact_tags: tuple[str, ...]
    pact_created_at: datetime
    sha: str
    verification: DashboardVerification | None

    @property
    def last_activity(self) -> datetime:
        """The newer of the publication and the verification (the dashboard's order)."""
        if self.verification is None:
            return self.pact_created_at
        return max(self.pact_created_at, self.verification.verified_at)

    @property
    def verification_status(self) -> str:
        """The Ruby broker's pseudo-branch status of the latest pact: success, failed or
        never (this verification is always of the latest pact itself, so never stale)."""
        if self.verification is None:
            return "never"
        return "success" if self.verification.success else "failed"


def dashboard(
    db: Database,
    *,
    consumer: str | None = None,
    provider: str | None = None,
    page: int | None = None,
    size: int | None = None,
) -> list[DashboardItem]:
    """The dashboard items, newest activity first.

    Optionally only one integration (``consumer`` and ``provider``), and a page of the
    integrations in name order (``page`` from 1, ``size``), as the Ruby broker pages before it
    sorts by activity.
    """
    with db.read() as session:
        pubs = [
            pub
            for pub in repo.all_latest_publications(session)
            if (consumer is None or pub.consumer.name == consumer)
            and (provider is None or pub.provider.name == provider)
        ]
        if page is not None or size is not None:
            number, per_page = max(page or 1, 1), max(size or 100, 1)
            pubs = pubs[(number - 1) * per_page : number * per_page]
        verifications = {
            pub.id: repo.latest_verification(session, pub.pact_version) for pub in pubs
        }
        version_ids = [pub.consumer_version_id for pub in pubs] + [
            v.provider_version_id for v in verifications.values() if v is not None
        ]
        branches = metrics_repo.head_branch_names(session, version_ids)
        tags = metrics_repo.head_tag_names(session, version_ids)
        items = []
        for pub in pubs:
            verification = verifications[pub.id]
            judged = None
            if verification is not None:
                judged = DashboardVerification(
                    success=verification.success,
                    verified_at=verification.created_at,
                    provider_version=verification.provider_version.number,
                    provider_branches=tuple(branches[verification.provider_version_id]),
                    provider_head_tags=tuple(tags[verification.provider_version_id]),
                )
            items.append(
                DashboardItem(
                    consumer=pub.consumer.name,
                    provider=pub.provider.name,
                    consumer_version=pub.consumer_version.number,
                    consumer_branches=tuple(branches[pub.consumer_version_id]),
                    pact_tags=tuple(tags[pub.consumer_version_id]),
                    pact_created_at=pub.created_at,
                    sha=pub.pact_version.sha,
                    verification=judged,
                )
            )
        items.sort(key=lambda item: item.last_activity, reverse=True)
        return items
