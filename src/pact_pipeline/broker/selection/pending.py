"""Pending and work-in-progress pacts: which selected pacts may fail without failing the
provider's build, and which recent pacts to verify although no selector asked for them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from pact_pipeline.broker.selection.facts import (
    Candidate,
    ConsumerFacts,
    ProviderFacts,
    Reason,
    Selector,
    VerifiablePact,
    entry_order,
    sorted_reasons,
)

#: ``PACT_BROKER_VERIFIED_BY_OTHER_BRANCH_LOOKBACK_DAYS``: how far back WIP looks for
#: verifications that take a pact out of the work-in-progress list.
WIP_VERIFICATION_LOOKBACK = timedelta(days=30)


@dataclass(frozen=True)
class VerifiedOn:
    """A question the rules ask of a pact content's successful verifications: is there one by
    a provider version on the branch (tag) ``label``, or on another branch (tag) before
    ``started`` (when the asked one was created; ``None``: not yet, so any time)? Without a
    ``kind``: is there any at all.

    Every answer the rules give depends on these questions only, so the facts they are given
    need one witness per question that has one (not every verification).
    """

    kind: Literal["branch", "tag"] | None
    label: str | None = None
    include_wip: bool = True
    since: datetime | None = None
    started: datetime | None = None


def questions(
    *,
    provider_branch: str | None,
    provider_tags: Sequence[str],
    branch_created_at: dict[str, datetime],
    tag_first_used_at: dict[str, datetime],
    wip_cutoff: datetime | None,
) -> list[VerifiedOn]:
    """The questions :func:`is_pending`, :func:`pending_provider_tags` and :func:`wip_pacts`
    (when ``wip_cutoff``, its look-back start, is given) ask for a request."""
    if provider_branch:
        started = branch_created_at.get(provider_branch)
        asked = [VerifiedOn("branch", provider_branch, started=started)]
        if wip_cutoff is not None:
            asked.append(
                VerifiedOn(
                    "branch", provider_branch, include_wip=False, since=wip_cutoff, started=started
                )
            )
        return asked
    if provider_tags:
        asked = [VerifiedOn("tag", t, started=tag_first_used_at.get(t)) for t in provider_tags]
        if wip_cutoff is not None:
            asked.extend(
                VerifiedOn("tag", t, include_wip=False, started=tag_first_used_at.get(t))
                for t in provider_tags
            )
        return asked
    return [VerifiedOn(None)]


def answer(facts: ProviderFacts, pact_version_id: int, question: VerifiedOn) -> bool:
    """The answer the facts give to a question (see :func:`questions`)."""
    if question.kind is None:
        return bool(facts.successes.get(pact_version_id))
    for fact in facts.successes.get(pact_version_id, []):
        if (not question.include_wip and fact.wip) or (
            question.since is not None and fact.created_at < question.since
        ):
            continue
        labels = fact.provider_branches if question.kind == "branch" else fact.provider_tags
        if question.label in labels:
            return True
        # Only a version on some other branch (tag) counts: one on none is not inherited.
        if labels - {question.label or ""} and (
            question.started is None or fact.created_at < question.started
        ):
            return True
    return False


def wip_cutoff(now: datetime | None = None) -> datetime:
    """Successful verifications older than this do not take a pact out of the WIP list."""
    return (now if now is not None else datetime.now(UTC)) - WIP_VERIFICATION_LOOKBACK


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
        question = VerifiedOn(
            "branch", branch, include_wip, since, facts.branch_created_at.get(branch)
        )
    else:
        question = VerifiedOn(
            "tag", tag or "", include_wip, since, facts.tag_first_used_at.get(tag or "")
        )
    return answer(facts, pact_version_id, question)


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
    heads = _heads(consumers)
    cutoff = wip_cutoff(now)
    result: dict[tuple[int, str], VerifiablePact] = {}
    for candidate in sorted(candidates, key=lambda c: c.consumer_version_id):
        selectors = heads.get(candidate.consumer_version_id)
        if not selectors or candidate.created_at <= since:
            continue
        key = (candidate.consumer_id, candidate.sha)
        if key in taken:
            continue
        pending_tags = _unverified_tags(facts, candidate, provider_branch, provider_tags, cutoff)
        if pending_tags is None:
            continue
        reasons = [
            Reason(s, candidate.consumer_version_number, candidate.consumer_name) for s in selectors
        ]
        _add_wip(result, key, candidate, reasons, provider_branch, pending_tags)
    for entry in result.values():
        entry.reasons = sorted_reasons(entry.reasons)
    return sorted(result.values(), key=entry_order)


def _heads(consumers: dict[int, ConsumerFacts]) -> dict[int, list[Selector]]:
    """The selectors of every branch head and tag's latest version, by consumer version."""
    heads: dict[int, list[Selector]] = {}
    for consumer in consumers.values():
        for branch, version_id in sorted(consumer.branch_heads.items()):
            heads.setdefault(version_id, []).append(Selector(branch=branch, latest=True))
        for tag, version_id in sorted(consumer.latest_by_tag.items()):
            heads.setdefault(version_id, []).append(Selector(tag=tag, latest=True))
    return heads


def _unverified_tags(
    facts: ProviderFacts,
    candidate: Candidate,
    provider_branch: str | None,
    provider_tags: Sequence[str],
    cutoff: datetime,
) -> list[str] | None:
    """None when the candidate is verified (so not WIP); else the provider tags it is pending
    for (none with a provider branch)."""
    if provider_branch:
        verified = _verified_on(
            facts,
            candidate.pact_version_id,
            branch=provider_branch,
            include_wip=False,
            since=cutoff,
        )
        return None if verified else []
    pending_tags = [
        t
        for t in provider_tags
        if not _verified_on(facts, candidate.pact_version_id, tag=t, include_wip=False)
    ]
    return pending_tags or None


def _add_wip(
    result: dict[tuple[int, str], VerifiablePact],
    key: tuple[int, str],
    candidate: Candidate,
    reasons: list[Reason],
    provider_branch: str | None,
    pending_tags: list[str],
) -> None:
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
        return
    # Same content at several heads: one entry, the newest version, every reason.
    entry.candidate = candidate
    entry.reasons.extend(r for r in reasons if r not in entry.reasons)
    entry.pending_provider_tags.extend(
        t for t in pending_tags if t not in entry.pending_provider_tags
    )
