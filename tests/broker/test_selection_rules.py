"""The pacts-for-verification rules of ``reference/broker-api.md`` §5, one test per rule.

Pure tests of :mod:`broker.selection`: no database, no HTTP. Consumer version ids stand for
creation order; pact contents are named by their SHA.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

import pytest

from pact_pipeline.broker.api.representations.notices import (
    long_reason,
    short_description,
    short_reason,
)
from pact_pipeline.broker.selection import (
    Candidate,
    ConsumerFacts,
    ProviderFacts,
    Reason,
    Selector,
    VerificationFact,
    apply_selectors,
    default_selectors,
    normalise,
    squash,
)

FOO, BAZ = 1, 2
NAMES = {FOO: "Foo", BAZ: "Baz"}
T0 = datetime(2024, 6, 1, tzinfo=UTC)
URL = "http://broker/pacts/provider/Bar/consumer/Foo/pact-version/abc"
_content_ids: dict[str, int] = {}


def day(n: float) -> datetime:
    """``n`` days after the start of every scenario."""
    return T0 + timedelta(days=n)


# --- builders ----------------------------------------------------------------------------------


def pact(
    version_id: int,
    *,
    consumer: int = FOO,
    sha: str | None = None,
    created: float = 0,
    number: str | None = None,
) -> Candidate:
    """Consumer version ``version_id``'s current pact; content ``sha`` (default: its own)."""
    content = sha or f"sha-{version_id}"
    return Candidate(
        consumer_id=consumer,
        consumer_name=NAMES[consumer],
        consumer_version_id=version_id,
        consumer_version_number=number or str(version_id),
        pact_version_id=_content_ids.setdefault(content, len(_content_ids) + 1),
        sha=content,
        created_at=day(created),
    )


def consumer_facts(
    consumer: int = FOO,
    *,
    main_branch: str | None = None,
    branches: Mapping[str, int] | None = None,
    tags: Mapping[str, Iterable[int]] | None = None,
    deployed: Mapping[str, Iterable[int]] | None = None,
    released: Mapping[str, Iterable[int]] | None = None,
) -> ConsumerFacts:
    """Branch heads, tagged versions and environments of a consumer, by version id."""
    tagged = {tag: frozenset(ids) for tag, ids in (tags or {}).items()}
    return ConsumerFacts(
        consumer_id=consumer,
        name=NAMES[consumer],
        main_branch=main_branch,
        branch_heads=dict(branches or {}),
        latest_by_tag={tag: max(ids) for tag, ids in tagged.items()},
        tagged=tagged,
        deployed={env: frozenset(ids) for env, ids in (deployed or {}).items()},
        released={env: frozenset(ids) for env, ids in (released or {}).items()},
    )


def facts_of(*consumers: ConsumerFacts) -> dict[int, ConsumerFacts]:
    return {c.consumer_id: c for c in consumers}


def success(
    on: Candidate,
    *,
    at: float,
    branches: Iterable[str] = (),
    tags: Iterable[str] = (),
    wip: bool = False,
) -> VerificationFact:
    """A successful verification of ``on``'s content by a provider version."""
    return VerificationFact(
        on.pact_version_id, day(at), frozenset(branches), frozenset(tags), wip=wip
    )


def provider(
    *successes: VerificationFact,
    branches: Mapping[str, float] | None = None,
    tags: Mapping[str, float] | None = None,
) -> ProviderFacts:
    """Bar: its successful verifications, when its branches were created and tags first used."""
    by_content: dict[int, list[VerificationFact]] = {}
    for fact in successes:
        by_content.setdefault(fact.pact_version_id, []).append(fact)
    return ProviderFacts(
        name="Bar",
        branch_created_at={name: day(n) for name, n in (branches or {}).items()},
        tag_first_used_at={name: day(n) for name, n in (tags or {}).items()},
        successes=by_content,
    )


def selected(
    selectors: Sequence[Selector],
    candidates: Sequence[Candidate],
    consumers: dict[int, ConsumerFacts],
    *,
    provider_branch: str | None = None,
) -> list[tuple[str, str]]:
    """(consumer version, short reason) of each selection, after normalisation."""
    chosen = apply_selectors(normalise(selectors, provider_branch), candidates, consumers)
    return [(c.consumer_version_number, short_reason(r)) for c, r in chosen]


# --- normalisation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param(
            Selector(branch="feat"),
            [Selector(branch="feat", latest=True)],
            id="branch-implies-latest",
        ),
        pytest.param(
            Selector(main_branch=True),
            [Selector(main_branch=True, latest=True)],
            id="main-branch-implies-latest",
        ),
        pytest.param(
            Selector(matching_branch=True, consumer="Foo"),
            [Selector(matching_branch=True, branch="feat", latest=True, consumer="Foo")],
            id="matching-branch-takes-provider-branch",
        ),
        pytest.param(
            Selector(deployed_or_released=True, environment="prod", consumer="Foo"),
            [
                Selector(deployed=True, environment="prod", consumer="Foo"),
                Selector(released=True, environment="prod", consumer="Foo"),
            ],
            id="deployed-or-released-splits",
        ),
        pytest.param(
            Selector(environment="prod"),
            [
                Selector(deployed=True, environment="prod"),
                Selector(released=True, environment="prod"),
            ],
            id="environment-only-means-deployed-or-released",
        ),
        pytest.param(Selector(tag="prod"), [Selector(tag="prod")], id="tag-keeps-latest-unset"),
        pytest.param(Selector(deployed=True), [Selector(deployed=True)], id="deployed-unchanged"),
    ],
)
def test_normalise(given: Selector, expected: list[Selector]) -> None:
    assert normalise([given], "feat") == expected


# --- §5.1 explicit selectors --------------------------------------------------------------------

# Foo: 1 and 2 on main (2 is the head), 3 heads feat and is tagged dev, 4 is tagged prod but
# has no pact with Bar, 5 is the newest version with a pact (no branch). 1 is deployed to prod,
# 2 to test and released in app-store.
FOO_PACTS = [pact(1), pact(2), pact(3), pact(5)]
FOO_FACTS = consumer_facts(
    main_branch="main",
    branches={"main": 2, "feat": 3},
    tags={"dev": [3], "prod": [1, 4], "old": [1, 2]},
    deployed={"prod": [1], "test": [2]},
    released={"app-store": [2]},
)
BAZ_PACTS = [pact(11, consumer=BAZ)]
BAZ_FACTS = consumer_facts(BAZ, branches={"main": 11}, tags={"prod": [11]}, deployed={"prod": [11]})
ALL_PACTS = FOO_PACTS + BAZ_PACTS
BOTH = facts_of(FOO_FACTS, BAZ_FACTS)


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        pytest.param(
            Selector(main_branch=True),
            [("2", "latest from main branch")],
            id="main-branch-head-of-consumer-main-branch",
        ),
        pytest.param(Selector(branch="feat"), [("3", "latest from branch feat")], id="branch-head"),
        pytest.param(
            Selector(branch="main"),
            [("2", "latest from branch main"), ("11", "latest from branch main")],
            id="branch-head-of-every-consumer",
        ),
        pytest.param(Selector(branch="nope"), [], id="unknown-branch-selects-nothing"),
        pytest.param(
            Selector(matching_branch=True),
            [("3", "latest from branch feat")],
            id="matching-branch-is-provider-branch",
        ),
        pytest.param(
            Selector(tag="dev", latest=True), [("3", "latest with tag dev")], id="latest-tagged"
        ),
        pytest.param(
            Selector(tag="prod", latest=True, consumer="Foo"),
            [],
            id="latest-tagged-without-pact-selects-nothing-no-older-fallback",
        ),
        pytest.param(
            Selector(tag="old"), [("1", "one of old"), ("2", "one of old")], id="all-tagged"
        ),
        pytest.param(
            Selector(tag="old", consumer="Foo"),
            [("1", "one of Foo old"), ("2", "one of Foo old")],
            id="all-tagged-for-a-consumer",
        ),
        pytest.param(
            Selector(latest=True, consumer="Foo"),
            [("5", "latest")],
            id="overall-latest-is-newest-version-with-a-pact",
        ),
        pytest.param(
            Selector(deployed=True, environment="prod"),
            [("1", "deployed to prod"), ("11", "deployed to prod")],
            id="deployed-to-environment",
        ),
        pytest.param(
            Selector(deployed=True, consumer="Foo"),
            [("1", "deployed to prod"), ("2", "deployed to test")],
            id="deployed-anywhere-names-the-environment",
        ),
        pytest.param(
            Selector(released=True),
            [("2", "released in app-store")],
            id="released-and-supported",
        ),
        pytest.param(
            Selector(deployed_or_released=True, consumer="Foo"),
            [("1", "deployed to prod"), ("2", "deployed to test"), ("2", "released in app-store")],
            id="deployed-or-released-is-both",
        ),
        pytest.param(
            Selector(environment="app-store"),
            [("2", "released in app-store")],
            id="environment-only-deployed-or-released-there",
        ),
        pytest.param(
            Selector(environment="test"),
            [("2", "deployed to test")],
            id="environment-only-deployed",
        ),
        pytest.param(
            Selector(branch="main", consumer="Baz"),
            [("11", "latest from branch main")],
            id="consumer-filter",
        ),
    ],
)
def test_explicit_selector(selector: Selector, expected: list[tuple[str, str]]) -> None:
    assert selected([selector], ALL_PACTS, BOTH, provider_branch="feat") == expected


def test_main_branch_head_without_pact_selects_nothing() -> None:
    """No fallback to an older main-branch version that has a pact."""
    facts = consumer_facts(main_branch="main", branches={"main": 4})
    assert selected([Selector(main_branch=True)], [pact(1), pact(2)], facts_of(facts)) == []


def test_branch_head_without_pact_selects_nothing() -> None:
    facts = consumer_facts(branches={"feat": 4})
    assert selected([Selector(branch="feat")], [pact(3)], facts_of(facts)) == []


def test_matching_branch_without_provider_branch_selects_nothing() -> None:
    """Validation forbids it; the selector must not turn into "overall latest" either."""
    assert selected([Selector(matching_branch=True)], FOO_PACTS, facts_of(FOO_FACTS)) == []


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        pytest.param("dev", [("3", "latest with tag dev")], id="tag-found-fallback-unused"),
        pytest.param("nope", [("1", "latest with tag old2")], id="nothing-for-tag-uses-fallback"),
    ],
)
def test_fallback_tag_used_only_when_nothing_selected(
    tag: str, expected: list[tuple[str, str]]
) -> None:
    facts = consumer_facts(tags={"dev": [3], "old2": [1]})
    chosen = selected(
        [Selector(tag=tag, latest=True, fallback_tag="old2")], [pact(1), pact(3)], facts_of(facts)
    )
    assert chosen == expected


def test_fallback_tag_not_used_when_another_consumer_has_the_tag() -> None:
    """ "No pact at all was selected for the tag": one consumer's pact is enough."""
    foo = consumer_facts(tags={"old2": [1]})
    baz = consumer_facts(BAZ, tags={"dev": [11]})
    chosen = selected(
        [Selector(tag="dev", latest=True, fallback_tag="old2")],
        [pact(1), pact(11, consumer=BAZ)],
        facts_of(foo, baz),
    )
    assert chosen == [("11", "latest with tag dev")]


def test_fallback_tag_respects_the_consumer_filter() -> None:
    foo = consumer_facts(tags={"old2": [1]})
    baz = consumer_facts(BAZ, tags={"old2": [11]})
    chosen = selected(
        [Selector(tag="dev", latest=True, fallback_tag="old2", consumer="Baz")],
        [pact(1), pact(11, consumer=BAZ)],
        facts_of(foo, baz),
    )
    assert chosen == [("11", "latest with tag old2")]


def test_fallback_tag_reason_says_the_fallback_was_used() -> None:
    facts = consumer_facts(tags={"old2": [1]})
    ((_, reason),) = apply_selectors(
        normalise([Selector(tag="dev", latest=True, fallback_tag="old2")], None),
        [pact(1)],
        facts_of(facts),
    )
    assert long_reason(reason) == (
        "latest version tagged 'old2' (fallback tag used as no pact was found with tag 'dev') (1)"
    )


# --- §5.2 default selectors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "candidates", "expected"),
    [
        pytest.param(
            consumer_facts(main_branch="main", branches={"main": 1}, tags={"main": [2]}),
            [pact(1)],
            [Selector(main_branch=True, latest=True, consumer="Foo")],
            id="main-branch-with-a-version",
        ),
        pytest.param(
            consumer_facts(main_branch="main", tags={"main": [2]}),
            [pact(1)],
            [Selector(tag="main", latest=True, consumer="Foo")],
            id="else-tag-named-like-main-branch",
        ),
        pytest.param(
            consumer_facts(main_branch="main", branches={"feat": 1}),
            [pact(1)],
            [Selector(latest=True, consumer="Foo")],
            id="else-overall-latest",
        ),
        pytest.param(consumer_facts(), [], [], id="consumer-without-pacts"),
    ],
)
def test_default_selectors(
    facts: ConsumerFacts, candidates: list[Candidate], expected: list[Selector]
) -> None:
    assert default_selectors(facts_of(facts), candidates) == [
        *expected,
        Selector(deployed=True),
        Selector(released=True),
    ]


def test_default_main_branch_head_without_pact_does_not_fall_back_to_latest() -> None:
    facts = facts_of(consumer_facts(main_branch="main", branches={"main": 4}))
    defaults = default_selectors(facts, [pact(1)])
    assert selected(defaults, [pact(1)], facts) == []


# --- §5.3 merge -----------------------------------------------------------------------------------


def test_same_content_is_one_entry_with_the_newest_version_and_every_reason() -> None:
    candidates = [pact(1, sha="same"), pact(2, sha="same")]
    facts = facts_of(consumer_facts(branches={"main": 2}, deployed={"production": [1]}))
    entries = squash(
        apply_selectors(
            normalise([Selector(deployed=True), Selector(branch="main")], None), candidates, facts
        )
    )
    (entry,) = entries
    assert entry.candidate.consumer_version_number == "2"
    assert short_description(entry) == "latest from branch main, deployed to production"
    assert [r.consumer_version_number for r in entry.reasons] == ["2", "1"]


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        pytest.param(
            [pact(1, sha="a"), pact(2, sha="b")],
            [("Foo", "1"), ("Foo", "2")],
            id="different-content",
        ),
        pytest.param(
            [pact(11, consumer=BAZ, sha="a"), pact(1, sha="a")],
            [("Baz", "11"), ("Foo", "1")],
            id="same-content-different-consumers-stay-apart",
        ),
    ],
)
def test_different_content_or_consumer_stays_apart(
    candidates: list[Candidate], expected: list[tuple[str, str]]
) -> None:
    reason = Reason(Selector(latest=True), "x", "x")
    entries = squash((c, reason) for c in candidates)
    assert [(e.candidate.consumer_name, e.candidate.consumer_version_number) for e in entries] == (
        expected
    )


def test_entries_sorted_by_consumer_name_then_version_order() -> None:
    names = {FOO: "foo", BAZ: "Bar"}
    candidates = [
        Candidate(cid, names[cid], vid, str(vid), vid, f"s{vid}", T0)
        for cid, vid in [(FOO, 9), (BAZ, 8), (FOO, 3), (BAZ, 1)]
    ]
    reason = Reason(Selector(latest=True), "x", "x")
    entries = squash((c, reason) for c in candidates)
    assert [e.candidate.consumer_version_id for e in entries] == [1, 8, 3, 9]


def test_reasons_follow_the_broker_selector_order() -> None:
    """Overall latest, branch heads, latest tagged, all tagged, deployed, released, the rest."""
    order = [
        Selector(main_branch=True, latest=True),
        Selector(released=True, environment="a"),
        Selector(deployed=True, environment="b"),
        Selector(deployed=True, environment="a"),
        Selector(tag="t"),
        Selector(tag="t", latest=True),
        Selector(branch="z", latest=True),
        Selector(branch="b", latest=True),
        Selector(latest=True),
    ]
    entries = squash((pact(1), Reason(s, "1", "Foo")) for s in order)
    assert short_description(entries[0]) == (
        "latest, latest from branch b, latest from branch z, latest with tag t, one of t, "
        "deployed to a, deployed to b, released in a, latest from main branch"
    )


def test_identical_reasons_are_given_once() -> None:
    reason = Reason(Selector(tag="t", latest=True), "1", "Foo")
    (entry,) = squash([(pact(1), reason), (pact(1), reason)])
    assert entry.reasons == [reason]
