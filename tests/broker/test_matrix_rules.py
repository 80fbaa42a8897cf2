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
    NO_ENVIRONMENT_WARNING,
    NO_VERSION_WARNING,
    Integration,
    LatestBy,
    Publication,
    ReasonCode,
    ResolvedSelector,
    Row,
    VerificationRef,
    apply_latest_by,
    build_rows,
    filter_success,
    mark_ignored,
    selector_warnings,
    summarize,
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


# --- §4.4 latestby, success[] and ignore ----------------------------------------------------


def _latest_by_scenario() -> list[Row]:
    """Foo 1 (id 10) verified by Bar p1 (20, failed) and p2 (21, ok); Foo 2 (15) by p1 only."""
    v1, v2 = pact(10, "1", content=1), pact(15, "2", content=2)
    return [
        row(v1, verified(1, 20, "p1", False)),
        row(v1, verified(1, 21, "p2", True)),
        row(v2, verified(2, 20, "p1", True)),
    ]


@pytest.mark.parametrize(
    ("latest_by", "expected"),
    [
        pytest.param(None, [("1", "p2"), ("2", "p1"), ("1", "p1")], id="none-keeps-every-row"),
        pytest.param(
            "cvpv", [("1", "p2"), ("2", "p1"), ("1", "p1")], id="cvpv-one-per-provider-version"
        ),
        pytest.param(
            "cvp", [("1", "p2"), ("2", "p1")], id="cvp-newest-provider-version-per-consumer-version"
        ),
        pytest.param("cp", [("1", "p2")], id="cp-newest-provider-version-not-newest-consumer"),
    ],
)
def test_latest_by(latest_by: LatestBy | None, expected: list[tuple[str, str | None]]) -> None:
    assert pairs(apply_latest_by(_latest_by_scenario(), latest_by)) == expected


def test_latest_by_cvpv_collapses_duplicates_of_one_provider_version() -> None:
    v1 = pact(10, "1", content=1)
    older, newer = verified(1, 20, "p1", False), verified(1, 20, "p1", True)
    kept = apply_latest_by([row(v1, older), row(v1, newer)], "cvpv")
    assert [r.verification for r in kept] == [newer]


@pytest.mark.parametrize(
    ("newest_consumer_version", "expected"),
    [
        pytest.param(30, [("2", None)], id="unverified-pact-is-the-last-action-so-kept"),
        pytest.param(
            15, [("1", "p1")], id="verification-is-the-last-action-so-newest-provider-kept"
        ),
    ],
)
def test_latest_by_cp_keeps_a_group_whose_first_row_is_unverified(
    newest_consumer_version: int, expected: list[tuple[str, str | None]]
) -> None:
    """Bar p1 (id 20) verified Foo 1; Foo 2 is published before (15) or after (30) that."""
    rows = [
        row(pact(10, "1", content=1), verified(1, 20, "p1", True)),
        row(pact(newest_consumer_version, "2", content=2)),
    ]
    assert pairs(apply_latest_by(rows, "cp")) == expected


@pytest.mark.parametrize(
    ("success", "expected"),
    [
        pytest.param((), ["ok", "failed", "unverified"], id="no-filter"),
        pytest.param((True,), ["ok"], id="true"),
        pytest.param((False,), ["failed"], id="false"),
        pytest.param((None,), ["unverified"], id="blank-means-unverified"),
        pytest.param((True, None), ["ok", "unverified"], id="several-values"),
    ],
)
def test_success_filter(success: tuple[bool | None, ...], expected: list[str]) -> None:
    rows = [
        row(pact(10, "ok", content=1), verified(1, 20, "p1", True)),
        row(pact(11, "failed", content=2), verified(2, 20, "p1", False)),
        row(pact(12, "unverified", content=3)),
    ]
    assert [
        r.publication.consumer_version_number for r in filter_success(rows, success)
    ] == expected


def test_success_filter_applies_after_latest_by() -> None:
    """cvp keeps Foo 1's newest verification (failed); success[]=true must not resurrect p1."""
    v1 = pact(10, "1", content=1)
    rows = [row(v1, verified(1, 20, "p1", True)), row(v1, verified(1, 21, "p2", False))]
    assert filter_success(apply_latest_by(rows, "cvp"), (True,)) == []


def _ignore_scenario() -> list[Row]:
    return [
        row(pact(10, "1", content=1), verified(1, 20, "p1", False)),
        row(pact(10, "1", content=1), verified(1, 21, "p2", True)),
        row(pact(11, "2", content=2)),
        row(pact(10, "1", content=3, provider=BAZ), verified(3, 30, "b1", True)),
    ]


@pytest.mark.parametrize(
    ("ignores", "expected"),
    [
        pytest.param([], [False, False, False, False], id="no-ignore-selectors"),
        pytest.param(
            [everything(BAR)], [True, True, True, False], id="pacticipant-only-provider-all-rows"
        ),
        pytest.param(
            [version(BAR, 20, "p1")], [True, False, False, False], id="exact-provider-version"
        ),
        pytest.param(
            [version(FOO, 11, "2")], [False, False, True, False], id="exact-consumer-version"
        ),
        pytest.param([everything(FOO)], [True, True, True, True], id="pacticipant-only-consumer"),
    ],
)
def test_ignore_selectors_flag_rows(ignores: list[ResolvedSelector], expected: list[bool]) -> None:
    assert [r.ignored for r in mark_ignored(_ignore_scenario(), ignores)] == expected


# --- §4.5 deployable ----------------------------------------------------------------------------


FOO_1 = version(FOO, 10, "1")
BAR_IN_PROD = selector(BAR, 20, "p1", environment="prod", specified=False)


def test_rule_1_missing_specified_version_is_not_deployable_and_says_only_that() -> None:
    status = summarize(
        [row(pact(10, "1", content=1), verified(1, 20, "p1", False))],
        [no_such_version(FOO, "9"), BAR_IN_PROD],
        [],
    )
    assert status.deployable is False
    assert (
        status.reason_text == "No pacts or verifications have been published for version 9 of Foo"
    )
    assert status.reasons[0].code is ReasonCode.MISSING_VERSION


def test_rule_1_does_not_apply_to_an_ignored_specified_selector() -> None:
    status = summarize([], [no_such_version(FOO, "9", ignore=True)], [])
    assert status.deployable is True


def test_rule_1_does_not_apply_to_an_inferred_missing_selector() -> None:
    """``--to-environment prod`` for a consumer whose provider is not in prod: unknown, not no."""
    bar_not_in_prod = selector(BAR, environment="prod", specified=False, missing=True)
    rows = build_rows(
        [FOO_1, bar_not_in_prod], [pact(10, "1", content=1)], [verified(1, 20, "p1", True)]
    )
    status = summarize(rows, [FOO_1, bar_not_in_prod], [required(FOO, BAR)])
    assert status.deployable is None
    assert status.reason_text == (
        "There is no verified pact between version 1 of Foo and a version of Bar currently in "
        "prod (no version is currently recorded as deployed/released in this environment)"
    )


def test_rule_2_unknown_wins_over_a_failure_in_another_row() -> None:
    rows = [
        row(pact(10, "1", content=1), verified(1, 20, "p1", False)),
        row(pact(10, "1", content=2, provider=BAZ)),
    ]
    status = summarize(rows, [FOO_1, BAR_IN_PROD], [])
    assert status.deployable is None
    assert status.reason_text == (
        "The verification for the pact between version 1 of Foo and the version of Bar currently "
        "in prod (p1) failed\n"
        "There is no verified pact between version 1 of Foo and any version of Baz"
    )
    assert [r.code for r in status.reasons] == [
        ReasonCode.VERIFICATION_FAILED,
        ReasonCode.NOT_VERIFIED,
    ]


def test_rule_3_required_integration_without_a_row_is_unknown() -> None:
    rows = [row(pact(10, "1", content=1), verified(1, 20, "p1", True))]
    baz = selector(BAZ, 30, "b1", environment="prod", specified=False)
    status = summarize(rows, [FOO_1, BAR_IN_PROD, baz], [required(FOO, BAR), required(FOO, BAZ)])
    assert status.deployable is None
    assert status.unknown == 1
    assert status.reasons[0].code is ReasonCode.NO_ROW_FOR_REQUIRED_INTEGRATION
    assert status.reason_text == (
        "There is no verified pact between version 1 of Foo and the version of Baz currently in "
        "prod (b1)"
    )


def test_rule_3_ignores_integrations_that_are_not_required() -> None:
    """Deploying a provider: its consumers need not be in the environment."""
    status = summarize([], [version(BAR, 20, "p1")], [required(FOO, BAR, is_required=False)])
    assert status.deployable is True
    assert status.reason_text == "There are no missing dependencies"


def test_rule_3_ignored_rows_still_cover_their_integration() -> None:
    rows = [row(pact(10, "1", content=1), verified(1, 20, "p1", False), ignored=True)]
    status = summarize(rows, [FOO_1, BAR_IN_PROD], [required(FOO, BAR)])
    assert status.deployable is True
    assert status.unknown == 0


def test_rule_4_every_considered_row_succeeded() -> None:
    rows = [row(pact(10, "1", content=1), verified(1, 20, "p1", True))]
    status = summarize(rows, [FOO_1, BAR_IN_PROD], [required(FOO, BAR)])
    assert status.deployable is True
    assert status.reason_text == "All required verification results are published and successful"
    assert status.reasons[0].code is ReasonCode.SUCCESS


def test_rule_4_a_failed_row_is_not_deployable() -> None:
    rows = [row(pact(10, "1", content=1), verified(1, 20, "p1", False))]
    status = summarize(rows, [FOO_1], [])
    assert status.deployable is False
    assert status.reason_text == (
        "The verification for the pact between version 1 of Foo and version p1 of Bar failed"
    )


def test_rule_4_no_rows_is_vacuously_deployable() -> None:
    status = summarize([], [FOO_1], [])
    assert status.deployable is True
    assert status.reason_text == "There are no missing dependencies"
    assert status.reasons[0].code is ReasonCode.NO_DEPENDENCIES


def test_rule_4_only_ignored_rows_count_as_no_rows() -> None:
    rows = [row(pact(10, "1", content=1), verified(1, 20, "p1", False), ignored=True)]
    status = summarize(rows, [FOO_1], [])
    assert (status.deployable, status.reason_text) == (True, "There are no missing dependencies")


def test_counts() -> None:
    rows = [
        row(pact(10, "1", content=1), verified(1, 20, "p1", True)),
        row(pact(10, "1", content=2, provider=BAZ), verified(2, 30, "b1", False)),
        row(pact(11, "2", content=3)),
        row(pact(12, "3", content=4), verified(4, 20, "p1", False), ignored=True),
    ]
    qux = Integration(FOO, "Foo", 4, "Qux", required=True)
    status = summarize(rows, [everything(FOO)], [qux])
    assert (status.success, status.failed, status.unknown, status.ignored) == (1, 1, 2, 1)


def test_ignore_end_to_end_counts_ignored_rows_and_lets_a_failure_through() -> None:
    rows = build_rows(
        [FOO_1, BAR_IN_PROD], [pact(10, "1", content=1)], [verified(1, 20, "p1", False)]
    )
    status = summarize(mark_ignored(rows, [everything(BAR)]), [FOO_1, BAR_IN_PROD], [])
    assert (status.deployable, status.failed, status.ignored) == (True, 0, 1)


def test_identical_reasons_are_given_once() -> None:
    rows = [
        row(pact(10, "1", content=1), verified(1, 20, "p1", False)),
        row(pact(10, "1", content=1), verified(1, 20, "p1", False)),
    ]
    assert len(summarize(rows, [FOO_1], []).reasons) == 1


@pytest.mark.parametrize(
    ("selectors", "text"),
    [
        pytest.param(
            [FOO_1],
            "There is no verified pact between version 1 of Foo and any version of Bar",
            id="pacticipant-without-selector-any-version",
        ),
        pytest.param(
            [selector(FOO, 10, "1", tag="prod"), selector(FOO, 11, "2", tag="prod"), BAR_IN_PROD],
            "There is no verified pact between a version of Foo with tag prod (1) and the version "
            "of Bar currently in prod (p1)",
            id="selector-of-the-row-version",
        ),
        pytest.param(
            [version(FOO, 11, "2"), version(FOO, 12, "3")],
            "There is no verified pact between version 1 of Foo and any version of Bar",
            id="no-selector-for-the-row-version",
        ),
    ],
)
def test_reasons_describe_the_selector_that_brought_the_row(
    selectors: list[ResolvedSelector], text: str
) -> None:
    status = summarize([row(pact(10, "1", content=1))], selectors, [])
    assert status.reason_text == text


# --- warnings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selectors", "has_target", "expected"),
    [
        pytest.param([FOO_1], False, [NO_ENVIRONMENT_WARNING], id="one-selector-no-target"),
        pytest.param([FOO_1], True, [], id="one-selector-with-target"),
        pytest.param(
            [FOO_1, selector(BAR, 20, "p1", latest=True, specified=False)],
            False,
            [NO_ENVIRONMENT_WARNING],
            id="inferred-selectors-do-not-count",
        ),
        pytest.param([FOO_1, version(BAR, 20, "p1")], False, [], id="two-specified-selectors"),
        pytest.param(
            [selector(FOO, 10, "1", tag="prod"), selector(FOO, 11, "2", tag="prod")],
            True,
            [NO_VERSION_WARNING],
            id="one-selector-resolving-to-two-versions-counts-twice",
        ),
        pytest.param(
            [selector(FOO, 10, "1", latest=True, tag="rc")],
            True,
            [NO_VERSION_WARNING],
            id="latest-tag-without-version-number",
        ),
        pytest.param(
            [selector(FOO, 10, "1", latest=True, branch="main"), version(BAR, 20, "p1")],
            True,
            [],
            id="one-selector-with-version-number-is-enough",
        ),
        pytest.param(
            [no_such_version(FOO, "9")], True, [], id="missing-version-was-still-asked-for"
        ),
        pytest.param(
            [everything(FOO), everything(BAR)], False, [], id="pacticipant-names-only-matrix-ui"
        ),
    ],
)
def test_selector_warnings(
    selectors: list[ResolvedSelector], has_target: bool, expected: list[str]
) -> None:
    assert selector_warnings(selectors, has_target=has_target, unknown_ignores=[]) == expected


def test_warning_texts() -> None:
    assert NO_ENVIRONMENT_WARNING == (
        "WARN: It is recommended to specify the environment into which you are deploying. "
        "Without the environment, this result will not be reliable."
    )
    assert NO_VERSION_WARNING == (
        "WARN: It is recommended to specify the version number (rather than the tag or branch) "
        "of the pacticipant you wish to deploy to avoid race conditions. Without a version "
        "number, this result will not be reliable."
    )


def test_cannot_ignore_warnings_come_first() -> None:
    warnings = selector_warnings(
        [FOO_1], has_target=False, unknown_ignores=["version 2 of Bar (no such version exists)"]
    )
    assert warnings == [
        "WARN: Cannot ignore version 2 of Bar (no such version exists)",
        NO_ENVIRONMENT_WARNING,
    ]


def test_warnings_precede_the_reasons() -> None:
    status = summarize([], [FOO_1], [], warnings=[NO_ENVIRONMENT_WARNING])
    assert [(r.level, r.text) for r in status.reasons] == [
        ("warning", NO_ENVIRONMENT_WARNING),
        ("success", "There are no missing dependencies"),
    ]
