"""Aggregate queries behind ``GET /metrics``, the dashboard and the dependency check.

Every count is a ``COUNT`` over a table or an index (no rows are loaded), and the plain counts
are fetched together in one statement of scalar subqueries, so the metrics cost a handful of
round trips whatever the size of the broker.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, distinct, exists, func, select, text
from sqlalchemy.orm import Session, aliased

from pact_pipeline.broker.models import (
    Branch,
    BranchVersion,
    DeployedVersion,
    Environment,
    Pacticipant,
    PactPublication,
    PactVersion,
    ReleasedVersion,
    Tag,
    TriggeredWebhook,
    Verification,
    Version,
    Webhook,
    WebhookExecution,
)
from pact_pipeline.broker.repository.common import is_current_revision, newest_on_branch


def _count(model: Any, *conditions: ColumnElement[bool]) -> ScalarSelect[int]:
    return select(func.count()).select_from(model).where(*conditions).scalar_subquery()


def _count_distinct(*columns: Any) -> ScalarSelect[int]:
    inner = select(*columns).distinct().subquery()
    return select(func.count()).select_from(inner).scalar_subquery()


def _plain_counts() -> dict[str, ScalarSelect[int]]:
    return {
        "pacticipants": _count(Pacticipant),
        "pacticipants_with_main_branch": _count(Pacticipant, Pacticipant.main_branch.is_not(None)),
        "integrations": _count_distinct(PactPublication.consumer_id, PactPublication.provider_id),
        "pact_publications": _count(PactPublication),
        "pact_versions": _count(PactVersion),
        "verifications": _count(Verification),
        "verifications_success": _count(Verification, Verification.success.is_(True)),
        "verifications_failure": _count(Verification, Verification.success.is_(False)),
        "verifications_distinct": _count_distinct(
            Verification.provider_version_id, Verification.pact_version_id, Verification.success
        ),
        "versions": _count(Version),
        "versions_with_branch": select(func.count(distinct(BranchVersion.version_id)))
        .select_from(BranchVersion)
        .scalar_subquery(),
        "branches": _count(Branch),
        "webhooks": _count(Webhook),
        "tags": _count(Tag),
        "tags_distinct": _count_distinct(Tag.name),
        "tags_distinct_with_pacticipant": _count_distinct(Tag.name, Tag.pacticipant_id),
        "triggered_webhooks": _count(TriggeredWebhook),
        "webhook_executions": _count(WebhookExecution),
        "environments": _count(Environment),
        "deployed_versions": _count(DeployedVersion),
        "deployed_versions_current": _count(
            DeployedVersion, DeployedVersion.undeployed_at.is_(None)
        ),
        "released_versions": _count(ReleasedVersion),
        "released_versions_current": _count(
            ReleasedVersion, ReleasedVersion.support_ended_at.is_(None)
        ),
    }


def table_counts(session: Session) -> dict[str, int]:
    """Every plain count of the metrics, by an internal key, in one statement."""
    subqueries = _plain_counts()
    row = session.execute(select(*(q.label(name) for name, q in subqueries.items()))).one()
    return {name: int(value or 0) for name, value in row._mapping.items()}


def first_and_last_created(session: Session, model: Any) -> tuple[datetime | None, datetime | None]:
    """``created_at`` of the row with the smallest and of the one with the largest id."""
    first = session.scalar(select(model.created_at).order_by(model.id).limit(1))
    last = session.scalar(select(model.created_at).order_by(model.id.desc()).limit(1))
    return first, last


def pact_revision_distribution(session: Session) -> dict[int, int]:
    """How many (consumer version, provider) pacts have 1, 2, ... revisions."""
    per_pact = (
        select(func.count().label("n"))
        .select_from(PactPublication)
        .group_by(PactPublication.consumer_version_id, PactPublication.provider_id)
        .subquery()
    )
    query = select(per_pact.c.n, func.count()).group_by(per_pact.c.n).order_by(per_pact.c.n)
    return {int(n): int(count) for n, count in session.execute(query).all()}


def verification_distribution(session: Session) -> dict[int, int]:
    """How many pact versions have 1, 2, ... verification results (unverified ones are left
    out, as the Ruby broker leaves them out)."""
    per_pact = (
        select(func.count().label("n"))
        .select_from(Verification)
        .group_by(Verification.pact_version_id)
        .subquery()
    )
    query = select(per_pact.c.n, func.count()).group_by(per_pact.c.n).order_by(per_pact.c.n)
    return {int(n): int(count) for n, count in session.execute(query).all()}


def latest_pact_contents(session: Session) -> Sequence[str]:
    """The content of each integration's latest pact: the current revision of the pact of the
    newest consumer version that has one."""
    newest = (
        select(
            PactPublication.consumer_id,
            PactPublication.provider_id,
            func.max(PactPublication.consumer_version_id).label("version_id"),
        )
        .group_by(PactPublication.consumer_id, PactPublication.provider_id)
        .subquery()
    )
    latest_pact_versions = (
        select(PactPublication.pact_version_id)
        .join(
            newest,
            (newest.c.consumer_id == PactPublication.consumer_id)
            & (newest.c.provider_id == PactPublication.provider_id)
            & (newest.c.version_id == PactPublication.consumer_version_id),
        )
        .where(is_current_revision())
    )
    return session.scalars(
        select(PactVersion.content).where(PactVersion.id.in_(latest_pact_versions))
    ).all()


def head_tag_names(session: Session, version_ids: Sequence[int]) -> dict[int, list[str]]:
    """The tags of each version that no newer version of its pacticipant carries, by name."""
    newer = aliased(Tag)
    is_head = ~exists().where(
        newer.pacticipant_id == Tag.pacticipant_id,
        newer.name == Tag.name,
        newer.version_id > Tag.version_id,
    )
    found: dict[int, list[str]] = {v: [] for v in version_ids}
    if not version_ids:
        return found
    rows = session.execute(
        select(Tag.version_id, Tag.name)
        .where(Tag.version_id.in_(version_ids), is_head)
        .order_by(Tag.name)
    ).all()
    for version_id, name in rows:
        found[version_id].append(name)
    return found


def head_branch_names(session: Session, version_ids: Sequence[int]) -> dict[int, list[str]]:
    """The branches each version is the newest version of, oldest branch first."""
    found: dict[int, list[str]] = {v: [] for v in version_ids}
    if not version_ids:
        return found
    rows = session.execute(
        select(BranchVersion.version_id, Branch.name)
        .join(Branch, Branch.id == BranchVersion.branch_id)
        .where(
            BranchVersion.version_id.in_(version_ids),
            BranchVersion.version_id == newest_on_branch(),
        )
        .order_by(Branch.id)
    ).all()
    for version_id, name in rows:
        found[version_id].append(name)
    return found


def database_answers(session: Session) -> bool:
    """Whether the database runs a trivial query (``SELECT 1``)."""
    return bool(session.scalar(text("SELECT 1")) == 1)
