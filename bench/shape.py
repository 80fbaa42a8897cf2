"""The shape of the seeded dataset: its knobs, topology, pact contents and targets."""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

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
#: pact_broker#487: a pact whose content never changes, verified by a scheduled provider job
#: (every 15 minutes there: ~15,000 verifications of one pact version). Per unit of scale, so
#: scale 4 (#872's size) has 15,000; never fewer than ``STEADY_MIN``.
STEADY_PER_SCALE = 3_750
STEADY_MIN = 300
#: The content generation the steady integration always publishes.
STEADY_GENERATION = 1


def steady_verifications(scale: float) -> int:
    """How many scheduled verifications the #487 pact gets at a scale (15,000 at scale 4)."""
    return max(STEADY_MIN, round(STEADY_PER_SCALE * scale))


@dataclass(frozen=True)
class Shape:
    """Target sizes of a dataset (the seeded counts come close, not exactly)."""

    pacticipants: int
    versions: int
    branches: int
    publications: int
    verifications: int
    #: Scheduled verifications of pact_broker#487's never-changing pact (on top of
    #: ``verifications``, which the provider builds make).
    steady_verifications: int = 0

    @classmethod
    def at_scale(cls, scale: float, pacticipants: int = 50) -> Shape:
        """Scale 1.0 is 50k versions, 1k branches, 40k publications and 20k verifications
        (plus 3,750 scheduled verifications of one never-changing pact, #487's shape).

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
            steady_verifications=steady_verifications(scale),
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
    #: pact_broker#487's shape: (consumer, provider) of the integration whose content never
    #: changes and that the provider verifies over and over (the provider is ``providers[0]``).
    steady_pact: tuple[str, str] | None = None
    #: The scheduled (successful, main-branch) verifications of that one pact version.
    steady_verifications: int = 0
    #: Services whose newest main-branch version published pacts (the head CI just built),
    #: for can-i-deploy of a branch's latest version; ``can_i_deploy``'s if there are none.
    branch_heads: list[str] = field(default_factory=list)


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
class Rows:
    """Rows per table, in insertion order, with ids assigned here."""

    tables: dict[str, list[Row]] = field(default_factory=dict)

    def add(self, table: str, row: Row) -> int:
        rows = self.tables.setdefault(table, [])
        row["id"] = len(rows) + 1
        rows.append(row)
        return int(row["id"])


@dataclass
class GeneratorState:
    """What the generator remembers as it walks through time."""

    rows: Rows = field(default_factory=Rows)
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
