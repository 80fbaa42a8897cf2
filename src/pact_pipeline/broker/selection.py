"""Which pacts a provider must verify: consumer version selectors, pending and WIP.

Pure functions over facts the repository loads (``reference/broker-api.md`` §5): the
candidate pacts of one provider, what each consumer's branches, tags and environments point
at, and which verifications each pact content has had. Texts follow the Ruby broker's
``VerifiablePactMessages``.

Version ids stand in for the broker's version ``order``: they grow with creation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

PENDING_DOCS = "https://docs.pact.io/go/pending"
WIP_DOCS = "https://docs.pact.io/go/wip"
#: ``PACT_BROKER_VERIFIED_BY_OTHER_BRANCH_LOOKBACK_DAYS``: how far back WIP looks for
#: verifications that take a pact out of the work-in-progress list.
WIP_VERIFICATION_LOOKBACK = timedelta(days=30)


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
    """Apply the broker's normalisation before selection.

    ``branch``, ``mainBranch`` and ``matchingBranch`` imply ``latest``; ``matchingBranch``
    takes the provider's branch; ``deployedOrReleased``, and an ``environment`` on its own,
    split into one ``deployed`` and one ``released`` selector.

    Args:
        selectors: The validated selectors of the request.
        provider_branch: The request's ``providerVersionBranch``.

    Returns:
        The selectors to hand to :func:`select`.
    """
    result: list[Selector] = []
    for s in selectors:
        if s.matching_branch:
            s = replace(s, branch=provider_branch, latest=True)
        elif s.branch is not None or s.main_branch:
            s = replace(s, latest=True)
        if s.deployed_or_released or (s.environment is not None and not (s.deployed or s.released)):
            base = replace(s, deployed_or_released=False)
            result.append(replace(base, deployed=True))
            result.append(replace(base, released=True))
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


def _overall_latest(s: Selector) -> bool:
    return bool(
        s.latest
        and s.tag is None
        and s.branch is None
        and not (s.main_branch or s.matching_branch or s.deployed or s.released)
        and s.environment is None
    )


def _sort_key(s: Selector) -> tuple[int, str, int, str]:
    """The order of the broker's ``Selector#<=>``: overall latest, branch heads, latest tagged,
    all tagged, deployed, released, then the rest (consumer-specific first)."""
    consumer = (0, s.consumer) if s.consumer is not None else (1, "")
    if _overall_latest(s):
        return (0, "", 0, "")
    if s.latest and s.branch is not None and not s.main_branch:
        return (1, s.branch, 0, "")
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

    def short(self) -> str:
        """The short selector description (``shortDescription`` is these, comma-joined).

        Returns:
            E.g. "latest from branch main" or "deployed to production".
        """
        s = self.selector
        if _overall_latest(s):
            return "latest"
        if s.latest and s.tag is not None:
            return f"latest with tag {s.fallback_tag or s.tag}"
        if s.main_branch:
            return "latest from main branch"
        if s.latest and s.branch is not None:
            return f"latest from branch {s.fallback_branch or s.branch}"
        if s.tag is not None:
            return f"one of {s.consumer} {s.tag}" if s.consumer else f"one of {s.tag}"
        if s.deployed:
            return f"deployed to {s.environment}"
        if s.released:
            return f"released in {s.environment}"
        return f"in environment {s.environment}"

    def long(self, provider: str = "the provider") -> str:
        """The selector's line in the inclusion notice.

        Args:
            provider: The provider's name (the overall-latest wording mentions it).

        Returns:
            E.g. "latest version from branch 'main' (abc)".
        """
        s = self.selector
        label = f"version of {s.consumer}" if s.consumer else "version"
        if _overall_latest(s):
            text = f"latest version of {s.consumer or 'a consumer'} that has a pact with {provider}"
        elif s.latest and s.tag is not None:
            text = (
                f"latest {label} tagged '{s.fallback_tag}' (fallback tag used as no pact was "
                f"found with tag '{s.tag}')"
                if s.fallback_tag
                else f"latest {label} tagged '{s.tag}'"
            )
        elif s.main_branch:
            branch = f" '{self.main_branch}'" if self.main_branch else ""
            text = f"latest {label} from the main branch{branch}"
        elif s.latest and s.branch is not None:
            text = f"latest {label} from branch '{s.branch}'"
        elif s.tag is not None:
            text = (
                f"all {s.consumer} versions tagged '{s.tag}'"
                if s.consumer
                else f"all consumer versions tagged '{s.tag}'"
            )
        elif s.deployed or s.released:
            return _environment_lines([self])[0]
        else:
            text = f"{s.consumer or 'a consumer'} version in environment {s.environment}"
        return f"{text} ({self.consumer_version_number})"


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

    @property
    def short_description(self) -> str:
        """The comma-joined short descriptions of the reasons, each said once."""
        seen: list[str] = []
        for reason in self.reasons:
            text = reason.short()
            if text not in seen:
                seen.append(text)
        return ", ".join(seen)


def _sorted_reasons(reasons: Iterable[Reason]) -> list[Reason]:
    return sorted(reasons, key=lambda r: _sort_key(r.selector))


def select(
    selectors: Sequence[Selector],
    candidates: Sequence[Candidate],
    consumers: dict[int, ConsumerFacts],
) -> list[tuple[Candidate, Reason]]:
    """Apply explicit selectors (after :func:`normalise`) to the candidate pacts.

    A selector with a ``fallbackTag`` falls back to the latest pact for that tag only when no
    pact at all was selected as the latest for its ``tag`` (by any selector, for any consumer).

    Args:
        selectors: Normalised selectors.
        candidates: The provider's current pacts, one per consumer version.
        consumers: Facts about each consumer, by id.

    Returns:
        (pact, reason) for every selection, in selector order.
    """
    by_version = {c.consumer_version_id: c for c in candidates}
    chosen: list[tuple[Candidate, Reason]] = []

    def choose(selector: Selector, resolved: Selector) -> None:
        for consumer in consumers.values():
            if selector.consumer is not None and consumer.name != selector.consumer:
                continue
            for version_id, environment in _versions_for(selector, consumer, candidates):
                candidate = by_version.get(version_id)
                if candidate is None:
                    continue
                reason_selector = resolved
                if environment is not None:
                    reason_selector = replace(resolved, environment=environment)
                reason = Reason(
                    reason_selector,
                    candidate.consumer_version_number,
                    consumer.name,
                    consumer.main_branch,
                )
                chosen.append((candidate, reason))

    for selector in selectors:
        # A pact found by the selector itself is not "found by the fallback".
        choose(selector, replace(selector, fallback_tag=None, fallback_branch=None))
    direct = list(chosen)
    for selector in selectors:
        if selector.fallback_tag is None or selector.tag is None:
            continue
        if any(r.selector.latest and r.selector.tag == selector.tag for _, r in direct):
            continue
        fallback = Selector(tag=selector.fallback_tag, latest=True, consumer=selector.consumer)
        for consumer in consumers.values():
            if selector.consumer is not None and consumer.name != selector.consumer:
                continue
            for version_id, _ in _versions_for(fallback, consumer, candidates):
                candidate = by_version.get(version_id)
                if candidate is not None:
                    reason = Reason(selector, candidate.consumer_version_number, consumer.name)
                    chosen.append((candidate, reason))
    return chosen


def _versions_for(
    selector: Selector, consumer: ConsumerFacts, candidates: Sequence[Candidate]
) -> list[tuple[int, str | None]]:
    """The consumer versions a selector picks, each with the environment it was found in."""
    if selector.main_branch:
        head = consumer.branch_heads.get(consumer.main_branch) if consumer.main_branch else None
        return [(head, None)] if head is not None else []
    if selector.matching_branch and selector.branch is None:
        # Without a provider branch there is nothing to match (validation forbids it anyway).
        return []
    if selector.branch is not None:
        head = consumer.branch_heads.get(selector.branch)
        return [(head, None)] if head is not None else []
    if selector.tag is not None:
        if selector.latest:
            latest = consumer.latest_by_tag.get(selector.tag)
            return [(latest, None)] if latest is not None else []
        return [(v, None) for v in sorted(consumer.tagged.get(selector.tag, frozenset()))]
    if selector.deployed:
        return _in_environments(consumer.deployed, selector.environment)
    if selector.released:
        return _in_environments(consumer.released, selector.environment)
    if selector.latest:
        own = [c.consumer_version_id for c in candidates if c.consumer_id == consumer.consumer_id]
        return [(max(own), None)] if own else []
    return []


def _in_environments(
    by_env: dict[str, frozenset[int]], environment: str | None
) -> list[tuple[int, str | None]]:
    return [
        (version_id, env)
        for env in sorted(by_env)
        if environment is None or env == environment
        for version_id in sorted(by_env[env])
    ]


def default_selectors(
    consumers: dict[int, ConsumerFacts], candidates: Sequence[Candidate]
) -> list[Selector]:
    """Selectors used when the request has none.

    Per consumer: its main branch if that branch has a version, else the latest version tagged
    with the main branch's name if there is one, else the overall latest; then every deployed
    and every released version.

    Args:
        consumers: Facts about each consumer integrated with the provider, by id.
        candidates: The provider's current pacts.

    Returns:
        The default selectors, not yet normalised.
    """
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


def _entry_order(entry: VerifiablePact) -> tuple[str, str, int]:
    name = entry.candidate.consumer_name
    return (name.lower(), name, entry.candidate.consumer_version_id)


def squash(chosen: Iterable[tuple[Candidate, Reason]]) -> list[VerifiablePact]:
    """Merge selections of the same content per consumer: one verification covers them all.

    Args:
        chosen: The output of :func:`select`.

    Returns:
        One entry per (consumer, content) with the pact of the newest consumer version and the
        union of the reasons, sorted by consumer name, then consumer version order.
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
    for entry in groups.values():
        entry.reasons = _sorted_reasons(entry.reasons)
    return sorted(groups.values(), key=_entry_order)


def _verified_on(
    facts: ProviderFacts,
    pact_version_id: int,
    *,
    branch: str | None = None,
    tag: str | None = None,
    include_wip: bool = True,
    since: datetime | None = None,
) -> bool:
    """Whether a successful verification exists on the branch (or tag), or on *another*
    branch (tag) before that one was created, so a new feature branch inherits what main had
    already verified. A branch (tag) not created yet inherits from every other one.

    Args:
        facts: The provider's verifications.
        pact_version_id: The pact content.
        branch: The provider branch to check; else ``tag`` is checked.
        tag: The provider tag to check.
        include_wip: False to ignore verifications of WIP pacts.
        since: Ignore verifications older than this.
    """
    if branch is not None:
        started = facts.branch_created_at.get(branch)
    else:
        started = facts.tag_first_used_at.get(tag or "")
    for fact in facts.successes.get(pact_version_id, []):
        if (not include_wip and fact.wip) or (since is not None and fact.created_at < since):
            continue
        labels = fact.provider_branches if branch is not None else fact.provider_tags
        name = branch if branch is not None else tag
        if name in labels:
            return True
        # Only a version on some other branch (tag) counts: one on none is not inherited.
        if labels - {name} and (started is None or fact.created_at < started):
            return True
    return False


def pending_provider_tags(
    facts: ProviderFacts, pact_version_id: int, provider_tags: Sequence[str]
) -> list[str]:
    """The provider tags for which a pact content is pending.

    Args:
        facts: The provider's successful verifications.
        pact_version_id: The pact content.
        provider_tags: The request's ``providerVersionTags``.

    Returns:
        The tags without a successful verification by a version with that tag (or by a version
        with another tag before that tag was first used).
    """
    return [t for t in provider_tags if not _verified_on(facts, pact_version_id, tag=t)]


def is_pending(
    facts: ProviderFacts,
    pact_version_id: int,
    *,
    provider_branch: str | None,
    provider_tags: Sequence[str],
) -> bool:
    """Pending: the provider (on this branch, or these tags) has never verified this content.

    Args:
        facts: The provider's successful verifications (WIP ones included: they count).
        pact_version_id: The pact content.
        provider_branch: The request's ``providerVersionBranch``; takes precedence over tags.
        provider_tags: The request's ``providerVersionTags``.

    Returns:
        With a branch: no success on it (nor on another branch before it was created). With
        tags: some tag is pending. With neither: no success by any provider version at all.
    """
    if provider_branch:
        return not _verified_on(facts, pact_version_id, branch=provider_branch)
    if provider_tags:
        return bool(pending_provider_tags(facts, pact_version_id, provider_tags))
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
    now: datetime | None = None,
) -> list[VerifiablePact]:
    """Work-in-progress pacts: recent branch-head or latest-tagged pacts not yet verified.

    A candidate is the pact of a consumer branch head or of a consumer tag's latest version,
    published after ``since``. It is dropped when a non-WIP successful verification from the
    provider branch (or from another branch before it was created) exists within the
    look-back window, or, with tags instead of a branch, when every provider tag has one; and
    when the explicit selectors already returned that content.

    Args:
        since: ``includeWipPactsSince``.
        candidates: The provider's current pacts.
        consumers: Facts about each consumer, by id.
        facts: The provider's successful verifications.
        provider_branch: ``providerVersionBranch``; without it and without tags, no WIP.
        provider_tags: ``providerVersionTags``, used when there is no branch.
        already: The entries the explicit selectors returned.
        now: The current time, for the branch verification look-back (default: now).

    Returns:
        Pending WIP entries, one per (consumer, content), sorted like :func:`squash`'s.
    """
    if not provider_branch and not provider_tags:
        return []
    taken = {(e.candidate.consumer_id, e.candidate.sha) for e in already}
    heads: dict[int, list[Selector]] = {}
    for consumer in consumers.values():
        for branch, version_id in sorted(consumer.branch_heads.items()):
            heads.setdefault(version_id, []).append(Selector(branch=branch, latest=True))
        for tag, version_id in sorted(consumer.latest_by_tag.items()):
            heads.setdefault(version_id, []).append(Selector(tag=tag, latest=True))
    cutoff = (now if now is not None else datetime.now(UTC)) - WIP_VERIFICATION_LOOKBACK
    result: dict[tuple[int, str], VerifiablePact] = {}
    for candidate in sorted(candidates, key=lambda c: c.consumer_version_id):
        selectors = heads.get(candidate.consumer_version_id)
        if not selectors or candidate.created_at <= since:
            continue
        key = (candidate.consumer_id, candidate.sha)
        if key in taken:
            continue
        pending_tags: list[str] = []
        if provider_branch:
            if _verified_on(
                facts,
                candidate.pact_version_id,
                branch=provider_branch,
                include_wip=False,
                since=cutoff,
            ):
                continue
        else:
            pending_tags = [
                t
                for t in provider_tags
                if not _verified_on(facts, candidate.pact_version_id, tag=t, include_wip=False)
            ]
            if not pending_tags:
                continue
        reasons = [
            Reason(s, candidate.consumer_version_number, candidate.consumer_name) for s in selectors
        ]
        entry = result.get(key)
        if entry is None:
            result[key] = VerifiablePact(
                candidate,
                reasons,
                pending=True,
                wip=True,
                provider_branch=provider_branch or None,
                pending_provider_tags=pending_tags,
            )
            continue
        # Same content at several heads: one entry, the newest version, every reason.
        entry.candidate = candidate
        entry.reasons.extend(r for r in reasons if r not in entry.reasons)
        entry.pending_provider_tags.extend(
            t for t in pending_tags if t not in entry.pending_provider_tags
        )
    for entry in result.values():
        entry.reasons = _sorted_reasons(entry.reasons)
    return sorted(result.values(), key=_entry_order)


# --- notices ---------------------------------------------------------------------------------


def _join(words: Sequence[str], *, quote: bool = True) -> str:
    """ "'a', 'b' and 'c'" (the broker's ``join``/``join_unquoted``)."""
    items = [f"'{w}'" for w in words] if quote else list(words)
    if len(items) <= 2:
        return " and ".join(items)
    return f"{', '.join(items[:-2])}, {' and '.join(items[-2:])}"


def _environment_lines(reasons: Sequence[Reason]) -> list[str]:
    """Deployed (or released) reasons of one kind, one line per selector consumer."""
    by_consumer: dict[str | None, list[Reason]] = {}
    for reason in reasons:
        by_consumer.setdefault(reason.selector.consumer, []).append(reason)
    lines = []
    for consumer, group in by_consumer.items():
        who = f"version(s) of {consumer}" if consumer else "consumer version(s)"
        how = "currently deployed to" if group[0].selector.deployed else "released and supported in"
        where = _join(
            [f"{r.selector.environment} ({r.consumer_version_number})" for r in group],
            quote=False,
        )
        lines.append(f"{who} {how} {where}")
    return lines


def _kind(s: Selector) -> str:
    if s.deployed:
        return "deployed"
    if s.released:
        return "released"
    return repr(_sort_key(s)[0])


def _provider_scope(
    provider: str, branch: str | None, tags: Sequence[str], article: str = "any"
) -> str:
    """ "a version of P from branch 'B'", "any version of P with tag 'T'", or just "P"."""
    if branch:
        return f"{article} version of {provider} from branch '{branch}'"
    if not tags:
        return provider
    if len(tags) == 1:
        return f"{article} version of {provider} with tag '{tags[0]}'"
    return f"{article} versions of {provider} with tag {_join(tags)}"


def inclusion_notice(entry: VerifiablePact, url: str, provider: str = "the provider") -> str:
    """The notice saying why the pact is in the list.

    Args:
        entry: The entry.
        url: The pact's URL.
        provider: The provider's name.

    Returns:
        The selectors that matched the content or, for WIP, the heads it is the pact of.
    """
    if entry.wip:
        branches = [r.selector.branch for r in entry.reasons if r.selector.branch is not None]
        tags = [
            r.selector.tag
            for r in entry.reasons
            if r.selector.tag is not None and r.selector.branch is None
        ]
        version = "version" if len(tags) == 1 or len(branches) == 1 else "versions"
        parts = []
        if branches:
            parts.append(f"from {'branch' if len(branches) == 1 else 'branches'} {_join(branches)}")
        if tags:
            parts.append(f"tagged with {_join(tags)}")
        same = {1: "", 2: " (both have the same content)"}.get(
            len(entry.reasons), " (all have the same content)"
        )
        scope = _provider_scope(
            provider, entry.provider_branch, entry.pending_provider_tags, article="a"
        )
        return (
            f"The pact at {url} is being verified because it is a 'work in progress' pact (ie. "
            f"it is the pact for the latest {version} of {entry.candidate.consumer_name} "
            f"{' and '.join(parts)}{same} and it has not yet been successfully verified by "
            f"{scope} when the pact's application version was explicitly specified in the "
            f"consumer version selectors). Read more at {WIP_DOCS}"
        )
    by_kind: dict[str, list[Reason]] = {}
    for reason in _sorted_reasons(entry.reasons):
        by_kind.setdefault(_kind(reason.selector), []).append(reason)
    lines: list[str] = []
    for kind, group in by_kind.items():
        if kind in ("deployed", "released"):
            lines.extend(_environment_lines(group))
        else:
            lines.extend(r.long(provider) for r in group)
    several = len(entry.reasons) > 1
    versions = "the consumer versions" if several else "the consumer version"
    criteria = "criteria" if several else "criterion"
    bullets = "\n".join(f"    * {line}" for line in lines)
    return (
        f"The pact at {url} is being verified because the pact content belongs to {versions} "
        f"matching the following {criteria}:\n{bullets}"
    )


def pending_notice(entry: VerifiablePact, provider: str, provider_branch: str | None) -> str:
    """The notice explaining the pending state, when pending status was requested.

    Args:
        entry: The entry (its pending provider tags are used when there is no branch).
        provider: The provider's name.
        provider_branch: The request's ``providerVersionBranch``.

    Returns:
        Why failures will or will not fail the build.
    """
    branch = provider_branch or entry.provider_branch
    if entry.pending and entry.wip:
        return (
            f"This pact is in pending state for this version of {provider} because it was "
            "included as a 'work in progress' pact. If this verification fails, it will not "
            f"cause the overall build to fail. Read more at {PENDING_DOCS}"
        )
    if entry.pending:
        scope = _provider_scope(provider, branch, entry.pending_provider_tags, article="a")
        return (
            f"This pact is in pending state for this version of {provider} because a successful "
            f"verification result for {scope} has not yet been published. If this verification "
            f"fails, it will not cause the overall build to fail. Read more at {PENDING_DOCS}"
        )
    scope = _provider_scope(provider, branch, entry.non_pending_provider_tags, article="a")
    return (
        f"This pact has previously been successfully verified by {scope}. If this verification "
        f"fails, it will fail the build. Read more at {PENDING_DOCS}"
    )


def after_verification_notices(
    provider: str, provider_branch: str | None = None, pending_tags: Sequence[str] = ()
) -> dict[str, str]:
    """Notices the verifier prints after a pending pact's verification, keyed by outcome.

    Args:
        provider: The provider's name.
        provider_branch: The request's ``providerVersionBranch``.
        pending_tags: The entry's pending provider tags (used when there is no branch).

    Returns:
        ``after_verification:success_<bool>_published_<bool>`` → text.
    """
    scope = _provider_scope(provider, provider_branch, pending_tags)
    these = {0: "", 1: "with this tag "}.get(
        0 if provider_branch else len(pending_tags), "with these tags "
    )
    still = (
        f"This pact is still in pending state for {scope} as a successful verification result "
        f"{these}has not yet been published"
    )
    return {
        "after_verification:success_true_published_false": (
            f"This pact is still in pending state for {scope} as the successful verification "
            f"results {these}have not yet been published."
        ),
        "after_verification:success_false_published_false": still,
        "after_verification:success_true_published_true": (
            f"This pact is no longer in pending state for {scope}, as a successful verification "
            f"result {these}has been published. If a verification for a version of {provider} "
            f"{these}fails in the future, it will fail the build. Read more at {PENDING_DOCS}"
        ),
        "after_verification:success_false_published_true": still,
    }
