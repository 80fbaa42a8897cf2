"""Webhook definitions: saving, reading, listing and deleting them, and which ones an event
about a consumer and provider triggers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.errors import NotFoundError, invalid
from pact_pipeline.broker.models import (
    DeployedVersion,
    Pacticipant,
    Version,
    Webhook,
    WebhookExecution,
    new_uuid,
)
from pact_pipeline.broker.paging import Page, PageRequest
from pact_pipeline.broker.services.pacticipants import require_pacticipant

R = TypeVar("R")

EVENTS = (
    "contract_published",
    "contract_content_changed",
    "contract_requiring_verification_published",
    "provider_verification_published",
    "provider_verification_succeeded",
    "provider_verification_failed",
)
VERIFICATION_EVENTS = frozenset(
    {
        "provider_verification_published",
        "provider_verification_succeeded",
        "provider_verification_failed",
    }
)
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class WebhookData:
    request: dict[str, Any]
    events: tuple[str, ...] = ("contract_content_changed",)
    description: str | None = None
    consumer_name: str | None = None
    consumer_label: str | None = None
    provider_name: str | None = None
    provider_label: str | None = None
    enabled: bool = True


def require_webhook(session: Session, uuid: str) -> Webhook:
    webhook = repo.find_webhook(session, uuid)
    if webhook is None:
        msg = f"No webhook with UUID {uuid} found"
        raise NotFoundError(msg)
    return webhook


def _pacticipant(session: Session, name: str | None, role: str) -> Pacticipant | None:
    if name is None:
        return None
    pacticipant = repo.find_pacticipant(session, name)
    if pacticipant is None:
        raise invalid(f"{role}.name", f"No pacticipant with name '{name}' found")
    return pacticipant


def apply(session: Session, webhook: Webhook, data: WebhookData) -> None:
    """Copy the data onto a (new or existing) webhook; named pacticipants must exist."""
    webhook.description = data.description
    webhook.consumer = _pacticipant(session, data.consumer_name, "consumer")
    webhook.provider = _pacticipant(session, data.provider_name, "provider")
    webhook.consumer_label = data.consumer_label
    webhook.provider_label = data.provider_label
    webhook.enabled = data.enabled
    webhook.events = list(data.events)
    webhook.request = data.request


def create_webhook(
    db: Database,
    data: WebhookData,
    present: Callable[[Webhook], R],
    *,
    uuid: str | None = None,
) -> R:
    with db.write() as session:
        webhook = Webhook(uuid=uuid or new_uuid())
        apply(session, webhook, data)
        session.add(webhook)
        session.flush()
        return present(webhook)


def upsert_webhook(
    db: Database, uuid: str, data: WebhookData, present: Callable[[Webhook, bool], R]
) -> R:
    with db.write() as session:
        webhook = repo.find_webhook(session, uuid)
        created = webhook is None
        if webhook is None:
            webhook = Webhook(uuid=uuid)
            apply(session, webhook, data)
            session.add(webhook)
        else:
            apply(session, webhook, data)
            repo.touch(webhook)
        session.flush()
        return present(webhook, created)


def get_webhook(db: Database, uuid: str, present: Callable[[Webhook], R]) -> R:
    with db.read() as session:
        return present(require_webhook(session, uuid))


def list_webhooks(
    db: Database,
    present: Callable[[Sequence[Webhook]], R],
    *,
    consumer_name: str | None = None,
    provider_name: str | None = None,
) -> R:
    with db.read() as session:
        consumer = require_pacticipant(session, consumer_name) if consumer_name else None
        provider = require_pacticipant(session, provider_name) if provider_name else None
        webhooks = repo.list_webhooks(
            session,
            consumer_id=consumer.id if consumer else None,
            provider_id=provider.id if provider else None,
        )
        return present(webhooks)


def list_executions(
    db: Database, uuid: str, present: Callable[[Webhook, Sequence[WebhookExecution]], R]
) -> R:
    """A webhook's delivery attempts, newest first, so failures are visible."""
    return list_executions_page(db, uuid, lambda webhook, found: present(webhook, found.items))


def list_executions_page(
    db: Database,
    uuid: str,
    present: Callable[[Webhook, Page[WebhookExecution]], R],
    page: PageRequest | None = None,
) -> R:
    """A webhook's delivery attempts, newest first: all, or one page."""
    with db.read() as session:
        webhook = require_webhook(session, uuid)
        return present(webhook, repo.executions_page(session, webhook, page))


def delete_webhook(db: Database, uuid: str) -> None:
    """Delete a webhook; the deliveries it still owed (and their logs) go with it."""
    with db.write() as session:
        session.delete(require_webhook(session, uuid))


def require_pacticipants_exist(db: Database, names: Sequence[str]) -> None:
    with db.read() as session:
        for name in names:
            require_pacticipant(session, name)


def is_for(webhook: Webhook, consumer: Pacticipant, provider: Pacticipant) -> bool:
    """Whether a webhook's scope (names, labels or none) covers the pair."""
    consumer_id = webhook.consumer_id
    if consumer_id is None and webhook.consumer is not None:  # not flushed yet (unsaved)
        consumer_id = webhook.consumer.id
    provider_id = webhook.provider_id
    if provider_id is None and webhook.provider is not None:
        provider_id = webhook.provider.id
    if consumer_id is not None and consumer_id != consumer.id:
        return False
    if provider_id is not None and provider_id != provider.id:
        return False
    if webhook.consumer_label is not None and webhook.consumer_label not in {
        label.name for label in consumer.labels
    }:
        return False
    return webhook.provider_label is None or webhook.provider_label in {
        label.name for label in provider.labels
    }


def matching_webhooks(
    session: Session, event_name: str, consumer: Pacticipant, provider: Pacticipant
) -> list[Webhook]:
    """The enabled webhooks an event about the pair triggers."""
    return [
        webhook
        for webhook in repo.enabled_webhooks(session)
        if event_name in (webhook.events or []) and is_for(webhook, consumer, provider)
    ]


def any_webhook_for(session: Session, consumer: Pacticipant, provider: Pacticipant) -> bool:
    """Whether any webhook (enabled or not, any event) covers the pair (Ruby's
    ``any_webhooks_configured_for_pact?``)."""
    return any(is_for(webhook, consumer, provider) for webhook in repo.all_webhooks(session))


def deploy_for_tag(session: Session, version: Version, tag: str) -> None:
    """Tagging a version with an environment's name records a deployment there (legacy tags)."""
    environment = repo.find_environment_by_name(session, tag)
    if environment is None:
        return
    for current in repo.currently_deployed_to_target(
        session, environment, version.pacticipant, None
    ):
        if current.version_id == version.id:
            return
    session.add(
        DeployedVersion(
            version_id=version.id,
            pacticipant_id=version.pacticipant_id,
            environment_id=environment.id,
        )
    )
