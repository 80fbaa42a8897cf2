"""The pending and work-in-progress rules of ``reference/broker-api.md`` §5.4 and §5.5, one test
per rule.

Pure tests of :mod:`broker.selection` (builders: :mod:`tests.broker.test_selection_rules`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from pact_pipeline.broker.api.representations.notices import (
    WIP_DOCS,
    inclusion_notice,
    short_description,
)
from pact_pipeline.broker.selection import (
    Candidate,
    ConsumerFacts,
    ProviderFacts,
    VerifiablePact,
    is_pending,
    pending_provider_tags,
    wip_pacts,
)
from tests.broker.test_selection_rules import (
    URL,
    consumer_facts,
    day,
    facts_of,
    pact,
    provider,
    success,
)

# --- §5.4 pending ---------------------------------------------------------------------------------

PACT = pact(1)


@pytest.mark.parametrize(
    ("facts", "pending"),
    [
        pytest.param(provider(branches={"main": 0}), True, id="never-verified"),
        pytest.param(
            provider(success(PACT, at=5, branches=["main"]), branches={"main": 0}),
            False,
            id="verified-on-the-branch",
        ),
        pytest.param(
            provider(success(PACT, at=5, branches=["main"], wip=True), branches={"main": 0}),
            False,
            id="wip-verification-counts-for-pending",
        ),
        pytest.param(
            provider(success(PACT, at=5, branches=["dev"]), branches={"main": 10, "dev": 0}),
            False,
            id="other-branch-before-this-branch-was-created",
        ),
        pytest.param(
            provider(success(PACT, at=15, branches=["dev"]), branches={"main": 10, "dev": 0}),
            True,
            id="other-branch-after-this-branch-was-created",
        ),
        pytest.param(
            provider(success(PACT, at=15, branches=["dev"]), branches={"dev": 0}),
            False,
            id="new-branch-not-yet-created-inherits-any-other-branch",
        ),
        pytest.param(
            provider(success(PACT, at=5), branches={"main": 10}),
            True,
            id="verification-by-a-version-on-no-branch-is-not-inherited",
        ),
        pytest.param(
            provider(success(pact(2), at=5, branches=["main"]), branches={"main": 0}),
            True,
            id="verification-of-other-content-does-not-count",
        ),
    ],
)
def test_pending_for_provider_branch(facts: ProviderFacts, pending: bool) -> None:
    assert (
        is_pending(facts, PACT.pact_version_id, provider_branch="main", provider_tags=()) is pending
    )


@pytest.mark.parametrize(
    ("facts", "tags", "pending_tags"),
    [
        pytest.param(provider(tags={"main": 0}), ["main"], ["main"], id="never-verified"),
        pytest.param(
            provider(success(PACT, at=5, tags=["main"]), tags={"main": 0}),
            ["main"],
            [],
            id="verified-with-the-tag",
        ),
        pytest.param(
            provider(success(PACT, at=5, tags=["main"]), tags={"main": 0, "feat": 1}),
            ["main", "feat"],
            ["feat"],
            id="pending-for-the-tag-lacking-a-verification",
        ),
        pytest.param(
            provider(success(PACT, at=5, tags=["dev"]), tags={"main": 10, "dev": 0}),
            ["main"],
            [],
            id="other-tag-before-this-tag-was-first-used",
        ),
        pytest.param(
            provider(success(PACT, at=15, tags=["dev"]), tags={"main": 10, "dev": 0}),
            ["main"],
            ["main"],
            id="other-tag-after-this-tag-was-first-used",
        ),
        pytest.param(
            provider(success(PACT, at=15, tags=["dev"]), tags={"dev": 0}),
            ["main"],
            [],
            id="tag-never-used-inherits-any-other-tag",
        ),
        pytest.param(
            provider(success(PACT, at=5), tags={"main": 10}),
            ["main"],
            ["main"],
            id="untagged-verification-is-not-inherited",
        ),
    ],
)
def test_pending_for_provider_tags(
    facts: ProviderFacts, tags: list[str], pending_tags: list[str]
) -> None:
    assert pending_provider_tags(facts, PACT.pact_version_id, tags) == pending_tags
    pending = is_pending(facts, PACT.pact_version_id, provider_branch=None, provider_tags=tags)
    assert pending is bool(pending_tags)


@pytest.mark.parametrize(
    ("facts", "pending"),
    [
        pytest.param(provider(), True, id="never-verified"),
        pytest.param(provider(success(PACT, at=5)), False, id="any-success-by-any-version"),
    ],
)
def test_pending_without_branch_or_tags(facts: ProviderFacts, pending: bool) -> None:
    assert (
        is_pending(facts, PACT.pact_version_id, provider_branch=None, provider_tags=()) is pending
    )


def test_branch_takes_precedence_over_tags() -> None:
    facts = provider(success(PACT, at=5, tags=["main"]), branches={"main": 0})
    assert is_pending(facts, PACT.pact_version_id, provider_branch="main", provider_tags=["main"])


# --- §5.5 WIP -------------------------------------------------------------------------------------

NOW = day(20)
# Foo 3 heads branch feat, Foo 4 is the latest tagged dev, Foo 2 is neither; all published on
# day 10; WIP pacts are asked for since day 5.
WIP_PACTS = [pact(2, created=10), pact(3, created=10), pact(4, created=10)]
WIP_FACTS = facts_of(consumer_facts(branches={"feat": 3}, tags={"dev": [2, 4]}))


def wip(
    facts: ProviderFacts | None = None,
    *,
    candidates: Sequence[Candidate] = WIP_PACTS,
    consumers: dict[int, ConsumerFacts] = WIP_FACTS,
    since: float = 5,
    branch: str | None = "main",
    tags: Sequence[str] = (),
    already: Sequence[VerifiablePact] = (),
) -> list[VerifiablePact]:
    return wip_pacts(
        since=day(since),
        candidates=candidates,
        consumers=consumers,
        facts=facts or provider(branches={"main": 0}),
        provider_branch=branch,
        provider_tags=tags,
        already=already,
        now=NOW,
    )


def described(entries: Sequence[VerifiablePact]) -> list[tuple[str, str]]:
    return [(e.candidate.consumer_version_number, short_description(e)) for e in entries]


def test_wip_are_recent_branch_heads_and_latest_tagged_pacts() -> None:
    entries = wip()
    assert described(entries) == [("3", "latest from branch feat"), ("4", "latest with tag dev")]
    assert all(e.wip and e.pending for e in entries)
    assert all(e.provider_branch == "main" for e in entries)


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        pytest.param(9, ["3", "4"], id="published-after-since"),
        pytest.param(10, [], id="published-exactly-at-since-is-not-after"),
        pytest.param(11, [], id="published-before-since"),
    ],
)
def test_wip_since_cutoff(since: float, expected: list[str]) -> None:
    assert [e.candidate.consumer_version_number for e in wip(since=since)] == expected


F3 = WIP_PACTS[1]


@pytest.mark.parametrize(
    ("facts", "still_wip"),
    [
        pytest.param(
            provider(success(F3, at=12, branches=["main"]), branches={"main": 0}),
            False,
            id="verified-on-provider-branch",
        ),
        pytest.param(
            provider(success(F3, at=12, branches=["main"], wip=True), branches={"main": 0}),
            True,
            id="wip-verification-does-not-count",
        ),
        pytest.param(
            provider(success(F3, at=-15, branches=["main"]), branches={"main": -20}),
            True,
            id="verification-older-than-look-back-does-not-count",
        ),
        pytest.param(
            provider(success(F3, at=11, branches=["dev"]), branches={"main": 12, "dev": 0}),
            False,
            id="other-branch-before-provider-branch-created",
        ),
        pytest.param(
            provider(success(F3, at=13, branches=["dev"]), branches={"main": 12, "dev": 0}),
            True,
            id="other-branch-after-provider-branch-created",
        ),
        pytest.param(
            provider(success(F3, at=13, branches=["dev"]), branches={"dev": 0}),
            False,
            id="provider-branch-not-created-yet-inherits-other-branches",
        ),
        pytest.param(
            provider(success(F3, at=13, branches=["dev"], wip=True), branches={"dev": 0}),
            True,
            id="inherited-wip-verification-does-not-count",
        ),
    ],
)
def test_wip_excludes_pacts_verified_for_the_provider_branch(
    facts: ProviderFacts, still_wip: bool
) -> None:
    assert ("3" in [e.candidate.consumer_version_number for e in wip(facts)]) is still_wip


def test_wip_excludes_content_the_explicit_selectors_returned() -> None:
    explicit = VerifiablePact(pact(9, sha=F3.sha), [])
    assert [e.candidate.consumer_version_number for e in wip(already=[explicit])] == ["4"]


def test_wip_needs_a_provider_branch_or_tags() -> None:
    assert wip(branch=None) == []


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        pytest.param(["main"], [], id="verified-for-every-tag"),
        pytest.param(["main", "feat"], [["feat"]], id="pending-for-one-tag"),
    ],
)
def test_wip_with_provider_tags(tags: list[str], expected: list[list[str]]) -> None:
    facts = provider(success(F3, at=12, tags=["main"]), tags={"main": 0, "feat": 1})
    entries = wip(facts, branch=None, tags=tags, candidates=[F3])
    assert [e.pending_provider_tags for e in entries] == expected


def test_wip_with_tags_ignores_wip_verifications() -> None:
    facts = provider(success(F3, at=12, tags=["main"], wip=True), tags={"main": 0})
    assert len(wip(facts, branch=None, tags=["main"], candidates=[F3])) == 1


def test_wip_same_content_at_branch_head_and_tag_head_is_one_entry() -> None:
    candidates = [pact(3, sha="s", created=10), pact(4, sha="s", created=10)]
    (entry,) = wip(candidates=candidates)
    assert entry.candidate.consumer_version_number == "4"
    assert short_description(entry) == "latest from branch feat, latest with tag dev"
    assert inclusion_notice(entry, URL, "Bar") == (
        f"The pact at {URL} is being verified because it is a 'work in progress' pact (ie. it "
        "is the pact for the latest version of Foo from branch 'feat' and tagged with 'dev' "
        "(both have the same content) and it has not yet been successfully verified by a "
        "version of Bar from branch 'main' when the pact's application version was explicitly "
        f"specified in the consumer version selectors). Read more at {WIP_DOCS}"
    )
