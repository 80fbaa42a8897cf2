"""Which pacts a provider must verify: consumer version selectors, pending and WIP.

Pure functions over facts the repository loads (``reference/broker-api.md`` §5): the
candidate pacts of one provider, what each consumer's branches, tags and environments point
at, and which verifications each pact content has had.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

PENDING_DOCS = "https://docs.pact.io/go/pending"
WIP_DOCS = "https://docs.pact.io/go/wip"


@dataclass(frozen=True)
class Selector:
    """A consumer version selector, after validation."""

    main_branch: bool = False
    branch: str | None = None
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


def normalise(selectors: Iterable[Selector], provider_branch: str | None) -> list[Selector]:
    """Apply the broker's normalisation: branch-ish selectors imply ``latest``;
    ``matchingBranch`` takes the provider's branch; ``deployedOrReleased`` splits in two."""
    result: list[Selector] = []
    for s in selectors:
        if s.matching_branch:
            s = Selector(**{**s.__dict__, "branch": provider_branch, "latest": True})
        elif s.branch is not None or s.main_branch:
            s = Selector(**{**s.__dict__, "latest": True})
        if s.deployed_or_released:
            base = {**s.__dict__, "deployed_or_released": False}
            result.append(Selector(**{**base, "deployed": True}))
            result.append(Selector(**{**base, "released": True}))
            continue
        if s.environment is not None and not (s.deployed or s.released):
            base = dict(s.__dict__)
            result.append(Selector(**{**base, "deployed": True}))
            result.append(Selector(**{**base, "released": True}))
            continue
        result.append(s)
    return result


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
    """A successful verification of a pact content by a provider version."""

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


@dataclass(frozen=True)
class Reason:
    """Why a pact was selected: the selector and the consumer version it matched."""

    selector: Selector
    consumer_version_number: str
    consumer_name: str

    def short(self) -> str:
        s = self.selector
        if s.main_branch:
            text = "latest from main branch"
        elif s.matching_branch:
            text = f"latest from matching branch {s.branch}"
        elif s.branch is not None:
            text = f"latest from branch {s.branch}"
        elif s.tag is not None:
            text = f"latest with tag {s.tag}" if s.latest else f"one of {s.tag}"
        elif s.deployed:
            text = f"deployed to {s.environment}" if s.environment else "currently deployed"
        elif s.released:
            text = f"released in {s.environment}" if s.environment else "currently released"
        else:
            text = "latest"
        return f"{text} of {s.consumer}" if s.consumer else text

    def long(self) -> str:
        s = self.selector
        v = self.consumer_version_number
        if s.main_branch:
            return f"latest version from the main branch ({v})"
        if s.branch is not None:
            return f"latest version from branch '{s.branch}' ({v})"
        if s.tag is not None:
            return (
                f"latest version tagged '{s.tag}' ({v})"
                if s.latest
                else f"version tagged '{s.tag}' ({v})"
            )
        if s.deployed:
            where = f" to {s.environment}" if s.environment else ""
            return f"version(s) currently deployed{where} ({v})"
        if s.released:
            where = f" in {s.environment}" if s.environment else ""
            return f"version(s) released and supported{where} ({v})"
        return f"latest version of {self.consumer_name} ({v})"


@dataclass
class VerifiablePact:
    """One entry of the pacts-for-verification response."""

    candidate: Candidate
    reasons: list[Reason]
    pending: bool = False
    wip: bool = False
    wip_reason: str | None = None
    verified_by_branch: str | None = None

    @property
    def short_description(self) -> str:
        if self.wip:
            return self.wip_reason or "work in progress"
        seen: list[str] = []
        for reason in self.reasons:
            text = reason.short()
            if text not in seen:
                seen.append(text)
        return ", ".join(seen)


def _is_latest_selector(s: Selector) -> bool:
    return s.latest is True or s.branch is not None or s.main_branch


def select(
    selectors: Sequence[Selector],
    candidates: Sequence[Candidate],
    consumers: dict[int, ConsumerFacts],
) -> list[tuple[Candidate, Reason]]:
    """Apply explicit selectors (after :func:`normalise`) to the candidate pacts."""
    by_version = {c.consumer_version_id: c for c in candidates}
    chosen: list[tuple[Candidate, Reason]] = []
    for selector in selectors:
        facts = [
            f
            for f in consumers.values()
            if selector.consumer is None or f.name == selector.consumer
        ]
        for consumer in facts:
            matched = _versions_for(selector, consumer, candidates)
            if not matched and selector.fallback_tag is not None:
                fallback = Selector(
                    tag=selector.fallback_tag, latest=True, consumer=selector.consumer
                )
                matched = _versions_for(fallback, consumer, candidates)
            for version_id in matched:
                candidate = by_version.get(version_id)
                if candidate is not None:
                    chosen.append(
                        (
                            candidate,
                            Reason(selector, candidate.consumer_version_number, consumer.name),
                        )
                    )
    return chosen


def _versions_for(
    selector: Selector, consumer: ConsumerFacts, candidates: Sequence[Candidate]
) -> list[int]:
    own = [c for c in candidates if c.consumer_id == consumer.consumer_id]
    if selector.main_branch:
        head = consumer.branch_heads.get(consumer.main_branch) if consumer.main_branch else None
        return [head] if head is not None else []
    if selector.branch is not None:
        head = consumer.branch_heads.get(selector.branch)
        return [head] if head is not None else []
    if selector.tag is not None:
        if selector.latest:
            latest = consumer.latest_by_tag.get(selector.tag)
            return [latest] if latest is not None else []
        return sorted(consumer.tagged.get(selector.tag, frozenset()))
    if selector.deployed:
        return _in_environments(consumer.deployed, selector.environment)
    if selector.released:
        return _in_environments(consumer.released, selector.environment)
    if selector.latest:
        return [max(own, key=lambda c: c.consumer_version_id).consumer_version_id] if own else []
    return []


def _in_environments(by_env: dict[str, frozenset[int]], environment: str | None) -> list[int]:
    if environment is not None:
        return sorted(by_env.get(environment, frozenset()))
    return sorted({v for ids in by_env.values() for v in ids})


def default_selectors(
    consumers: dict[int, ConsumerFacts], candidates: Sequence[Candidate]
) -> list[Selector]:
    """Selectors used when the request has none: main branch (or its tag, or latest) per
    consumer, plus deployed and released versions."""
    result: list[Selector] = []
    for facts in consumers.values():
        if facts.main_branch and facts.main_branch in facts.branch_heads:
            result.append(Selector(main_branch=True, latest=True, consumer=facts.name))
        elif facts.main_branch and facts.main_branch in facts.latest_by_tag:
            result.append(Selector(tag=facts.main_branch, latest=True, consumer=facts.name))
        elif any(c.consumer_id == facts.consumer_id for c in candidates):
            result.append(Selector(latest=True, consumer=facts.name))
    result.append(Selector(deployed=True))
    result.append(Selector(released=True))
    return result


def squash(chosen: Iterable[tuple[Candidate, Reason]]) -> list[VerifiablePact]:
    """Merge selections of the same content per consumer: one verification covers them all.

    The entry keeps the pact of the newest consumer version; the result is sorted by consumer
    name, then consumer version order.
    """
    groups: dict[tuple[int, str], VerifiablePact] = {}
    for candidate, reason in chosen:
        key = (candidate.consumer_id, candidate.sha)
        entry = groups.get(key)
        if entry is None:
            groups[key] = VerifiablePact(candidate, [reason])
            continue
        if candidate.consumer_version_id > entry.candidate.consumer_version_id:
            entry.candidate = candidate
        if reason not in entry.reasons:
            entry.reasons.append(reason)
    return sorted(
        groups.values(),
        key=lambda e: (e.candidate.consumer_name, e.candidate.consumer_version_id),
    )


def _verified_on(
    facts: ProviderFacts,
    pact_version_id: int,
    *,
    branch: str | None = None,
    tag: str | None = None,
    include_wip: bool = True,
) -> bool:
    """True if a successful verification exists on the branch/tag, or on another one before
    that branch/tag existed (so a new feature branch inherits what main already verified)."""
    started = (
        facts.branch_created_at.get(branch)
        if branch is not None
        else facts.tag_first_used_at.get(tag or "")
    )
    for fact in facts.successes.get(pact_version_id, []):
        if not include_wip and fact.wip:
            continue
        on_it = (
            branch in fact.provider_branches if branch is not None else tag in fact.provider_tags
        )
        if on_it or started is None or fact.created_at < started:
            return True
    return False


def is_pending(
    facts: ProviderFacts,
    pact_version_id: int,
    *,
    provider_branch: str | None,
    provider_tags: Sequence[str],
) -> bool:
    """Pending: the provider (on this branch, or these tags) has never verified this content."""
    if provider_branch:
        return not _verified_on(facts, pact_version_id, branch=provider_branch)
    if provider_tags:
        return any(not _verified_on(facts, pact_version_id, tag=tag) for tag in provider_tags)
    return not facts.successes.get(pact_version_id)


def wip_pacts(
    *,
    since: datetime,
    candidates: Sequence[Candidate],
    consumers: dict[int, ConsumerFacts],
    facts: ProviderFacts,
    provider_branch: str | None,
    provider_tags: Sequence[str],
    already: Iterable[VerifiablePact],
) -> list[VerifiablePact]:
    """Work-in-progress pacts: recent branch-head or latest-tagged pacts the provider has not
    yet verified (successfully, outside WIP) on its branch or tags."""
    if not provider_branch and not provider_tags:
        return []
    taken = {(e.candidate.consumer_id, e.candidate.sha) for e in already}
    heads: dict[int, str] = {}
    for consumer in consumers.values():
        for branch, version_id in consumer.branch_heads.items():
            heads.setdefault(version_id, f"latest from branch {branch} of {consumer.name}")
        for tag, version_id in consumer.latest_by_tag.items():
            heads.setdefault(version_id, f"latest with tag {tag} of {consumer.name}")
    result: dict[tuple[int, str], VerifiablePact] = {}
    for candidate in sorted(candidates, key=lambda c: c.consumer_version_id):
        label = heads.get(candidate.consumer_version_id)
        if label is None or candidate.created_at < since:
            continue
        key = (candidate.consumer_id, candidate.sha)
        if key in taken:
            continue
        if provider_branch:
            verified = _verified_on(
                facts, candidate.pact_version_id, branch=provider_branch, include_wip=False
            )
        else:
            verified = all(
                _verified_on(facts, candidate.pact_version_id, tag=t, include_wip=False)
                for t in provider_tags
            )
        if verified:
            continue
        result[key] = VerifiablePact(candidate, [], pending=True, wip=True, wip_reason=label)
    return sorted(
        result.values(), key=lambda e: (e.candidate.consumer_name, e.candidate.consumer_version_id)
    )


def inclusion_notice(entry: VerifiablePact, url: str) -> str:
    """The notice saying why the pact is in the list."""
    if entry.wip:
        return (
            f"The pact at {url} is being verified because it is a 'work in progress' pact (ie. it "
            f"is the pact for the {entry.wip_reason} and is still in pending state). "
            f"Read more at {WIP_DOCS}"
        )
    criteria = "\n".join(f"    * {r.long()}" for r in entry.reasons)
    return (
        f"The pact at {url} is being verified because the pact content belongs to the consumer "
        f"version(s) matching the following criteria:\n{criteria}"
    )


def pending_notice(entry: VerifiablePact, provider: str, provider_branch: str | None) -> str:
    """The notice explaining the pending state, when pending status was requested."""
    scope = f" from branch '{provider_branch}'" if provider_branch else ""
    if entry.pending:
        return (
            f"This pact is in pending state for this version of {provider} because a successful "
            f"verification result for a version of {provider}{scope} has not yet been published. "
            "If this verification fails, it will not cause the overall build to fail. "
            f"Read more at {PENDING_DOCS}"
        )
    return (
        f"This pact has previously been successfully verified by a version of {provider}{scope}. "
        "If this verification fails, it will fail the build. "
        f"Read more at {PENDING_DOCS}"
    )


def after_verification_notices(provider: str) -> dict[str, str]:
    """Notices the verifier prints after a pending pact's verification, keyed by outcome."""
    return {
        "after_verification:success_true_published_false": (
            f"This pact is still in pending state for {provider} as the successful verification "
            "results have not yet been published."
        ),
        "after_verification:success_false_published_false": (
            f"This pact is still in pending state for {provider} as a successful verification "
            "result has not yet been published"
        ),
        "after_verification:success_true_published_true": (
            f"This pact is no longer in pending state for {provider}, as a successful "
            "verification result with this tag has been published. If a verification for a "
            "version with fails in the future, it will fail the build."
        ),
        "after_verification:success_false_published_true": (
            f"This pact is still in pending state for {provider} as a successful verification "
            "result has not yet been published"
        ),
    }
