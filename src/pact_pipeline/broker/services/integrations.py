"""Integrations: the consumer/provider pairs that have pacts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.models import Pacticipant
from pact_pipeline.broker.services.pacticipants import require_pacticipant

R = TypeVar("R")


def list_integrations(
    db: Database, present: Callable[[list[tuple[Pacticipant, Pacticipant, datetime]]], R]
) -> R:
    with db.read() as session:
        return present(repo.integration_pairs(session))


def delete_integration(db: Database, consumer_name: str, provider_name: str) -> None:
    with db.write() as session:
        consumer = require_pacticipant(session, consumer_name)
        provider = require_pacticipant(session, provider_name)
        repo.delete_integration(session, consumer, provider)
