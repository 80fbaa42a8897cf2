"""The broker's counts (``GET /metrics``, as the Pact Broker's ``Metrics::Service``) and the
check that its database answers (``/diagnostic/status/dependencies``)."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pact_pipeline.broker.db import Database
from pact_pipeline.broker.models import PactPublication, Verification
from pact_pipeline.broker.repository import metrics as metrics_repo

log = logging.getLogger("broker")


@dataclass(frozen=True)
class InteractionCounts:
    """Interactions and messages in the latest pact of every integration."""

    interactions: int
    messages: int


@dataclass(frozen=True)
class BrokerCounts:
    """A snapshot of the broker's counts (see ``repository.metrics.table_counts`` for keys)."""

    counts: dict[str, int]
    interactions: InteractionCounts
    pact_publications_first: datetime | None
    pact_publications_last: datetime | None
    verifications_first: datetime | None
    verifications_last: datetime | None
    revisions_per_consumer_version: dict[int, int]
    verifications_per_pact_version: dict[int, int]


def broker_counts(db: Database) -> BrokerCounts:
    """Every count the metrics report, from one read transaction."""
    with db.read() as session:
        counts = metrics_repo.table_counts(session)
        pact_first, pact_last = metrics_repo.first_and_last_created(session, PactPublication)
        verification_first, verification_last = metrics_repo.first_and_last_created(
            session, Verification
        )
        contents = metrics_repo.latest_pact_contents(session)
        return BrokerCounts(
            counts=counts,
            interactions=_interaction_counts(contents),
            pact_publications_first=pact_first,
            pact_publications_last=pact_last,
            verifications_first=verification_first,
            verifications_last=verification_last,
            revisions_per_consumer_version=metrics_repo.pact_revision_distribution(session),
            verifications_per_pact_version=metrics_repo.verification_distribution(session),
        )


def _interaction_counts(contents: Sequence[str]) -> InteractionCounts:
    interactions = messages = 0
    for content in contents:
        found_interactions, found_messages = count_interactions(content)
        interactions += found_interactions
        messages += found_messages
    return InteractionCounts(interactions, messages)


def count_interactions(content: str) -> tuple[int, int]:
    """(HTTP interactions, messages) in a pact document; V4 ``interactions`` are told apart by
    their ``type`` (``Synchronous/HTTP`` against the message types)."""
    try:
        document = json.loads(content)
    except ValueError:
        return 0, 0
    if not isinstance(document, dict):
        return 0, 0
    interactions = document.get("interactions")
    messages = document.get("messages")
    http = 0
    message_count = len(messages) if isinstance(messages, list) else 0
    for interaction in interactions if isinstance(interactions, list) else ():
        kind = interaction.get("type") if isinstance(interaction, dict) else None
        if isinstance(kind, str) and kind != "Synchronous/HTTP":
            message_count += 1
        else:
            http += 1
    return http, message_count


@dataclass(frozen=True)
class DependencyStatus:
    """Whether the database answered, and why not when it did not."""

    ok: bool
    error: str | None = None


def database_status(db: Database) -> DependencyStatus:
    """Run ``SELECT 1``; any failure to connect or to answer is reported, not raised."""
    try:
        with db.read() as session:
            answered = metrics_repo.database_answers(session)
    except Exception as exc:  # the report is the point: any failure means "not OK"
        log.error("database dependency check failed: %s: %s", type(exc).__name__, exc)
        return DependencyStatus(False, f"{type(exc).__name__} - {_first_line(exc)}")
    if not answered:
        return DependencyStatus(False, "the database did not answer SELECT 1 with 1")
    return DependencyStatus(True)


def _first_line(exc: BaseException) -> str:
    """The error's first line: SQLAlchemy appends the SQL and a help link on later lines."""
    text = str(getattr(exc, "orig", None) or exc)
    return text.splitlines()[0] if text else type(exc).__name__
