"""The can-i-deploy rules of ``reference/broker-api.md`` §4, one test per rule.

Pure tests of :mod:`broker.matrix`: no database, no HTTP. Version ids stand for creation
order across all pacticipants (one versions table), so the scenarios pick them to say which
version came first.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace

import pytest

from pact_pipeline.broker.matrix import (
    Integration,
    Publication,
    ResolvedSelector,
    Row,
    VerificationRef,
    build_rows,
)

FOO, BAR, BAZ = 1, 2, 3
NAMES = {FOO: "Foo", BAR: "Bar", BAZ: "Baz"}
_ids = itertools.count(1000)


# --- builders ----------------------------------------------------------------------------------


def selector(
    pacticipant: int,
    version_id: int | None = None,
    number: str | None = None,
    *,
    missing: bool = False,
    specified: bool = True,
    latest: bool = False,
    tag: str | None = None,
    branch: str | None = None,
    main_branch: bool = False,
    environment: str | None = None,
    ignore: bool = False,
    one_of_many: bool = False,
) -> ResolvedSelector:
    """A selector by criteria (latest, tag, branch, environment), resolved or ``missing``."""
    return ResolvedSelector(
        pacticipant_id=pacticipant,
        pacticipant_name=NAMES[pacticipant],
        version_id=version_id,
        version_number=number,
        specified=specified,
        missing=missing,
        latest=latest,
        tag=tag,
        branch=branch,
        main_branch=main_branch,
        environment=environment,
        ignore=ignore,
        one_of_many=one_of_many,
    )


def version(
    pacticipant: int, version_id: int, number: str, *, specified: bool = True
) -> ResolvedSelector:
    """``q[][pacticipant]=X&q[][version]=N`` resolved to an existing version."""
    return replace(
        selector(pacticipant, version_id, number, specified=specified), requested_version=number
    )


def no_such_version(pacticipant: int, number: str, *, ignore: bool = False) -> ResolvedSelector:
    """``q[][pacticipant]=X&q[][version]=N`` where version N does not exist."""
    return replace(selector(pacticipant, missing=True, ignore=ignore), requested_version=number)


def everything(pacticipant: int) -> ResolvedSelector:
    """``q[][pacticipant]=X``: every version of the pacticipant."""
    return ResolvedSelector(pacticipant, NAMES[pacticipant])


def pact(
    consumer_version: int,
    number: str,
    *,
    content: int,
    consumer: int = FOO,
    provider: int = BAR,
) -> Publication:
    """The current pact of a consumer version; ``content`` is its pact version (SHA) id."""
    return Publication(
        id=consumer_version * 100 + provider,
        consumer_id=consumer,
        consumer_name=NAMES[consumer],
        consumer_version_id=consumer_version,
        consumer_version_number=number,
        provider_id=provider,
        provider_name=NAMES[provider],
        pact_version_id=content,
    )


def verified(content: int, provider_version: int, number: str, success: bool) -> VerificationRef:
    """The latest verification of a pact content by one provider version."""
    return VerificationRef(next(_ids), content, provider_version, number, success)


def row(
    publication: Publication, verification: VerificationRef | None = None, *, ignored: bool = False
) -> Row:
    return Row(publication, verification, ignored)


def pairs(rows: Sequence[Row]) -> list[tuple[str, str | None]]:
    """(consumer version, provider version) of each row, to compare with expectations."""
    return [(r.publication.consumer_version_number, r.provider_version_number) for r in rows]


def required(consumer: int, provider: int, *, is_required: bool = True) -> Integration:
    return Integration(consumer, NAMES[consumer], provider, NAMES[provider], is_required)


# --- §4.1 selector resolution: descriptions and missing-version reasons -------------------------


@pytest.mark.parametrize(
    ("resolved", "text"),
    [
        pytest.param(version(FOO, 10, "1.2.3"), "version 1.2.3 of Foo", id="version"),
        pytest.param(
            no_such_version(FOO, "9"),
            "version 9 of Foo (no such version exists)",
            id="version-missing",
        ),
        pytest.param(
            selector(BAR, 20, "4.5.6", latest=True, tag="prod"),
            "the latest version of Bar with tag prod (4.5.6)",
            id="latest-tag",
        ),
        pytest.param(
            selector(BAR, latest=True, tag="prod", missing=True),
            "the latest version of Bar with tag prod (no such version exists)",
            id="latest-tag-missing",
        ),
        pytest.param(
            selector(BAR, 20, "p1", latest=True, branch="main"),
            "the latest version of Bar from branch main (p1)",
            id="latest-branch",
        ),
        pytest.param(
            selector(BAR, latest=True, branch="main", missing=True),
            "the latest version of Bar from branch main (no such version exists)",
            id="latest-branch-missing",
        ),
        pytest.param(
            selector(BAR, 20, "p1", branch="feat"),
            "the version of Bar from branch feat (p1)",
            id="branch-one-version",
        ),
        pytest.param(
            selector(BAR, 20, "p1", branch="feat", one_of_many=True),
            "one of the versions of Bar from branch feat (p1)",
            id="branch-one-of-many",
        ),
        pytest.param(
            selector(BAR, branch="feat", missing=True),
            "a version of Bar from branch feat (no such version exists)",
            id="branch-missing",
        ),
        pytest.param(
            selector(BAR, 20, "p1", main_branch=True, latest=True, branch="main"),
            "the latest version of Bar from branch main (p1)",
            id="main-branch-with-known-name",
        ),
        pytest.param(
            selector(BAR, 20, "p1", main_branch=True),
            "the latest version of Bar from the main branch (p1)",
            id="main-branch-name-unknown",
        ),
        pytest.param(
            selector(BAR, main_branch=True, latest=True, missing=True),
            "the latest version of Bar from the main branch (no versions exist for this branch)",
            id="latest-main-branch-missing",
        ),
        pytest.param(
            selector(BAR, main_branch=True, missing=True),
            "any version of Bar from the main branch (no versions exist for this branch)",
            id="main-branch-missing",
        ),
        pytest.param(
            selector(BAR, 20, "p1", latest=True), "the latest version of Bar (p1)", id="latest"
        ),
        pytest.param(
            selector(BAR, latest=True, missing=True),
            "the latest version of Bar (no such version exists)",
            id="latest-missing",
        ),
        pytest.param(
            selector(BAR, 20, "p1", tag="prod"),
            "a version of Bar with tag prod (p1)",
            id="tag-without-latest",
        ),
        pytest.param(
            selector(BAR, tag="prod", missing=True),
            "a version of Bar with tag prod (no such version exists)",
            id="tag-without-latest-missing",
        ),
        pytest.param(
            selector(BAR, 20, "p1", environment="prod"),
            "the version of Bar currently in prod (p1)",
            id="environment-one-version",
        ),
        pytest.param(
            selector(BAR, 20, "p1", environment="prod", one_of_many=True),
            "one of the versions of Bar currently in prod (p1)",
            id="environment-one-of-many",
        ),
        pytest.param(
            selector(BAR, environment="production", missing=True),
            "a version of Bar currently in production (no version is currently recorded as "
            "deployed/released in this environment)",
            id="environment-missing",
        ),
        pytest.param(everything(FOO), "any version of Foo", id="pacticipant-only"),
    ],
)
def test_selector_description(resolved: ResolvedSelector, text: str) -> None:
    assert resolved.description() == text


@pytest.mark.parametrize(
    ("resolved", "text"),
    [
        pytest.param(
            no_such_version(FOO, "9"),
            "No pacts or verifications have been published for version 9 of Foo",
            id="version",
        ),
        pytest.param(
            selector(FOO, latest=True, tag="prod", missing=True),
            "No version with tag prod exists for Foo",
            id="tag",
        ),
        pytest.param(
            selector(FOO, latest=True, branch="feat", missing=True),
            "No version of Foo from branch feat exists",
            id="branch",
        ),
        pytest.param(
            selector(FOO, main_branch=True, missing=True),
            "No version of Foo from the main branch exists",
            id="main-branch",
        ),
        pytest.param(
            selector(FOO, environment="prod", missing=True),
            "No version of Foo is currently recorded as deployed or released in environment prod",
            id="environment",
        ),
        pytest.param(
            selector(FOO, latest=True, missing=True),
            "No pacts or verifications have been published for Foo",
            id="latest",
        ),
    ],
)
def test_missing_version_reason(resolved: ResolvedSelector, text: str) -> None:
    assert resolved.missing_reason() == text


@pytest.mark.parametrize(
    ("resolved", "version_id", "matches"),
    [
        pytest.param(everything(FOO), 10, True, id="pacticipant-only-matches-any-version"),
        pytest.param(everything(FOO), None, True, id="pacticipant-only-matches-no-version"),
        pytest.param(version(FOO, 10, "1"), 10, True, id="version-matches-itself"),
        pytest.param(version(FOO, 10, "1"), 11, False, id="version-not-another"),
        pytest.param(no_such_version(FOO, "9"), None, False, id="missing-matches-nothing"),
        pytest.param(
            selector(FOO, latest=True, tag="x", missing=True), None, False, id="missing-latest"
        ),
    ],
)
def test_selector_matching(
    resolved: ResolvedSelector, version_id: int | None, matches: bool
) -> None:
    assert resolved.matches(FOO, version_id) is matches
    assert resolved.matches(BAR, version_id) is False


# --- §4 data model and §4.3 rows -------------------------------------------------------------


def test_one_selector_takes_every_verification_of_the_selected_consumer_version() -> None:
    v1 = pact(10, "1", content=1)
    other = pact(11, "2", content=2)
    rows = build_rows(
        [version(FOO, 10, "1")],
        [v1, other],
        [verified(1, 20, "p1", True), verified(1, 21, "p2", False), verified(2, 21, "p2", True)],
    )
    assert sorted(pairs(rows)) == [("1", "p1"), ("1", "p2")]


def test_one_selector_gives_an_unverified_row_for_a_pact_without_verification() -> None:
    rows = build_rows([version(FOO, 10, "1")], [pact(10, "1", content=1)], [])
    assert pairs(rows) == [("1", None)]
    assert rows[0].success is None


def test_one_selector_also_takes_rows_its_provider_version_verified() -> None:
    foo = pact(10, "1", content=1)
    baz = pact(12, "b1", content=2, consumer=BAZ)
    unverified_by_p1 = pact(13, "b2", content=3, consumer=BAZ)
    rows = build_rows(
        [version(BAR, 20, "p1")],
        [foo, baz, unverified_by_p1],
        [verified(1, 20, "p1", True), verified(2, 20, "p1", False), verified(3, 21, "p2", True)],
    )
    assert sorted(pairs(rows)) == [("1", "p1"), ("b1", "p1")]


def test_pre_verified_content_gives_a_new_consumer_version_a_successful_row() -> None:
    """A verification applies to the pact content, so identical content is pre-verified."""
    old, new = pact(10, "1", content=1), pact(11, "2", content=1)
    rows = build_rows([version(FOO, 11, "2")], [old, new], [verified(1, 20, "p1", True)])
    assert pairs(rows) == [("2", "p1")]
    assert rows[0].success is True


@pytest.mark.parametrize(
    ("provider_selector", "expected"),
    [
        pytest.param(
            version(BAR, 20, "p1", specified=False), [("1", "p1")], id="selected-provider-version"
        ),
        pytest.param(
            version(BAR, 22, "p3", specified=False),
            [("1", None)],
            id="unverified-by-selected-provider-version-gives-null-row",
        ),
        pytest.param(everything(BAR), [("1", "p1"), ("1", "p2")], id="pacticipant-only-provider"),
    ],
)
def test_several_selectors_join_only_verifications_by_selected_provider_versions(
    provider_selector: ResolvedSelector, expected: list[tuple[str, str | None]]
) -> None:
    rows = build_rows(
        [version(FOO, 10, "1"), provider_selector],
        [pact(10, "1", content=1)],
        [verified(1, 20, "p1", True), verified(1, 21, "p2", False)],
    )
    assert sorted(pairs(rows), key=str) == expected


def test_several_selectors_skip_providers_that_no_selector_names() -> None:
    rows = build_rows(
        [version(FOO, 10, "1"), version(BAR, 20, "p1", specified=False)],
        [pact(10, "1", content=1), pact(10, "1", content=2, provider=BAZ)],
        [verified(1, 20, "p1", True)],
    )
    assert [r.publication.provider_name for r in rows] == ["Bar"]


def test_several_selectors_keep_only_rows_touching_a_specified_pacticipant() -> None:
    """Foo is specified; Baz and Bar are inferred: the Baz→Bar pact is not Foo's concern."""
    rows = build_rows(
        [
            version(FOO, 10, "1"),
            version(BAR, 20, "p1", specified=False),
            version(BAZ, 30, "b1", specified=False),
        ],
        [pact(10, "1", content=1), pact(30, "b1", content=2, consumer=BAZ)],
        [verified(1, 20, "p1", True), verified(2, 20, "p1", True)],
    )
    assert pairs(rows) == [("1", "p1")]


def test_two_resolved_selectors_of_one_pacticipant_use_the_several_selector_rules() -> None:
    """The switch is on resolved selectors: a tag matching two Foo versions names no provider."""
    rows = build_rows(
        [selector(FOO, 10, "1", tag="prod"), selector(FOO, 11, "2", tag="prod")],
        [pact(10, "1", content=1), pact(11, "2", content=2)],
        [verified(1, 20, "p1", True)],
    )
    assert rows == []


def test_rows_come_most_recent_last_action_first() -> None:
    """Last action = the newer of the consumer and provider versions."""
    v1, v2 = pact(10, "1", content=1), pact(30, "2", content=2)
    rows = build_rows(
        [everything(FOO)],
        [v1, v2],
        [verified(1, 20, "p1", True), verified(1, 40, "p2", True)],
    )
    assert pairs(rows) == [("1", "p2"), ("2", None), ("1", "p1")]
