"""Consumer version selectors: normalised, applied to the candidate pacts, defaulted when
none are given, and merged per pact content."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from pact_pipeline.broker.selection.facts import (
    Candidate,
    ConsumerFacts,
    Reason,
    Selector,
    VerifiablePact,
    entry_order,
    sorted_reasons,
)


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
        elif s.branch is not None or s.main_branch or s.each_branch:
            s = replace(s, latest=True)
        if s.deployed_or_released or (s.environment is not None and not (s.deployed or s.released)):
            base = replace(s, deployed_or_released=False)
            result.append(replace(base, deployed=True))
            result.append(replace(base, released=True))
            continue
        result.append(s)
    return result


def apply_selectors(
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
    if selector.each_branch:
        return [(head, None) for head in sorted(set(consumer.branch_heads.values()))]
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


def squash(chosen: Iterable[tuple[Candidate, Reason]]) -> list[VerifiablePact]:
    """Merge selections of the same content per consumer: one verification covers them all.

    Args:
        chosen: The output of :func:`apply_selectors`.

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
        entry.reasons = sorted_reasons(entry.reasons)
    return sorted(groups.values(), key=entry_order)
