"""One integration's pacts: lists by tag or branch, the previous distinct version, diffs, and
a provider's provider states."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.models import Environment, Pacticipant, PactPublication
from pact_pipeline.broker.repository import integration_lists as lists
from pact_pipeline.broker.repository import pages as pages_repo
from pact_pipeline.broker.services.environments import require_environment
from pact_pipeline.broker.services.pacticipants import require_pacticipant, require_version
from pact_pipeline.broker.services.pacts import (
    PactView,
    no_pact,
    require_publication_for_sha,
    view_of,
)

R = TypeVar("R")


@dataclass(frozen=True)
class PactListFilter:
    """Which of the integration's pacts a list shows."""

    tag: str | None = None
    branch: str | None = None
    main_branch: bool = False
    latest: bool = False


def integration_pacts(
    db: Database,
    consumer_name: str,
    provider_name: str,
    which: PactListFilter,
    present: Callable[[Sequence[PactPublication]], R],
) -> R:
    """The integration's pacts, newest consumer version first (404 for an unknown name)."""
    with db.read() as session:
        consumer = require_pacticipant(session, consumer_name)
        provider = require_pacticipant(session, provider_name)
        pubs = lists.integration_publications(
            session,
            consumer,
            provider,
            tag=which.tag,
            branch=which.branch,
            main_branch=which.main_branch,
        )
        return present(pubs[:1] if which.latest else pubs)


def _current_pact(
    session: Session, consumer_name: str, provider_name: str, number: str
) -> PactPublication:
    provider = require_pacticipant(session, provider_name)
    version = require_version(session, consumer_name, number)
    pub = repo.current_publication(session, version, provider)
    if pub is None:
        raise no_pact(consumer_name, provider_name, f" for consumer version {number}")
    return pub


def previous_distinct(
    db: Database,
    consumer_name: str,
    provider_name: str,
    number: str,
    present: Callable[[PactView], R],
) -> R:
    """The newest pact of an earlier consumer version with other content (404 if none)."""
    with db.read() as session:
        pub = _current_pact(session, consumer_name, provider_name, number)
        previous = pages_repo.previous_distinct_publication(session, pub)
        if previous is None:
            raise no_pact(
                consumer_name,
                provider_name,
                f" with content different from consumer version {number}",
            )
        return present(view_of(session, previous))


def diff_previous_distinct(
    db: Database, consumer_name: str, provider_name: str, number: str
) -> str:
    """The text diff of a version's pact against the previous distinct one."""
    with db.read() as session:
        pub = _current_pact(session, consumer_name, provider_name, number)
        previous = pages_repo.previous_distinct_publication(session, pub)
        if previous is None:
            return "No previous distinct version was found for this pact\n"
        return pact_diff_text(previous, pub)


def diff_consumer_versions(
    db: Database, consumer_name: str, provider_name: str, number: str, other: str
) -> str:
    """The text diff of consumer version ``other``'s pact (before) against ``number``'s."""
    with db.read() as session:
        after = _current_pact(session, consumer_name, provider_name, number)
        before = _current_pact(session, consumer_name, provider_name, other)
        return pact_diff_text(before, after)


def diff_pact_versions(
    db: Database, consumer_name: str, provider_name: str, sha: str, other_sha: str
) -> str:
    """The text diff of the content ``other_sha`` (before) against ``sha`` (after)."""
    with db.read() as session:
        after = require_publication_for_sha(session, consumer_name, provider_name, sha)
        before = require_publication_for_sha(session, consumer_name, provider_name, other_sha)
        return pact_diff_text(before, after)


def _comparable_lines(pub: PactPublication) -> list[str]:
    content = json.loads(pub.pact_version.content)
    for interaction in content.get("interactions", []) or []:
        if isinstance(interaction, dict):
            interaction.pop("_id", None)
    return json.dumps(content, indent=2, sort_keys=True, ensure_ascii=False).splitlines()


def pact_diff_text(before: PactPublication, after: PactPublication) -> str:
    """A unified diff of two pacts' content (pretty, keys sorted), with a short header."""
    label_before = f"{before.consumer_version.number} ({before.pact_version.sha})"
    label_after = f"{after.consumer_version.number} ({after.pact_version.sha})"
    lines = list(
        difflib.unified_diff(
            _comparable_lines(before),
            _comparable_lines(after),
            fromfile=label_before,
            tofile=label_after,
            lineterm="",
        )
    )
    header = (
        f"Changes to the pact between {after.consumer.name} and {after.provider.name}, "
        f"from consumer version {before.consumer_version.number} "
        f"to {after.consumer_version.number}"
    )
    body = lines or ["No differences"]
    return "\n".join([header, "", *body]) + "\n"


@dataclass(frozen=True)
class ProviderState:
    name: str
    params: dict[str, Any] | None
    consumers: list[str]


def provider_states(
    db: Database,
    provider_name: str,
    present: Callable[[list[ProviderState]], R],
    *,
    branch: str | None = None,
    environment_uuid: str | None = None,
) -> R:
    """The provider states named by the latest pact of each consumer's main branch (or of
    ``branch``, or deployed/released to the environment), merged across consumers."""
    with db.read() as session:
        provider = require_pacticipant(session, provider_name)
        if environment_uuid is not None:
            environment = require_environment(session, environment_uuid)
            pubs = _pacts_in_environment(session, provider, environment)
        else:
            pubs = _newest_per_consumer(
                repo.provider_publications_matching(
                    session, provider, tag=None, branch=branch, main_branch=branch is None
                )
            )
        return present(merge_states(pubs))


def _newest_per_consumer(pubs: Sequence[PactPublication]) -> list[PactPublication]:
    newest: dict[int, PactPublication] = {}
    for pub in pubs:
        known = newest.get(pub.consumer_id)
        if known is None or pub.consumer_version_id > known.consumer_version_id:
            newest[pub.consumer_id] = pub
    return list(newest.values())


def _pacts_in_environment(
    session: Session, provider: Pacticipant, environment: Environment
) -> list[PactPublication]:
    found: list[PactPublication] = []
    for consumer_id in repo.consumers_of_provider(session, provider.id):
        for version in lists.versions_by_ids(
            session, repo.versions_in_environment(session, consumer_id, environment)
        ):
            pub = repo.current_publication(session, version, provider)
            if pub is not None:
                found.append(pub)
    return found


def _states_of(content: Any) -> list[tuple[str, dict[str, Any] | None]]:
    """(name, params) of each provider state the pact's interactions name (V2 and V3+)."""
    states: list[tuple[str, dict[str, Any] | None]] = []
    interactions = content.get("interactions") if isinstance(content, dict) else None
    for interaction in interactions if isinstance(interactions, list) else []:
        if not isinstance(interaction, dict):
            continue
        many = interaction.get("providerStates")
        if isinstance(many, list):
            for state in many:
                if isinstance(state, dict) and isinstance(state.get("name"), str):
                    params = state.get("params")
                    states.append((state["name"], params if isinstance(params, dict) else None))
        elif isinstance(interaction.get("providerState"), str):
            states.append((interaction["providerState"], None))
    return states


def merge_states(pubs: Sequence[PactPublication]) -> list[ProviderState]:
    """One entry per (name, params), with the consumers naming it, sorted by name."""
    merged: dict[str, tuple[str, dict[str, Any] | None, list[str]]] = {}
    for pub in sorted(pubs, key=lambda p: p.consumer.name):
        for name, params in _states_of(json.loads(pub.pact_version.content)):
            key = json.dumps([name, params], sort_keys=True)
            entry = merged.setdefault(key, (name, params, []))
            if pub.consumer.name not in entry[2]:
                entry[2].append(pub.consumer.name)
    return sorted(
        (ProviderState(name, params, consumers) for name, params, consumers in merged.values()),
        key=lambda s: s.name,
    )
