"""Integrations: the consumer/provider pairs that have pacts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.models import Pacticipant
from pact_pipeline.broker.paging import Page, PageRequest
from pact_pipeline.broker.services.pacticipants import require_pacticipant

R = TypeVar("R")


def list_integrations(
    db: Database,
    present: Callable[[Page[tuple[Pacticipant, Pacticipant, datetime]]], R],
    *,
    name_filter: str | None = None,
    page: PageRequest | None = None,
) -> R:
    """The integrations by consumer then provider name (where either contains
    ``name_filter``): all, or one page."""
    with db.read() as session:
        return present(repo.integrations_page(session, name_filter=name_filter, page=page))


def delete_integration(db: Database, consumer_name: str, provider_name: str) -> None:
    with db.write() as session:
        consumer = require_pacticipant(session, consumer_name)
        provider = require_pacticipant(session, provider_name)
        repo.delete_integration(session, consumer, provider)
