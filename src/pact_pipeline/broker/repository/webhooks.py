"""Webhook definitions, the deliveries they owe (triggered webhooks), the log of each attempt,
and the secrets their requests name."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.orm import Session

from pact_pipeline.broker.models import (
    TriggeredWebhook,
    Webhook,
    WebhookExecution,
    WebhookSecret,
)
from pact_pipeline.broker.paging import Page, PageRequest
from pact_pipeline.broker.repository.paging import scalars_page

#: Statuses of a delivery still owed (as the Pact Broker names them).
PENDING_STATUSES = ("not_run", "retrying")


def find_webhook(session: Session, uuid: str) -> Webhook | None:
    return session.scalars(select(Webhook).where(Webhook.uuid == uuid)).first()


def list_webhooks(
    session: Session, *, consumer_id: int | None = None, provider_id: int | None = None
) -> Sequence[Webhook]:
    """Webhooks in creation order, optionally only those naming the consumer or provider."""
    query = select(Webhook).order_by(Webhook.id)
    if consumer_id is not None:
        query = query.where(Webhook.consumer_id == consumer_id)
    if provider_id is not None:
        query = query.where(Webhook.provider_id == provider_id)
    return session.scalars(query).all()


def enabled_webhooks(session: Session) -> Sequence[Webhook]:
    """The enabled webhooks in the order they were created (the order they trigger in)."""
    return session.scalars(
        select(Webhook).where(Webhook.enabled.is_(True)).order_by(Webhook.id)
    ).all()


_ALL_WEBHOOKS = select(Webhook).order_by(Webhook.id)


def all_webhooks(session: Session) -> Sequence[Webhook]:
    return session.scalars(_ALL_WEBHOOKS).all()


def executions_of_webhook(session: Session, webhook: Webhook) -> Sequence[WebhookExecution]:
    """A webhook's delivery attempts, newest first."""
    return session.scalars(
        select(WebhookExecution)
        .where(WebhookExecution.webhook_id == webhook.id)
        .order_by(WebhookExecution.id.desc())
    ).all()


def executions_page(
    session: Session, webhook: Webhook, page: PageRequest | None
) -> Page[WebhookExecution]:
    """A webhook's delivery attempts, newest first: all, or one page."""
    query = (
        select(WebhookExecution)
        .where(WebhookExecution.webhook_id == webhook.id)
        .order_by(WebhookExecution.id.desc())
    )
    return scalars_page(session, query, page)


# --- triggered webhooks ------------------------------------------------------------------------


def _due(now: datetime) -> list[object]:
    return [
        TriggeredWebhook.status.in_(PENDING_STATUSES),
        or_(TriggeredWebhook.next_attempt_at.is_(None), TriggeredWebhook.next_attempt_at <= now),
        or_(TriggeredWebhook.claimed_until.is_(None), TriggeredWebhook.claimed_until < now),
    ]


def due_triggered_webhook_ids(session: Session, now: datetime, limit: int) -> list[int]:
    """Deliveries owed now and claimed by nobody (or by a worker whose lease ran out)."""
    return list(
        session.scalars(
            select(TriggeredWebhook.id)
            .where(*_due(now))  # type: ignore[arg-type]
            .order_by(TriggeredWebhook.next_attempt_at, TriggeredWebhook.id)
            .limit(limit)
        ).all()
    )


def next_due_time(session: Session, now: datetime) -> datetime | None:
    """When the soonest owed delivery comes due, or its lease runs out if a worker holds it
    (``None`` when none is owed)."""
    due = case(
        (TriggeredWebhook.claimed_until > now, TriggeredWebhook.claimed_until),
        else_=TriggeredWebhook.next_attempt_at,
    )
    found: datetime | None = session.scalar(
        select(func.min(due)).where(TriggeredWebhook.status.in_(PENDING_STATUSES))
    )
    return found


def claim_triggered_webhook(
    session: Session, triggered_id: int, worker: str, now: datetime, until: datetime
) -> bool:
    """Take the lease on a due delivery; ``False`` when another worker took it first.

    A conditional UPDATE: on PostgreSQL a concurrent claimer waits for the first one's commit,
    then re-checks the condition on the new row and updates nothing.
    """
    result = session.execute(
        update(TriggeredWebhook)
        .where(TriggeredWebhook.id == triggered_id, *_due(now))  # type: ignore[arg-type]
        .values(claimed_by=worker, claimed_until=until, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def finish_attempt(
    session: Session,
    triggered_id: int,
    worker: str,
    *,
    status: str,
    next_attempt_at: datetime | None,
    now: datetime,
) -> bool:
    """Record an attempt's outcome and release the lease, if this worker still holds it."""
    result = session.execute(
        update(TriggeredWebhook)
        .where(TriggeredWebhook.id == triggered_id, TriggeredWebhook.claimed_by == worker)
        .values(
            status=status,
            attempts=TriggeredWebhook.attempts + 1,
            next_attempt_at=next_attempt_at,
            claimed_by=None,
            claimed_until=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def triggered_webhook_by_id(session: Session, triggered_id: int) -> TriggeredWebhook | None:
    return session.get(TriggeredWebhook, triggered_id)


def find_triggered_webhook(session: Session, uuid: str) -> TriggeredWebhook | None:
    return session.scalars(select(TriggeredWebhook).where(TriggeredWebhook.uuid == uuid)).first()


def triggered_webhooks_of_publications(
    session: Session, publication_ids: Iterable[int]
) -> Sequence[TriggeredWebhook]:
    """Deliveries triggered by pact publications (not by their verifications), oldest first."""
    return session.scalars(
        select(TriggeredWebhook)
        .where(
            TriggeredWebhook.pact_publication_id.in_(list(publication_ids)),
            TriggeredWebhook.verification_id.is_(None),
        )
        .order_by(TriggeredWebhook.id)
    ).all()


def triggered_webhooks_of_verification(
    session: Session, verification_id: int
) -> Sequence[TriggeredWebhook]:
    return session.scalars(
        select(TriggeredWebhook)
        .where(TriggeredWebhook.verification_id == verification_id)
        .order_by(TriggeredWebhook.id)
    ).all()


def latest_triggered_webhooks(
    session: Session, consumer_id: int, provider_id: int
) -> Sequence[TriggeredWebhook]:
    """The newest delivery per (webhook, event) of an integration (the pact's webhook status)."""
    newest = (
        select(func.max(TriggeredWebhook.id))
        .where(
            TriggeredWebhook.consumer_id == consumer_id,
            TriggeredWebhook.provider_id == provider_id,
        )
        .group_by(TriggeredWebhook.webhook_id, TriggeredWebhook.event_name)
    )
    return session.scalars(
        select(TriggeredWebhook)
        .where(TriggeredWebhook.id.in_(newest))
        .order_by(TriggeredWebhook.id)
    ).all()


def executions_of_triggered_webhook(
    session: Session, triggered_id: int
) -> Sequence[WebhookExecution]:
    """A delivery's attempts, oldest first."""
    return session.scalars(
        select(WebhookExecution)
        .where(WebhookExecution.triggered_webhook_id == triggered_id)
        .order_by(WebhookExecution.id)
    ).all()


# --- secrets -----------------------------------------------------------------------------------


def list_secrets(session: Session) -> Sequence[WebhookSecret]:
    return session.scalars(select(WebhookSecret).order_by(WebhookSecret.name)).all()


def find_secret(session: Session, uuid: str) -> WebhookSecret | None:
    return session.scalars(select(WebhookSecret).where(WebhookSecret.uuid == uuid)).first()


def find_secret_by_name(session: Session, name: str) -> WebhookSecret | None:
    return session.scalars(select(WebhookSecret).where(WebhookSecret.name == name)).first()


def secret_values(session: Session, names: Iterable[str]) -> dict[str, str]:
    """The values of the named secrets that exist, by name."""
    wanted = sorted(set(names))
    if not wanted:
        return {}
    rows = session.execute(
        select(WebhookSecret.name, WebhookSecret.value).where(WebhookSecret.name.in_(wanted))
    ).all()
    return {str(row[0]): str(row[1]) for row in rows}


def all_secret_values(session: Session) -> list[str]:
    """Every secret's value (to keep them out of delivery logs)."""
    return list(session.scalars(select(WebhookSecret.value)).all())
