"""The facts selection works on and the answers it gives: selectors, candidate pacts, what
consumers' branches, tags and environments point at, the provider's verifications, and the
reasons each pact was selected."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Selector:
    """A consumer version selector, after validation."""

    main_branch: bool = False
    branch: str | None = None
    #: ``{"branch": true}``: the latest version of every branch (the Pact Broker's
    #: ``latest_for_each_branch``).
    each_branch: bool = False
    matching_branch: bool = False
    fallback_branch: str | None = None
    tag: str | None = None
    fallback_tag: str | None = None
    latest: bool | None = None
    consumer: str | None = None
    deployed: bool = False
    released: bool = False
    deployed_or_released: bool = False
    environment: str | None = None


@dataclass(frozen=True)
class Candidate:
    """The current pact of one consumer version with the provider."""

    consumer_id: int
    consumer_name: str
    consumer_version_id: int
    consumer_version_number: str
    pact_version_id: int
    sha: str
    created_at: datetime
    branches: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ConsumerFacts:
    """Where a consumer's branches, tags and environments point (by version id)."""

    consumer_id: int
    name: str
    main_branch: str | None = None
    branch_heads: dict[str, int] = field(default_factory=dict)
    latest_by_tag: dict[str, int] = field(default_factory=dict)
    tagged: dict[str, frozenset[int]] = field(default_factory=dict)
    deployed: dict[str, frozenset[int]] = field(default_factory=dict)
    released: dict[str, frozenset[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class VerificationFact:
    """A **successful** verification of a pact content by a provider version.

    Failed verifications are never facts: they never take a pact out of pending or WIP.
    """

    pact_version_id: int
    created_at: datetime
    provider_branches: frozenset[str]
    provider_tags: frozenset[str]
    wip: bool = False


@dataclass(frozen=True)
class ProviderFacts:
    """What pending and WIP need to know about the provider."""

    name: str
    branch_created_at: dict[str, datetime] = field(default_factory=dict)
    tag_first_used_at: dict[str, datetime] = field(default_factory=dict)
    successes: dict[int, list[VerificationFact]] = field(default_factory=dict)


def is_overall_latest(s: Selector) -> bool:
    return bool(
        s.latest
        and s.tag is None
        and s.branch is None
        and not (s.main_branch or s.each_branch or s.matching_branch or s.deployed or s.released)
        and s.environment is None
    )


def selector_order(s: Selector) -> tuple[int, str, int, str]:
    """The order of the broker's ``Selector#<=>``: overall latest, branch heads, latest tagged,
    all tagged, deployed, released, then the rest (consumer-specific first)."""
    consumer = (0, s.consumer) if s.consumer is not None else (1, "")
    if is_overall_latest(s):
        return (0, "", 0, "")
    if s.latest and s.branch is not None and not s.main_branch:
        return (1, s.branch, 0, "")
    if s.each_branch:
        return (1, "", 0, "")
    if s.latest and s.tag is not None:
        return (2, s.tag, 0, "")
    if s.tag is not None:
        return (3, s.tag, *consumer)
    if s.deployed:
        return (4, s.environment or "", 0, "")
    if s.released:
        return (5, s.environment or "", 0, "")
    return (6, "", *consumer)


@dataclass(frozen=True)
class Reason:
    """Why a pact was selected: the resolved selector and the consumer version it matched.

    The selector is *resolved*: ``deployed``/``released`` carry the environment the version is
    in, and ``fallback_tag`` is kept only when the fallback tag was what found the pact.

    Attributes:
        selector: The resolved selector.
        consumer_version_number: The consumer version it selected.
        consumer_name: The consumer.
        main_branch: The consumer's main branch, to describe ``mainBranch`` selectors.
    """

    selector: Selector
    consumer_version_number: str
    consumer_name: str
    main_branch: str | None = None


@dataclass
class VerifiablePact:
    """One entry of the pacts-for-verification response.

    Attributes:
        candidate: The pact to verify (that of the newest consumer version with this content).
        reasons: Every selector that selected this content, in the broker's selector order.
        pending: Whether failures of this pact should not fail the provider build.
        wip: Whether this is a work-in-progress pact.
        provider_branch: The provider branch pending/WIP was computed for.
        pending_provider_tags: Provider tags for which the pact is pending.
        non_pending_provider_tags: Provider tags for which it is not.
    """

    candidate: Candidate
    reasons: list[Reason]
    pending: bool = False
    wip: bool = False
    provider_branch: str | None = None
    pending_provider_tags: list[str] = field(default_factory=list)
    non_pending_provider_tags: list[str] = field(default_factory=list)


def sorted_reasons(reasons: Iterable[Reason]) -> list[Reason]:
    return sorted(reasons, key=lambda r: selector_order(r.selector))


def entry_order(entry: VerifiablePact) -> tuple[str, str, int]:
    name = entry.candidate.consumer_name
    return (name.lower(), name, entry.candidate.consumer_version_id)
