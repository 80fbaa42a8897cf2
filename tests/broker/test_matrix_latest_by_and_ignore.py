"""The matrix's narrowing rules of ``reference/broker-api.md`` §4.4: ``latestby``,
``success[]`` and ``ignore[]``, one test per rule (builders: :mod:`tests.broker.test_matrix_rules`).
"""

from __future__ import annotations

import pytest

from pact_pipeline.broker.matrix import (
    LatestBy,
    ResolvedSelector,
    Row,
    apply_latest_by,
    filter_success,
    mark_ignored,
)
from tests.broker.test_matrix_rules import (
    BAR,
    BAZ,
    FOO,
    everything,
    pact,
    pairs,
    row,
    verified,
    version,
)

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
