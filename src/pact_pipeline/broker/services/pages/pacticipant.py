"""A pacticipant's overview: branches and heads, recent versions, integrations, can-i-deploy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.models import DeployedVersion, Pacticipant, ReleasedVersion, Version
from pact_pipeline.broker.services import matrix as matrix_service
from pact_pipeline.broker.services.pacticipants import require_pacticipant
from pact_pipeline.broker.services.pages.integrations import IntegrationRow, integration_rows

RECENT_VERSIONS = 20


@dataclass(frozen=True)
class VersionLine:
    """A version with where it stands."""

    number: str
    branches: tuple[str, ...]
    tags: tuple[str, ...]
    deployed: tuple[str, ...]
    released: tuple[str, ...]
    created_at: str


@dataclass(frozen=True)
class BranchHead:
    """A branch and its newest version."""

    name: str
    head: str | None
    main: bool


@dataclass(frozen=True)
class DeployAnswer:
    """can-i-deploy of one version to one environment."""

    environment: str
    version: str
    deployable: bool | None
    reason: str


@dataclass(frozen=True)
class PacticipantOverview:
    """Everything the pacticipant page shows."""

    name: str
    main_branch: str | None
    repository_url: str | None
    labels: tuple[str, ...]
    branches: tuple[BranchHead, ...]
    versions: tuple[VersionLine, ...]
    integrations: tuple[IntegrationRow, ...]
    can_i_deploy: tuple[DeployAnswer, ...]


def pacticipant_overview(db: Database, name: str) -> PacticipantOverview:
    """The pacticipant page's facts (404 when there is no such pacticipant)."""
    with db.read() as session:
        pacticipant = require_pacticipant(session, name)
        versions = repo.recent_versions(session, pacticipant, RECENT_VERSIONS)
        branches = _branches(session, pacticipant)
        pubs = [
            pub
            for pub in repo.all_latest_publications(session)
            if pacticipant.id in (pub.consumer_id, pub.provider_id)
        ]
        candidate = _deploy_candidate(session, pacticipant, versions)
        return PacticipantOverview(
            name=pacticipant.name,
            main_branch=pacticipant.main_branch,
            repository_url=pacticipant.repository_url,
            labels=tuple(label.name for label in pacticipant.labels),
            branches=branches,
            versions=_version_lines(session, versions),
            integrations=tuple(integration_rows(session, pubs)),
            can_i_deploy=_answers(session, pacticipant, candidate),
        )


def _branches(session: Session, pacticipant: Pacticipant) -> tuple[BranchHead, ...]:
    branches = repo.list_branches(session, pacticipant)
    heads = repo.branch_heads(session, [b.id for b in branches])
    numbers = {vid: repo.version_by_id(session, vid).number for vid in heads.values()}
    found = [
        BranchHead(b.name, numbers.get(heads.get(b.id, -1)), b.name == pacticipant.main_branch)
        for b in branches
    ]
    return tuple(sorted(found, key=lambda b: (not b.main, b.name)))


def _version_lines(session: Session, versions: Sequence[Version]) -> tuple[VersionLine, ...]:
    ids = [v.id for v in versions]
    deployed = repo.current_environments_of_versions(session, DeployedVersion, ids)
    released = repo.current_environments_of_versions(session, ReleasedVersion, ids)
    return tuple(
        VersionLine(
            number=v.number,
            branches=tuple(bv.branch.name for bv in v.branch_versions),
            tags=tuple(t.name for t in v.tags),
            deployed=tuple(e.name for e in deployed.get(v.id, [])),
            released=tuple(e.name for e in released.get(v.id, [])),
            created_at=v.created_at.isoformat(),
        )
        for v in versions
    )


def _deploy_candidate(
    session: Session, pacticipant: Pacticipant, versions: Sequence[Version]
) -> Version | None:
    """The version can-i-deploy is shown for: the main branch's head, else the newest."""
    if pacticipant.main_branch:
        head = repo.branch_head(session, pacticipant, pacticipant.main_branch)
        if head is not None:
            return head
    return versions[0] if versions else None


def _answers(
    session: Session, pacticipant: Pacticipant, version: Version | None
) -> tuple[DeployAnswer, ...]:
    if version is None:
        return ()
    answers = []
    for environment in repo.list_environments(session):
        query = matrix_service.MatrixQuery(
            selectors=(matrix_service.SelectorInput(pacticipant.name, version.number),),
            latest_by="cvpv",
            environment=environment.name,
        )
        status = matrix_service.evaluate(session, query).status
        answers.append(
            DeployAnswer(
                environment.name,
                version.number,
                status.deployable,
                status.reasons[0].text if status.reasons else "",
            )
        )
    return tuple(answers)
