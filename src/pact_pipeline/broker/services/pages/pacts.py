"""The pacts a diff compares: a version's pact and the previous distinct one."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.models import PactPublication
from pact_pipeline.broker.services.pacticipants import require_pacticipant, require_version
from pact_pipeline.broker.services.pacts import no_pact, require_publication_for_sha

R = TypeVar("R")


def with_previous_distinct(
    db: Database,
    consumer: str,
    provider: str,
    number: str,
    present: Callable[[PactPublication, PactPublication | None], R],
) -> R:
    """A consumer version's pact and the newest earlier one with other content (or None)."""
    with db.read() as session:
        provider_row = require_pacticipant(session, provider)
        version = require_version(session, consumer, number)
        pub = repo.current_publication(session, version, provider_row)
        if pub is None:
            raise no_pact(consumer, provider, f" for consumer version {number}")
        return present(pub, repo.previous_distinct_publication(session, pub))


def two_pact_versions(
    db: Database,
    consumer: str,
    provider: str,
    shas: tuple[str, str],
    present: Callable[[PactPublication, PactPublication], R],
) -> R:
    """Two contents of one integration's pact, by SHA (the older first)."""
    with db.read() as session:
        before = require_publication_for_sha(session, consumer, provider, shas[0])
        after = require_publication_for_sha(session, consumer, provider, shas[1])
        return present(before, after)
