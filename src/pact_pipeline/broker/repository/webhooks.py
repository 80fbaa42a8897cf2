"""Webhook definitions and the log of their deliveries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from pact_pipeline.broker.models import Webhook, WebhookExecution


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
    return session.scalars(select(Webhook).where(Webhook.enabled.is_(True))).all()


def executions_of_webhook(session: Session, webhook: Webhook) -> Sequence[WebhookExecution]:
    """A webhook's delivery attempts, newest first."""
    return session.scalars(
        select(WebhookExecution)
        .where(WebhookExecution.webhook_id == webhook.id)
        .order_by(WebhookExecution.id.desc())
    ).all()
