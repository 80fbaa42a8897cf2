"""Recording the deliveries an event owes, in the transaction that raised the event."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from pact_pipeline.broker.models import (
    PactPublication,
    TriggeredWebhook,
    Verification,
    Webhook,
    new_uuid,
    utcnow,
)
from pact_pipeline.broker.services.webhooks.templates import display_description

TRIGGER_TYPE_RESOURCE_CREATION = "resource_creation"
STATUS_NOT_RUN = "not_run"
STATUS_RETRYING = "retrying"
STATUS_SUCCESS = "success"
STATUS_FAILURE = "failure"


class DeliveryNotifier(Protocol):
    """Something to wake once the triggering transaction has committed (the delivery loop)."""

    def wake_after_commit(self, session: Session) -> None: ...


@dataclass(frozen=True)
class Triggered:
    """A delivery just recorded, for the publish notices."""

    uuid: str
    event_name: str
    description: str


def trigger(
    session: Session,
    webhook: Webhook,
    event_name: str,
    *,
    publication: PactPublication,
    verification: Verification | None,
    params: dict[str, str],
    trigger_uuid: str,
) -> Triggered:
    """Record that ``webhook`` owes a delivery for ``event_name``; due at once.

    The row keeps the template parameters (``${pactbroker.*}`` values), never the rendered
    request: secrets are filled in when the request is sent, and never stored.
    """
    now = utcnow()
    row = TriggeredWebhook(
        uuid=new_uuid(),
        trigger_uuid=trigger_uuid,
        trigger_type=TRIGGER_TYPE_RESOURCE_CREATION,
        webhook_id=webhook.id,
        event_name=event_name,
        consumer_id=publication.consumer_id,
        provider_id=publication.provider_id,
        pact_publication_id=publication.id,
        verification_id=None if verification is None else verification.id,
        event_context={**params, "eventName": event_name},
        status=STATUS_NOT_RUN,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    return Triggered(
        row.uuid, event_name, display_description(webhook.description, webhook.request or {})
    )
