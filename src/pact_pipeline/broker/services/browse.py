"""Read-only views across the broker: versions by branch, tag or environment, label names,
groups of integrations (CSV), one integration's matrix and the can-i-deploy shortcuts; and
deleting every integration."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from sqlalchemy.orm import Session

from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.errors import NotFoundError
from pact_pipeline.broker.models import Pacticipant, Verification, Version
from pact_pipeline.broker.repository import integration_lists as lists
from pact_pipeline.broker.services import matrix as matrix_svc
from pact_pipeline.broker.services.environments import require_environment
from pact_pipeline.broker.services.matrix import MatrixQuery, SelectorInput
from pact_pipeline.broker.services.pacticipants import require_pacticipant, require_version
from pact_pipeline.broker.services.versions import VersionFacts, load_version_facts

R = TypeVar("R")
VersionsPresenter = Callable[[Pacticipant, list[Version], VersionFacts], R]


def versions_on_branch(
    db: Database, pacticipant_name: str, branch: str, present: VersionsPresenter[R]
) -> R:
    """The branch's versions, newest first (404 for an unknown pacticipant or branch)."""
    with db.read() as session:
        pacticipant = require_pacticipant(session, pacticipant_name)
        if repo.find_branch(session, pacticipant, branch) is None:
            msg = f"No branch '{branch}' found for pacticipant '{pacticipant_name}'"
            raise NotFoundError(msg)
        versions = list(repo.versions_on_branch(session, pacticipant, branch))
        return present(pacticipant, versions, load_version_facts(session, versions))


def versions_with_tag(
    db: Database, pacticipant_name: str, tag: str, present: VersionsPresenter[R]
) -> R:
    """The versions with the tag, newest first (an empty list when none has it)."""
    with db.read() as session:
        pacticipant = require_pacticipant(session, pacticipant_name)
        versions = list(repo.versions_with_tag(session, pacticipant, tag))
        return present(pacticipant, versions, load_version_facts(session, versions))


def versions_in_environment(
    db: Database, pacticipant_name: str, environment_uuid: str, present: VersionsPresenter[R]
) -> R:
    """The versions currently deployed to, or released and supported in, the environment."""
    with db.read() as session:
        pacticipant = require_pacticipant(session, pacticipant_name)
        environment = require_environment(session, environment_uuid)
        ids = repo.versions_in_environment(session, pacticipant.id, environment)
        versions = lists.versions_by_ids(session, ids)
        return present(pacticipant, versions, load_version_facts(session, versions))


def label_names(db: Database) -> list[str]:
    with db.read() as session:
        return lists.label_names(session)


def delete_all_integrations(db: Database) -> None:
    """Delete every integration's pacts and verifications (the pacticipants stay)."""
    with db.write() as session:
        for consumer, provider, _ in repo.integration_pairs(session):
            repo.delete_integration(session, consumer, provider)


# --- groups and relationships (CSV for network diagrams) -----------------------------------


def _pairs(session: Session) -> list[tuple[Pacticipant, Pacticipant]]:
    pairs = [(c, p) for c, p, _ in repo.integration_pairs(session)]
    return sorted(pairs, key=lambda pair: (pair[0].name.lower(), pair[1].name.lower()))


def _connected(pairs: list[tuple[Pacticipant, Pacticipant]], start: Pacticipant) -> set[int]:
    """The ids of the pacticipants joined to ``start`` by integrations, in either direction."""
    group, frontier = {start.id}, [start.id]
    while frontier:
        current = frontier.pop()
        for consumer, provider in pairs:
            for a, b in ((consumer.id, provider.id), (provider.id, consumer.id)):
                if a == current and b not in group:
                    group.add(b)
                    frontier.append(b)
    return group


def relationships_csv(pairs: list[tuple[Pacticipant, Pacticipant]]) -> str:
    """One row per pacticipant: id, name, 1, 1, 0, its order, then the ids of the providers it
    consumes, padded with 0 to the longest row (the Pact Broker's network diagram columns)."""
    rows: dict[int, list[object]] = {}
    for consumer, provider in pairs:
        for pacticipant in (consumer, provider):
            if pacticipant.id not in rows:
                rows[pacticipant.id] = [pacticipant.id, pacticipant.name, 1, 1, 0, len(rows) + 1]
        rows[consumer.id].append(provider.id)
    width = max((len(row) for row in rows.values()), default=0)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows.values():
        writer.writerow(row + [0] * (width - len(row)))
    return out.getvalue()


def relationships(db: Database) -> str:
    with db.read() as session:
        return relationships_csv(_pairs(session))


def group(db: Database, pacticipant_name: str) -> str:
    """The relationships CSV of the integrations connected to the pacticipant."""
    with db.read() as session:
        pacticipant = require_pacticipant(session, pacticipant_name)
        pairs = _pairs(session)
        members = _connected(pairs, pacticipant)
        return relationships_csv([(c, p) for c, p in pairs if c.id in members])


# --- the matrix of one integration and the can-i-deploy shortcuts ---------------------------


def integration_matrix(
    db: Database,
    consumer_name: str,
    provider_name: str,
    options: MatrixQuery,
    present: Callable[[matrix_svc.MatrixResult, matrix_svc.MatrixRowFacts], R],
) -> R:
    """Every row between the two, filtered by the query's options (``latestby``, ``limit``)."""
    with db.read() as session:
        require_pacticipant(session, consumer_name)
        require_pacticipant(session, provider_name)
    selectors = (SelectorInput(pacticipant=consumer_name), SelectorInput(pacticipant=provider_name))
    return matrix_svc.matrix_query(db, replace(options, selectors=selectors), present)


def can_i_deploy_tag_to_tag(
    db: Database,
    pacticipant_name: str,
    tag: str,
    to: str,
    present: Callable[[matrix_svc.MatrixResult, matrix_svc.MatrixRowFacts], R],
) -> R:
    """Can the latest version with ``tag`` go where the latest versions tagged ``to`` are?"""
    with db.read() as session:
        pacticipant = require_pacticipant(session, pacticipant_name)
        if repo.latest_version(session, pacticipant, tag=tag) is None:
            msg = f"No version with tag '{tag}' found for pacticipant '{pacticipant_name}'"
            raise NotFoundError(msg)
    query = MatrixQuery(
        selectors=(SelectorInput(pacticipant=pacticipant_name, latest=True, tag=tag),),
        latest_by="cvp",
        latest=True,
        tag=to,
    )
    return matrix_svc.matrix_query(db, query, present)


def can_i_deploy_branch_to_environment(
    db: Database,
    pacticipant_name: str,
    branch: str,
    environment: str,
    present: Callable[[matrix_svc.MatrixResult, matrix_svc.MatrixRowFacts], R],
) -> R:
    """Can the head of ``branch`` be deployed to the environment (by name)?"""
    with db.read() as session:
        # One transaction, and the matrix reuses the pacticipant and environment read here.
        lookups = matrix_svc.Lookups(session)
        pacticipant = lookups.pacticipant(pacticipant_name)
        if pacticipant is None:
            raise NotFoundError(f"No pacticipant with name '{pacticipant_name}' found")
        if repo.branch_head(session, pacticipant, branch) is None:
            msg = f"No version on branch '{branch}' found for pacticipant '{pacticipant_name}'"
            raise NotFoundError(msg)
        if lookups.environment(environment) is None:
            raise NotFoundError(f"No environment with name '{environment}' found")
        query = MatrixQuery(
            selectors=(SelectorInput(pacticipant=pacticipant_name, latest=True, branch=branch),),
            latest_by="cvpv",
            environment=environment,
        )
        return matrix_svc.answer(lookups, query, present)


# --- verification results of a consumer version ---------------------------------------------


def verification_summary(
    db: Database,
    consumer_name: str,
    number: str,
    present: Callable[[list[Verification]], R],
) -> R:
    """The newest verification of the version's pact with each provider (none for a pact not
    verified yet); 404 only for an unknown pacticipant or version."""
    with db.read() as session:
        version = require_version(session, consumer_name, number)
        pubs = repo.publications_for_versions(session, [version.id]).get(version.id, [])
        found = [repo.latest_verification(session, pub.pact_version) for pub in pubs]
        return present([v for v in found if v is not None])
