"""The matrix and can-i-deploy: parse and validate the query, resolve selectors, load rows,
and hand them to the pure rules in :mod:`broker.matrix`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from pact_pipeline.broker import matrix
from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.errors import InvalidRequestError
from pact_pipeline.broker.models import (
    DeployedVersion,
    Environment,
    Pacticipant,
    ReleasedVersion,
    Version,
)
from pact_pipeline.broker.repository.provider_contracts import StoredComparison
from pact_pipeline.broker.services import contract_comparisons

R = TypeVar("R")


@dataclass(frozen=True)
class SelectorInput:
    """One ``q[]`` (or ``ignore[]``) entry as the client sent it."""

    pacticipant: str | None
    version: str | None = None
    latest: bool = False
    tag: str | None = None
    branch: str | None = None
    main_branch: bool = False
    environment: str | None = None


@dataclass(frozen=True)
class MatrixQuery:
    selectors: tuple[SelectorInput, ...]
    latest_by: matrix.LatestBy | None = None
    latest: bool = False
    tag: str | None = None
    environment: str | None = None
    main_branch: bool = False
    ignore: tuple[SelectorInput, ...] = ()
    success: tuple[bool | None, ...] = ()
    limit: int = 100

    @property
    def has_target(self) -> bool:
        return (
            self.latest or self.tag is not None or self.environment is not None or self.main_branch
        )


@dataclass
class MatrixResult:
    query: MatrixQuery
    status: matrix.DeploymentStatus
    selectors: list[matrix.ResolvedSelector] = field(default_factory=list)


class Lookups:
    """The pacticipants and environments one matrix request names, each read once (a
    can-i-deploy names its pacticipant and environment in validation, in its own selector and
    in every inferred one)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._pacticipants: dict[str, Pacticipant | None] = {}
        self._environments: dict[str, Environment | None] = {}
        #: Comparisons with provider contracts computed (not stored) while answering.
        self.computed_comparisons: list[StoredComparison] = []

    def pacticipant(self, name: str) -> Pacticipant | None:
        if name not in self._pacticipants:
            self._pacticipants[name] = repo.find_pacticipant(self.session, name)
        return self._pacticipants[name]

    def environment(self, name: str) -> Environment | None:
        if name not in self._environments:
            self._environments[name] = repo.find_environment_by_name(self.session, name)
        return self._environments[name]


def validate(session: Session, query: MatrixQuery, lookups: Lookups | None = None) -> None:
    """The Ruby broker's matrix validation, reported as an array of messages."""
    lookups = lookups or Lookups(session)
    errors: list[str] = []
    if not query.selectors:
        errors.append("Please provide 1 or more version selectors.")
    for selector in query.selectors:
        if not selector.pacticipant:
            errors.append("Please specify the pacticipant name")
            continue
        if selector.version is not None and selector.latest:
            errors.append(
                "A version number and latest flag cannot both be specified for "
                f"{selector.pacticipant}"
            )
        if lookups.pacticipant(selector.pacticipant) is None:
            errors.append(f"Pacticipant {selector.pacticipant} not found")
        if selector.environment is not None and lookups.environment(selector.environment) is None:
            errors.append(f"Environment with name '{selector.environment}' does not exist")
    for selector in query.ignore:
        if not selector.pacticipant:
            errors.append("Please specify the pacticipant name to ignore")
    targets = sum(
        1 for t in (query.tag is not None, query.environment is not None, query.main_branch) if t
    )
    if targets > 1:
        errors.append("Please specify only one of tag, environment or mainBranch")
    if query.latest and query.environment is not None:
        errors.append("Cannot specify both latest=true and an environment.")
    if query.environment is not None and lookups.environment(query.environment) is None:
        errors.append(f"Environment with name '{query.environment}' does not exist")
    if query.limit < 1:
        errors.append("limit must be greater than 0")
    if errors:
        raise InvalidRequestError(errors)


def _resolve(
    lookups: Lookups,
    pacticipant: Pacticipant,
    criteria: SelectorInput,
    *,
    specified: bool,
    versions: list[Version] | None = None,
) -> list[matrix.ResolvedSelector]:
    """The criteria resolved for the pacticipant: one selector per version they pick (``versions``
    when the caller has read them already)."""
    base = matrix.ResolvedSelector(
        pacticipant_id=pacticipant.id,
        pacticipant_name=pacticipant.name,
        specified=specified,
        latest=criteria.latest,
        tag=criteria.tag,
        branch=criteria.branch,
        main_branch=criteria.main_branch,
        environment=criteria.environment,
        requested_version=criteria.version,
    )
    if versions is None:
        versions = _selected_versions(lookups, pacticipant, criteria)
    if versions is None:
        return [base]
    if criteria.main_branch:
        base = replace(base, branch=pacticipant.main_branch)
    if not versions:
        return [replace(base, missing=True)]
    many = len(versions) > 1
    return [
        replace(base, version_id=v.id, version_number=v.number, one_of_many=many) for v in versions
    ]


def _selected_versions(
    lookups: Lookups, pacticipant: Pacticipant, criteria: SelectorInput
) -> list[Version] | None:
    """The versions the criteria pick, or None when they pick every version (a pacticipant
    name alone)."""
    session = lookups.session
    if criteria.version is not None:
        found = repo.find_version(session, pacticipant, criteria.version)
        return [found] if found else []
    if criteria.environment is not None:
        environment = lookups.environment(criteria.environment)
        if environment is None:
            return []
        in_environment = repo.versions_in_environment_by_pacticipant(
            session, [pacticipant.id], environment
        )
        return in_environment.get(pacticipant.id, [])
    if criteria.main_branch:
        head = (
            repo.branch_head(session, pacticipant, pacticipant.main_branch)
            if pacticipant.main_branch
            else None
        )
        return [head] if head else []
    if criteria.branch is not None:
        if criteria.latest:
            head = repo.branch_head(session, pacticipant, criteria.branch)
            return [head] if head else []
        return list(repo.versions_on_branch(session, pacticipant, criteria.branch))
    if criteria.tag is not None:
        if criteria.latest:
            latest = repo.latest_version(session, pacticipant, tag=criteria.tag)
            return [latest] if latest else []
        return list(repo.versions_with_tag(session, pacticipant, criteria.tag))
    if criteria.latest:
        latest = repo.latest_version(session, pacticipant)
        return [latest] if latest else []
    return None


def _inferred_criteria(query: MatrixQuery, name: str) -> SelectorInput:
    if query.tag is not None:
        return SelectorInput(name, tag=query.tag, latest=True)
    if query.environment is not None:
        return SelectorInput(name, environment=query.environment)
    if query.main_branch:
        return SelectorInput(name, main_branch=True, latest=True)
    return SelectorInput(name, latest=True)


def _integrations(
    session: Session, query: MatrixQuery, specified: Sequence[matrix.ResolvedSelector]
) -> tuple[list[matrix.Integration], list[int], dict[int, Pacticipant]]:
    """Integrations the answer must cover, pacticipants to add as inferred selectors, and
    every pacticipant of those integrations by id (read at once)."""
    specified_ids = {s.pacticipant_id for s in specified}
    # (consumer id, provider id) → whether a specified selector's own pacts make it one.
    pairs: dict[tuple[int, int], bool] = {}
    to_infer: list[int] = []
    if query.has_target:
        # A branch or tag selector resolves to one selector per version: look their providers
        # up at once, and each pacticipant's consumers once.
        by_version = repo.providers_of_consumer_versions(
            session, (s.version_id for s in specified if s.version_id is not None)
        )
        consumers_of: dict[int, list[int]] = {}
        for selector in specified:
            if selector.version_id is not None:
                provider_ids = by_version.get(selector.version_id, [])
            elif selector.only_pacticipant:
                provider_ids = repo.providers_of_consumer(session, selector.pacticipant_id)
            else:
                provider_ids = []
            for provider_id in provider_ids:
                pairs[(selector.pacticipant_id, provider_id)] = True
            if selector.pacticipant_id not in consumers_of:
                consumers_of[selector.pacticipant_id] = repo.consumers_of_provider(
                    session, selector.pacticipant_id
                )
            for consumer_id in consumers_of[selector.pacticipant_id]:
                pairs.setdefault((consumer_id, selector.pacticipant_id), False)
        for consumer_id, provider_id in pairs:
            for pid in (consumer_id, provider_id):
                if pid not in specified_ids and pid not in to_infer:
                    to_infer.append(pid)
    else:
        for consumer_id in specified_ids:
            for provider_id in repo.providers_of_consumer(session, consumer_id):
                if provider_id in specified_ids:
                    pairs[(consumer_id, provider_id)] = True
    pacticipants = repo.pacticipants_by_ids(
        session, {pid for pair in pairs for pid in pair} | specified_ids
    )
    integrations = [
        matrix.Integration(
            consumer_id,
            pacticipants[consumer_id].name,
            provider_id,
            pacticipants[provider_id].name,
            own,
        )
        for (consumer_id, provider_id), own in pairs.items()
    ]
    return integrations, to_infer, pacticipants


def _inferred(
    lookups: Lookups,
    query: MatrixQuery,
    pacticipants: Sequence[Pacticipant],
) -> list[matrix.ResolvedSelector]:
    """The inferred selectors of the pacticipants, their versions read for all of them at once
    where the target allows (an environment, the main branch)."""
    session = lookups.session
    chosen: dict[int, list[Version]] | None = None
    if query.environment is not None:
        environment = lookups.environment(query.environment)
        chosen = (
            repo.versions_in_environment_by_pacticipant(
                session, [p.id for p in pacticipants], environment
            )
            if environment
            else {}
        )
    elif query.main_branch:
        heads = repo.branch_heads_of(
            session, {p.id: p.main_branch for p in pacticipants if p.main_branch}
        )
        chosen = {pid: [head] for pid, head in heads.items()}
    selectors: list[matrix.ResolvedSelector] = []
    for pacticipant in pacticipants:
        criteria = _inferred_criteria(query, pacticipant.name)
        versions = None if chosen is None else chosen.get(pacticipant.id, [])
        selectors.extend(
            _resolve(lookups, pacticipant, criteria, specified=False, versions=versions)
        )
    return selectors


def _rows(
    session: Session,
    selectors: Sequence[matrix.ResolvedSelector],
    lookups: Lookups | None = None,
) -> list[matrix.Row]:
    version_ids = {s.version_id for s in selectors if s.version_id is not None}
    whole_ids = {s.pacticipant_id for s in selectors if s.only_pacticipant}
    single = len({s.pacticipant_id for s in selectors}) <= 1
    extra_pact_versions: set[int] = set()
    if single:
        extra_pact_versions = repo.pact_versions_verified_by(session, version_ids, whole_ids)
    pubs = repo.matrix_publications(session, version_ids, whole_ids, extra_pact_versions)
    refs = repo.matrix_verifications(
        session,
        {p.pact_version_id for p in pubs},
        version_ids=version_ids,
        whole_ids=whole_ids,
        any_provider_version=single,
    )
    contract_refs = contract_comparisons.matrix_refs(
        session, pubs, version_ids=None if single else version_ids, whole_ids=whole_ids
    )
    if lookups is not None:
        lookups.computed_comparisons.extend(contract_refs.computed)
    return matrix.build_rows(selectors, pubs, [*refs, *contract_refs.refs])


def evaluate(session: Session, query: MatrixQuery, lookups: Lookups | None = None) -> MatrixResult:
    """Answer a validated matrix query."""
    lookups = lookups or Lookups(session)
    ignores: list[matrix.ResolvedSelector] = []
    unknown_ignores: list[str] = []
    for criteria in query.ignore:
        assert criteria.pacticipant is not None
        pacticipant = lookups.pacticipant(criteria.pacticipant)
        if pacticipant is None:
            unknown_ignores.append(
                f"any version of {criteria.pacticipant} (no such pacticipant exists)"
            )
            continue
        resolved = _resolve(lookups, pacticipant, criteria, specified=True)
        if any(r.missing for r in resolved):
            unknown_ignores.append(
                f"version {criteria.version} of {criteria.pacticipant} (no such version exists)"
            )
            continue
        ignores.extend(resolved)

    def flag(selector: matrix.ResolvedSelector) -> matrix.ResolvedSelector:
        hit = any(
            i.pacticipant_id == selector.pacticipant_id
            and (
                i.only_pacticipant
                or (i.version_id is not None and i.version_id == selector.version_id)
            )
            for i in ignores
        )
        return replace(selector, ignore=hit)

    specified: list[matrix.ResolvedSelector] = []
    for criteria in query.selectors:
        assert criteria.pacticipant is not None
        pacticipant = lookups.pacticipant(criteria.pacticipant)
        assert pacticipant is not None
        specified.extend(flag(s) for s in _resolve(lookups, pacticipant, criteria, specified=True))
    integrations, to_infer, pacticipants = _integrations(session, query, specified)
    inferred = [flag(s) for s in _inferred(lookups, query, [pacticipants[pid] for pid in to_infer])]
    selectors = specified + inferred
    rows = matrix.apply_latest_by(_rows(session, selectors, lookups), query.latest_by)
    # Oldest first, as the Ruby broker lists them (the order clients print).
    rows = sorted(
        rows, key=lambda r: (r.publication.consumer_version_id, r.provider_version_id or 0)
    )
    rows = matrix.filter_success(rows, query.success)
    rows = matrix.mark_ignored(rows, ignores)
    warnings = matrix.selector_warnings(
        specified,
        # `latest=true` is how clients ask for inference, not a deployment target.
        has_target=query.tag is not None or query.environment is not None or query.main_branch,
        unknown_ignores=unknown_ignores,
    )
    status = matrix.summarize(rows, selectors, integrations, warnings=warnings)
    return MatrixResult(query, status, selectors)


@dataclass(frozen=True)
class MatrixRowFacts:
    """What matrix rows show about their versions, publications and verifications, loaded for
    every row at once: rendering row by row through the ORM's relationships costs about a dozen
    queries per row, and a matrix of a branch has thousands of rows.

    Attributes:
        versions: The rows' consumer and provider versions (with branches and tags), by id.
        heads: The head version of each of their branches, by branch id.
        deployed: The environments each version is currently deployed to, by version id.
        released: The environments each version is released and supported in, by version id.
        publications: Each row's publication time and content SHA, by publication id.
        verifications: Each row's verification success, time and number, by verification id.
        contracts: When each row's provider contract was published, by publication id.
    """

    versions: dict[int, Version]
    heads: dict[int, int]
    deployed: dict[int, list[Environment]]
    released: dict[int, list[Environment]]
    publications: dict[int, tuple[datetime, str]]
    verifications: dict[int, tuple[bool, datetime, int]]
    contracts: dict[int, datetime] = field(default_factory=dict)


def load_row_facts(session: Session, rows: Sequence[matrix.Row]) -> MatrixRowFacts:
    version_ids = {r.publication.consumer_version_id for r in rows} | {
        r.verification.provider_version_id for r in rows if r.verification
    }
    versions = repo.versions_with_branches_and_tags(session, version_ids)
    branch_ids = {bv.branch_id for v in versions.values() for bv in v.branch_versions}
    return MatrixRowFacts(
        versions=versions,
        heads=repo.branch_heads(session, branch_ids),
        deployed=repo.current_environments_of_versions(session, DeployedVersion, version_ids),
        released=repo.current_environments_of_versions(session, ReleasedVersion, version_ids),
        publications=repo.publication_times_and_shas(session, (r.publication.id for r in rows)),
        verifications=repo.verification_outcomes(
            session,
            (r.verification.id for r in rows if r.verification and r.verification.kind == "CDCT"),
        ),
        contracts=repo.contract_publication_times(
            session,
            (r.verification.id for r in rows if r.verification and r.verification.kind == "BDCT"),
        ),
    )


def matrix_query(
    db: Database, query: MatrixQuery, present: Callable[[MatrixResult, MatrixRowFacts], R]
) -> R:
    with db.read() as session:
        lookups = Lookups(session)
        rendered = answer(lookups, query, present)
    contract_comparisons.store_computed(db, lookups.computed_comparisons)
    return rendered


def answer(
    lookups: Lookups, query: MatrixQuery, present: Callable[[MatrixResult, MatrixRowFacts], R]
) -> R:
    """:func:`matrix_query` in a transaction already open (``lookups``' session)."""
    session = lookups.session
    validate(session, query, lookups)
    result = limited(evaluate(session, query, lookups))
    return present(result, load_row_facts(session, result.status.rows))


def limited(result: MatrixResult) -> MatrixResult:
    """At most ``limit`` rows, the newest (the Pact Broker's ``limit``, 100 by default); the
    answer and its counts still cover every row."""
    rows = result.status.rows
    if len(rows) <= result.query.limit:
        return result
    return replace(result, status=replace(result.status, rows=rows[-result.query.limit :]))
