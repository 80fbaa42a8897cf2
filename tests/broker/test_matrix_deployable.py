"""The can-i-deploy decision of ``reference/broker-api.md`` §4.5 and the warnings before its
reasons, one test per rule (builders: :mod:`tests.broker.test_matrix_rules`).
"""

from __future__ import annotations

import pytest

from pact_pipeline.broker.matrix import (
    NO_ENVIRONMENT_WARNING,
    NO_VERSION_WARNING,
    Integration,
    ReasonCode,
    ResolvedSelector,
    build_rows,
    mark_ignored,
    selector_warnings,
    summarize,
)
from tests.broker.test_matrix_rules import (
    BAR,
    BAZ,
    FOO,
    everything,
    no_such_version,
    pact,
    required,
    row,
    selector,
    verified,
    version,
)

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
