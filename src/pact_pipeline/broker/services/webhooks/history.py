"""What webhooks did, as the Pact Broker shows it: the deliveries a pact publication or a
verification triggered, each delivery's logs, and a pact's webhook status."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.errors import NotFoundError
from pact_pipeline.broker.models import TriggeredWebhook, Verification, WebhookExecution
from pact_pipeline.broker.services.pacticipants import require_pacticipant, require_version
from pact_pipeline.broker.services.pacts import require_publication_for_sha
from pact_pipeline.broker.services.webhooks.templates import display_description

R = TypeVar("R")


@dataclass(frozen=True)
class TriggeredView:
    """A delivery with what its representation shows."""

    row: TriggeredWebhook
    webhook_uuid: str
    description: str
    attempts_remaining: int


@dataclass(frozen=True)
class LogsView:
    triggered: TriggeredView
    consumer_name: str
    provider_name: str
    executions: Sequence[WebhookExecution]


def view(row: TriggeredWebhook, schedule_length: int) -> TriggeredView:
    webhook = row.webhook
    finished = row.status in ("success", "failure")
    return TriggeredView(
        row,
        webhook.uuid,
        display_description(webhook.description, webhook.request or {}),
        0 if finished else max(0, schedule_length + 1 - row.attempts),
    )


def for_publication(
    db: Database,
    provider_name: str,
    consumer_name: str,
    version_number: str,
    schedule_length: int,
    present: Callable[[Sequence[TriggeredView]], R],
) -> R:
    """Deliveries triggered by publishing a consumer version's pact (every revision)."""
    with db.read() as session:
        provider = require_pacticipant(session, provider_name)
        version = require_version(session, consumer_name, version_number)
        publications = repo.publications_of_consumer_version(session, version, provider)
        if not publications:
            msg = f"No pact found between {consumer_name} and {provider_name} for consumer "
            raise NotFoundError(msg + f"version {version_number}")
        rows = repo.triggered_webhooks_of_publications(session, [p.id for p in publications])
        return present([view(row, schedule_length) for row in rows])


def for_verification(
    db: Database,
    provider_name: str,
    consumer_name: str,
    sha: str,
    number: int,
    schedule_length: int,
    present: Callable[[Sequence[TriggeredView]], R],
) -> R:
    with db.read() as session:
        pub = require_publication_for_sha(session, consumer_name, provider_name, sha)
        verification: Verification | None = repo.find_verification(
            session, pub.pact_version, number
        )
        if verification is None:
            msg = f"No verification result {number} for pact version {sha}"
            raise NotFoundError(msg)
        rows = repo.triggered_webhooks_of_verification(session, verification.id)
        return present([view(row, schedule_length) for row in rows])


def logs(db: Database, uuid: str, schedule_length: int, present: Callable[[LogsView], R]) -> R:
    with db.read() as session:
        row = repo.find_triggered_webhook(session, uuid)
        if row is None:
            msg = f"No triggered webhook with UUID {uuid} found"
            raise NotFoundError(msg)
        executions = repo.executions_of_triggered_webhook(session, row.id)
        return present(
            LogsView(view(row, schedule_length), row.consumer.name, row.provider.name, executions)
        )


def status(
    db: Database,
    provider_name: str,
    consumer_name: str,
    schedule_length: int,
    present: Callable[[Sequence[TriggeredView]], R],
) -> R:
    """The newest delivery per webhook and event for the pact between the pair."""
    with db.read() as session:
        provider = require_pacticipant(session, provider_name)
        consumer = require_pacticipant(session, consumer_name)
        rows = repo.latest_triggered_webhooks(session, consumer.id, provider.id)
        return present([view(row, schedule_length) for row in rows])
