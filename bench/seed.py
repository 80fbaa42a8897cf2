"""Seed a broker database shaped like ``pact_broker#872``, fast.

The services write one row at a time (a publish is a few dozen statements); seeding 10^5
versions that way takes many minutes. This seeder generates the rows in memory, following the
rules the services follow, and bulk-inserts them with SQLAlchemy Core into a database created by
the normal migrations. What it keeps true, so that the broker sees data it could have produced:

* ids grow with creation time in every table (the broker's "latest" is the highest id);
* every version is on exactly one branch, and a branch's head is its newest branch version;
  ``main`` is every pacticipant's main branch, as the broker infers from the first ``main``
  version;
* pact content is stored once per (consumer, provider, SHA), with interaction ids and the SHA the
  broker computes (:mod:`broker.content`); a republication of a consumer version adds the next
  revision number;
* verification numbers count 1, 2, 3... per pact version;
* an environment has at most one current deployed version per pacticipant (a new deployment
  marks the previous one undeployed), and released versions are unique per environment.

The shape: a fixed set of pacticipants in three layers (core providers, services that are both
consumers and providers, and front ends that only consume), so the number of integrations does
not change with the scale; the history (versions, branches, publications, verifications) grows
linearly with it. That is what lets the benchmark tell O(integrations) from O(versions).
"""

from __future__ import annotations

import hashlib
import random
import uuid as uuid_module
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Table, func, insert, select, text

from pact_pipeline.broker import migrate, models
from pact_pipeline.broker.content import canonical_json, content_sha, with_interaction_ids
from pact_pipeline.broker.db import make_engine

Row = dict[str, Any]

MAIN = "main"
#: (name, production); the benchmark asks can-i-deploy about ``prod``.
ENVIRONMENTS = (("test", False), ("prod", True))
HISTORY = timedelta(days=480)  # #872's data was ~16 months old

# Probabilities that shape the history (per version, unless said otherwise).
MAIN_BRANCH_SHARE = 0.55
TAGGED_SHARE = 0.2  # legacy CI that also tags each version with its branch name
SHARED_FEATURE_NAME = 0.1  # a new feature branch named like another repo's (cross-team work)
CONTENT_CHANGE_MAIN = 0.05
CONTENT_CHANGE_FEATURE = 0.15
REVISION_SHARE = 0.01  # publications republished with other content (a second revision)
VERIFICATION_SUCCESS = 0.92
DEPLOY_TEST = 0.3  # of main-branch versions
DEPLOY_PROD = 0.1  # of main-branch versions
SUPPORTED_RELEASES = 3
INSERT_CHUNK = 20_000


@dataclass(frozen=True)
class Shape:
    """Target sizes of a dataset (the seeded counts come close, not exactly)."""

    pacticipants: int
    versions: int
    branches: int
    publications: int
    verifications: int

    @classmethod
    def at_scale(cls, scale: float, pacticipants: int = 50) -> Shape:
        """Scale 1.0 is 50k versions, 1k branches, 40k publications and 20k verifications.

        Args:
            scale: Multiplies the history; #872's broker is roughly scale 4.
            pacticipants: The number of pacticipants, which does not scale.

        Returns:
            The shape.
        """
        if scale <= 0:
            msg = "scale must be positive"
            raise ValueError(msg)
        if pacticipants < 6:
            msg = "at least 6 pacticipants are needed for the three layers"
            raise ValueError(msg)
        return cls(
            pacticipants=pacticipants,
            versions=max(pacticipants * 4, round(50_000 * scale)),
            branches=max(pacticipants + 2, round(1_000 * scale)),
            publications=max(pacticipants, round(40_000 * scale)),
            verifications=max(pacticipants, round(20_000 * scale)),
        )


@dataclass(frozen=True)
class Topology:
    """Who consumes whom: layered, so there are no cycles, like real service graphs."""

    names: list[str]
    providers_of: dict[int, list[int]]
    consumers_of: dict[int, list[int]]
    #: Pacticipants that release to production (mobile apps) instead of deploying.
    releasers: frozenset[int]

    @property
    def integrations(self) -> int:
        return sum(len(p) for p in self.providers_of.values())


def topology(count: int, rng: random.Random) -> Topology:
    """Core providers, then services (consumers and providers), then front ends.

    Services consume two lower pacticipants and front ends three; every core provider gets at
    least one consumer.
    """
    core = max(2, count * 12 // 50)
    front = max(2, count * 12 // 50)
    middle = count - core - front
    names = (
        [f"core-{i:02d}" for i in range(core)]
        + [f"service-{i:02d}" for i in range(core, core + middle)]
        + [f"web-{i:02d}" for i in range(core + middle, count)]
    )
    providers_of: dict[int, list[int]] = {}
    for index in range(core, count):
        wanted = 3 if index >= core + middle else 2
        pool = list(range(min(index, core + middle)))
        providers_of[index] = sorted(rng.sample(pool, min(wanted, len(pool))))
    consumers_of: dict[int, list[int]] = {}
    for consumer, providers in providers_of.items():
        for provider in providers:
            consumers_of.setdefault(provider, []).append(consumer)
    for provider in range(core):
        if provider not in consumers_of:
            consumer = rng.randrange(core, count)
            providers_of[consumer] = sorted([*providers_of[consumer], provider])
            consumers_of[provider] = [consumer]
    releasers = frozenset(range(count - 2, count))
    return Topology(names, providers_of, consumers_of, releasers)


def pact_content(consumer: str, provider: str, generation: int) -> dict[str, Any]:
    """A pact whose interactions depend on ``generation`` (a new generation, new content)."""
    resource = provider.split("-")[0]
    interactions = [
        {
            "description": f"a request for {resource} {number} (contract {generation})",
            "providerState": f"{resource} {number} exists",
            "request": {"method": "GET", "path": f"/{resource}s/{number}"},
            "response": {
                "status": 200,
                "headers": {"Content-Type": "application/json"},
                "body": {"id": number, "name": f"{resource} {number}", "rev": generation},
            },
        }
        for number in range(1, 3 + generation % 4)
    ]
    return {
        "consumer": {"name": consumer},
        "provider": {"name": provider},
        "interactions": interactions,
        "metadata": {"pactSpecification": {"version": "2.0.0"}},
    }


@dataclass(frozen=True)
class Targets:
    """What the benchmark asks about, chosen while seeding (it knows the data best)."""

    #: (pacticipant, version): services' newest main-branch versions that published pacts.
    can_i_deploy: list[tuple[str, str]]
    #: Providers with the most consumers, for pacts for verification.
    providers: list[str]
    #: A front end and the current main-branch pact it has with each of its providers.
    publisher: str
    publish_contents: dict[str, dict[str, Any]]
    #: A pacticipant and its newest main-branch versions, to record deployments of.
    deployer: str
    deploy_versions: list[str]
    #: Environment name → UUID.
    environments: dict[str, str]


@dataclass
class Dataset:
    """A seeded database: its URL, the shape asked for, the counts written and the targets."""

    url: str
    scale: float
    shape: Shape
    integrations: int
    counts: dict[str, int]
    targets: Targets
    seconds: float = 0.0


@dataclass
class _Rows:
    """Rows per table, in insertion order, with ids assigned here."""

    tables: dict[str, list[Row]] = field(default_factory=dict)

    def add(self, table: str, row: Row) -> int:
        rows = self.tables.setdefault(table, [])
        row["id"] = len(rows) + 1
        rows.append(row)
        return int(row["id"])


@dataclass
class _State:
    """What the generator remembers as it walks through time."""

    rows: _Rows = field(default_factory=_Rows)
    main_branch: dict[int, int] = field(default_factory=dict)
    open_features: dict[int, list[int]] = field(default_factory=dict)
    branch_names: dict[int, str] = field(default_factory=dict)
    recent_feature_names: deque[str] = field(default_factory=lambda: deque(maxlen=20))
    tickets: int = 0
    # (consumer, provider, branch id) → content generation on that branch.
    content: dict[tuple[int, int, int], int] = field(default_factory=dict)
    generations: dict[tuple[int, int], int] = field(default_factory=dict)
    pact_versions: dict[tuple[int, int, int], int] = field(default_factory=dict)
    # (consumer, provider, branch name) → pact version of the newest publication there.
    newest_pact: dict[tuple[int, int, str], int] = field(default_factory=dict)
    verification_numbers: dict[int, int] = field(default_factory=dict)
    current_deployment: dict[tuple[int, int], Row] = field(default_factory=dict)
    releases: dict[int, list[Row]] = field(default_factory=dict)
    main_versions: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    published_main: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    numbers: set[tuple[int, str]] = field(default_factory=set)


class _Generator:
    def __init__(self, shape: Shape, rng: random.Random, now: datetime) -> None:
        self.shape = shape
        self.rng = rng
        self.topo = topology(shape.pacticipants, rng)
        self.state = _State()
        self.start = now - HISTORY
        self.step = HISTORY / shape.versions
        consumers = [c for c, p in self.topo.providers_of.items() if p]
        providers = list(self.topo.consumers_of)
        n = shape.pacticipants
        pubs_per_version = sum(len(self.topo.providers_of[c]) for c in consumers) / n
        self.publish_share = min(1.0, shape.publications / (shape.versions * pubs_per_version))
        verifs_per_version = sum(len(self.topo.consumers_of[p]) for p in providers) / n
        self.verify_share = min(1.0, shape.verifications / (shape.versions * verifs_per_version))
        feature_versions = shape.versions * (1 - MAIN_BRANCH_SHARE)
        self.new_branch_share = min(1.0, max(0, shape.branches - n) / max(1.0, feature_versions))
        self.environment_ids: dict[str, int] = {}
        self.environment_uuids: dict[str, str] = {}

    def run(self) -> _Rows:
        rows = self.state.rows
        for index, name in enumerate(self.topo.names):
            rows.add(
                "pacticipants",
                {
                    "name": name,
                    "display_name": None,
                    "main_branch": MAIN,
                    "repository_url": f"https://git.example.org/acme/{name}",
                    "repository_name": name,
                    "repository_namespace": "acme",
                    "created_at": self.start - timedelta(days=1, seconds=-index),
                    "updated_at": None,
                },
            )
        for name, production in ENVIRONMENTS:
            # Fixed UUIDs per name: a benchmark run can name the environment before seeding.
            uuid = str(uuid_module.uuid5(uuid_module.NAMESPACE_URL, f"bench:environment:{name}"))
            self.environment_ids[name] = rows.add(
                "environments",
                {
                    "uuid": uuid,
                    "name": name,
                    "display_name": name.capitalize(),
                    "production": production,
                    "contacts": None,
                    "created_at": self.start - timedelta(days=1),
                    "updated_at": None,
                },
            )
            self.environment_uuids[name] = uuid
        for i in range(self.shape.versions):
            self._version(self.rng.randrange(self.shape.pacticipants), self.start + self.step * i)
        self._deploy_everyone_to_prod(self.start + HISTORY)
        return rows

    # --- one version (one CI build) --------------------------------------------------------

    def _number(self, pacticipant: int, seq: int) -> str:
        digest = hashlib.sha1(f"{pacticipant}:{seq}".encode(), usedforsecurity=False).hexdigest()
        number = digest[:10]
        while (pacticipant, number) in self.state.numbers:
            number += "0"
        self.state.numbers.add((pacticipant, number))
        return number

    def _version(self, p: int, at: datetime) -> None:
        rows, state = self.state.rows, self.state
        number = self._number(p, len(rows.tables.get("versions", [])))
        version_id = rows.add(
            "versions",
            {
                "pacticipant_id": p + 1,
                "number": number,
                "build_url": None,
                "created_at": at,
                "updated_at": None,
            },
        )
        branch_id = self._branch_for(p, at)
        branch = state.branch_names[branch_id]
        rows.add(
            "branch_versions", {"branch_id": branch_id, "version_id": version_id, "created_at": at}
        )
        if self.rng.random() < TAGGED_SHARE:
            rows.add(
                "tags",
                {
                    "version_id": version_id,
                    "pacticipant_id": p + 1,
                    "name": branch,
                    "created_at": at,
                },
            )
        published = False
        if p in self.topo.providers_of and self.rng.random() < self.publish_share:
            published = True
            for provider in self.topo.providers_of[p]:
                self._publish(p, provider, version_id, branch_id, at)
        if p in self.topo.consumers_of and self.rng.random() < self.verify_share:
            self._verify(p, version_id, branch, at + min(timedelta(seconds=30), self.step / 3))
        if branch == MAIN:
            state.main_versions.setdefault(p, []).append((version_id, number))
            if published:
                state.published_main.setdefault(p, []).append((version_id, number))
            self._maybe_deploy(p, version_id, at + min(timedelta(seconds=60), self.step / 2))

    def _branch_for(self, p: int, at: datetime) -> int:
        state = self.state
        if self.rng.random() < MAIN_BRANCH_SHARE:
            if p not in state.main_branch:
                state.main_branch[p] = self._new_branch(p, MAIN, at)
            return state.main_branch[p]
        features = state.open_features.setdefault(p, [])
        if features and self.rng.random() >= self.new_branch_share:
            return self.rng.choice(features[-3:])
        if state.recent_feature_names and self.rng.random() < SHARED_FEATURE_NAME:
            name = self.rng.choice(list(state.recent_feature_names))
        else:
            state.tickets += 1
            name = f"feat/ACME-{state.tickets}"
        existing = [b for b in features if state.branch_names[b] == name]
        if existing:
            return existing[0]
        branch_id = self._new_branch(p, name, at)
        features.append(branch_id)
        state.recent_feature_names.append(name)
        return branch_id

    def _new_branch(self, p: int, name: str, at: datetime) -> int:
        branch_id = self.state.rows.add(
            "branches", {"pacticipant_id": p + 1, "name": name, "created_at": at}
        )
        self.state.branch_names[branch_id] = name
        return branch_id

    # --- pacts --------------------------------------------------------------------------------

    def _pact_version(self, consumer: int, provider: int, generation: int, at: datetime) -> int:
        key = (consumer, provider, generation)
        found = self.state.pact_versions.get(key)
        if found is not None:
            return found
        names = self.topo.names
        content = with_interaction_ids(pact_content(names[consumer], names[provider], generation))
        pact_version_id = self.state.rows.add(
            "pact_versions",
            {
                "consumer_id": consumer + 1,
                "provider_id": provider + 1,
                "sha": content_sha(content),
                "content": canonical_json(content),
                "created_at": at,
            },
        )
        self.state.pact_versions[key] = pact_version_id
        return pact_version_id

    def _next_generation(self, consumer: int, provider: int) -> int:
        key = (consumer, provider)
        self.state.generations[key] = self.state.generations.get(key, 0) + 1
        return self.state.generations[key]

    def _publish(
        self, consumer: int, provider: int, version_id: int, branch_id: int, at: datetime
    ) -> None:
        state = self.state
        branch = state.branch_names[branch_id]
        key = (consumer, provider, branch_id)
        generation = state.content.get(key)
        if generation is None and branch != MAIN:
            # A feature branch starts from what main has.
            generation = state.content.get((consumer, provider, state.main_branch.get(consumer, 0)))
        change = CONTENT_CHANGE_MAIN if branch == MAIN else CONTENT_CHANGE_FEATURE
        if generation is None or self.rng.random() < change:
            generation = self._next_generation(consumer, provider)
        revisions = 2 if self.rng.random() < REVISION_SHARE else 1
        for revision in range(1, revisions + 1):
            if revision > 1:
                generation = self._next_generation(consumer, provider)
            when = at + timedelta(seconds=revision - 1)
            pact_version_id = self._pact_version(consumer, provider, generation, when)
            state.rows.add(
                "pact_publications",
                {
                    "consumer_id": consumer + 1,
                    "provider_id": provider + 1,
                    "consumer_version_id": version_id,
                    "pact_version_id": pact_version_id,
                    "revision_number": revision,
                    "created_at": when,
                },
            )
            state.content[key] = generation
            state.newest_pact[(consumer, provider, branch)] = pact_version_id

    def _verify(self, provider: int, version_id: int, branch: str, at: datetime) -> None:
        """A provider build verifies its consumers' main pacts, and the matching branch's."""
        state = self.state
        for consumer in self.topo.consumers_of[provider]:
            wanted = {state.newest_pact.get((consumer, provider, MAIN))}
            if branch != MAIN:
                wanted.add(state.newest_pact.get((consumer, provider, branch)))
            for pact_version_id in sorted(w for w in wanted if w is not None):
                number = state.verification_numbers.get(pact_version_id, 0) + 1
                state.verification_numbers[pact_version_id] = number
                state.rows.add(
                    "verifications",
                    {
                        "number": number,
                        "pact_version_id": pact_version_id,
                        "provider_version_id": version_id,
                        "consumer_id": consumer + 1,
                        "provider_id": provider + 1,
                        "success": self.rng.random() < VERIFICATION_SUCCESS,
                        "build_url": None,
                        "test_results": None,
                        "verified_by": {"implementation": "pact-python", "version": "3.0.0"},
                        "wip": False,
                        "pact_pending": False,
                        "created_at": at,
                    },
                )

    # --- environments -------------------------------------------------------------------------

    def _maybe_deploy(self, p: int, version_id: int, at: datetime) -> None:
        if self.rng.random() < DEPLOY_TEST:
            self._deploy(p, version_id, "test", at)
        if self.rng.random() < DEPLOY_PROD:
            if p in self.topo.releasers:
                self._release(p, version_id, "prod", at)
            else:
                self._deploy(p, version_id, "prod", at)

    def _deploy(self, p: int, version_id: int, environment: str, at: datetime) -> None:
        environment_id = self.environment_ids[environment]
        previous = self.state.current_deployment.get((p, environment_id))
        if previous is not None:
            if previous["version_id"] == version_id:
                return
            previous["undeployed_at"] = at
        self.state.current_deployment[(p, environment_id)] = row = {
            "uuid": models.new_uuid(),
            "version_id": version_id,
            "pacticipant_id": p + 1,
            "environment_id": environment_id,
            "target": None,
            "created_at": at,
            "undeployed_at": None,
        }
        self.state.rows.add("deployed_versions", row)

    def _release(self, p: int, version_id: int, environment: str, at: datetime) -> None:
        environment_id = self.environment_ids[environment]
        releases = self.state.releases.setdefault(p, [])
        row: Row = {
            "uuid": models.new_uuid(),
            "version_id": version_id,
            "pacticipant_id": p + 1,
            "environment_id": environment_id,
            "created_at": at,
            "updated_at": None,
            "support_ended_at": None,
        }
        releases.append(row)
        self.state.rows.add("released_versions", row)
        supported = [r for r in releases if r["support_ended_at"] is None]
        for old in supported[:-SUPPORTED_RELEASES]:
            old["support_ended_at"] = at

    def _deploy_everyone_to_prod(self, at: datetime) -> None:
        """Every pacticipant ends with something in prod, so can-i-deploy has a counterpart."""
        prod = self.environment_ids["prod"]
        for p in range(self.shape.pacticipants):
            mains = self.state.main_versions.get(p)
            if not mains:
                continue
            if p in self.topo.releasers:
                if not self.state.releases.get(p):
                    self._release(p, mains[-1][0], "prod", at)
            elif (p, prod) not in self.state.current_deployment:
                self._deploy(p, mains[-1][0], "prod", at)

    # --- what to benchmark -------------------------------------------------------------------

    def targets(self) -> Targets:
        names, topo, state = self.topo.names, self.topo, self.state
        services = [p for p in topo.providers_of if p in topo.consumers_of]
        can_i_deploy = [
            (names[p], state.published_main[p][-1][1])
            for p in services
            if state.published_main.get(p)
        ][:5]
        providers = sorted(topo.consumers_of, key=lambda p: (-len(topo.consumers_of[p]), p))
        fronts = [p for p in topo.providers_of if p not in topo.consumers_of]
        publisher = max(fronts, key=lambda p: (len(topo.providers_of[p]), -p))
        contents = {}
        main = state.main_branch.get(publisher, 0)
        for provider in topo.providers_of[publisher]:
            generation = state.content.get((publisher, provider, main), 1)
            contents[names[provider]] = pact_content(names[publisher], names[provider], generation)
        deployer = services[0]
        return Targets(
            can_i_deploy=can_i_deploy,
            providers=[names[p] for p in providers[:3]],
            publisher=names[publisher],
            publish_contents=contents,
            deployer=names[deployer],
            deploy_versions=[n for _, n in state.main_versions.get(deployer, [])[-5:]],
            environments=dict(self.environment_uuids),
        )


TABLE_ORDER: tuple[Table, ...] = tuple(
    m.__table__  # type: ignore[misc]
    for m in (
        models.Pacticipant,
        models.Environment,
        models.Version,
        models.Branch,
        models.BranchVersion,
        models.Tag,
        models.PactVersion,
        models.PactPublication,
        models.Verification,
        models.DeployedVersion,
        models.ReleasedVersion,
    )
)


def _chunks(rows: Sequence[Row], size: int) -> Iterator[Sequence[Row]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def write(engine: Engine, rows: dict[str, list[Row]]) -> dict[str, int]:
    """Bulk-insert generated rows into an empty, migrated database, in one transaction.

    Args:
        engine: The broker database.
        rows: Rows per table name, ids included.

    Returns:
        The number of rows written per table.
    """
    counts: dict[str, int] = {}
    with engine.begin() as connection:
        for table in TABLE_ORDER:
            data = rows.get(table.name, [])
            for chunk in _chunks(data, INSERT_CHUNK):
                connection.execute(insert(table), list(chunk))
            counts[table.name] = len(data)
        if engine.dialect.name == "postgresql":
            # Explicit ids leave the serial sequences behind; the broker's inserts use them.
            for table in TABLE_ORDER:
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                        f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table.name}), false)"
                    )
                )
    if engine.dialect.name == "postgresql":
        # Autovacuum would analyze the new tables soon anyway; do it now, outside a transaction.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    return counts


def _require_empty(engine: Engine, tables: Iterable[Table]) -> None:
    with engine.connect() as connection:
        for table in tables:
            if connection.execute(select(func.count()).select_from(table)).scalar_one():
                msg = f"the database is not empty ({table.name} has rows); seed a fresh one"
                raise RuntimeError(msg)


def seed(url: str, scale: float = 1.0, *, seed: int = 872, pacticipants: int = 50) -> Dataset:
    """Create (migrate) a broker database at ``url`` and fill it with a #872-shaped history.

    Args:
        url: SQLAlchemy URL of an empty database (a new SQLite file, or an empty PostgreSQL
            database).
        scale: History size; 1.0 is ~50k versions (see :meth:`Shape.at_scale`).
        seed: Random seed; the same seed and scale give the same data.
        pacticipants: Number of pacticipants (fixed as the scale changes).

    Returns:
        The dataset: counts written and what the benchmark should ask about.
    """
    started = datetime.now(UTC)
    shape = Shape.at_scale(scale, pacticipants)
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        _require_empty(engine, TABLE_ORDER)
        # Timestamps are naive UTC, as the broker stores them.
        now = started.replace(tzinfo=None, microsecond=0) - timedelta(hours=1)
        generator = _Generator(shape, random.Random(seed), now)
        rows = generator.run()
        counts = write(engine, rows.tables)
    finally:
        engine.dispose()
    return Dataset(
        url=url,
        scale=scale,
        shape=shape,
        integrations=generator.topo.integrations,
        counts=counts,
        targets=generator.targets(),
        seconds=(datetime.now(UTC) - started).total_seconds(),
    )
