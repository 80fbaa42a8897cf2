"""The verify stage's pure parts: selectors, the selection table, verifier results."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from rich.console import Console

from pact_pipeline.stages.selection import (
    SELECTORS,
    for_verification_request,
    parse_selected,
    selection_table,
    selector_json,
)
from pact_pipeline.stages.verification_results import (
    VerificationOutcome,
    failure_message,
    parse_results,
    results_table,
)
from pact_pipeline.verifier import quiet_state_callbacks


def rendered(table: Any) -> str:
    console = Console(width=240, color_system=None)
    with console.capture() as capture:
        console.print(table)
    return capture.get()


def test_selectors_are_the_recommended_set_in_broker_json() -> None:
    assert [selector_json(selector) for selector in SELECTORS] == [
        {"mainBranch": True},
        {"deployedOrReleased": True},
        {"matchingBranch": True},
    ]


def test_for_verification_request_matches_what_the_verifier_sends() -> None:
    assert for_verification_request(branch="feature/x", wip_since="2024-01-01") == {
        "consumerVersionSelectors": [
            {"mainBranch": True},
            {"deployedOrReleased": True},
            {"matchingBranch": True},
        ],
        "includePendingStatus": True,
        "includeWipPactsSince": "2024-01-01",
        "providerVersionBranch": "feature/x",
    }


SELECTED: list[dict[str, Any]] = [
    {
        "shortDescription": "latest from main branch, latest from branch main",
        "verificationProperties": {
            "pending": True,
            "notices": [
                {
                    "when": "before_verification",
                    "text": "The pact at http://b is verified because…",
                },
                {
                    "when": "before_verification",
                    "text": "This pact is in pending state for this version. If it fails, fine.",
                },
                {"when": "after_verification:success_true_published_true", "text": "after"},
            ],
        },
        "_links": {
            "self": {
                "href": "http://b/pacts/provider/P/consumer/C/pact-version/abc/metadata/xyz",
                "name": "Pact between C (1) and P",
            }
        },
    },
    {
        "shortDescription": "latest from branch feature",
        "verificationProperties": {"pending": True, "wip": True, "notices": []},
        "_links": {"self": {"href": "http://b/pacts/wip"}},
    },
    {"shortDescription": "broken entry without links"},
]


def test_selected_pacts_keep_reason_pending_wip_and_before_notices() -> None:
    first, second = parse_selected(SELECTED)

    assert first.name == "Pact between C (1) and P"
    assert first.reason == "latest from main branch, latest from branch main"
    assert (first.pending, first.wip) == (True, False)
    assert first.notices == ("This pact is in pending state for this version. If it fails, fine.",)
    assert (second.name, second.pending, second.wip) == ("http://b/pacts/wip", True, True)


def test_selection_table_shows_why_each_pact_was_selected() -> None:
    text = rendered(selection_table(parse_selected(SELECTED), provider="P", branch="main"))

    assert "Pacts selected for P (branch main)" in text
    assert "latest from branch feature" in text
    assert "This pact is in pending state for this version." in text
    assert "If it fails" not in text


# What pact-python's Verifier.results holds after a run with one failure (trimmed).
RESULTS: dict[str, Any] = {
    "result": False,
    "interactionResults": [
        {
            "consumer": "FrontendWebsite",
            "description": "get all products",
            "pending": False,
            "result": "Error",
            "mismatch": {
                "type": "mismatches",
                "mismatches": [
                    {
                        "type": "BodyMismatch",
                        "path": "$[0]",
                        "mismatch": "Actual map is missing the following keys: name",
                    }
                ],
            },
        },
        {
            "consumer": "FrontendWebsite",
            "description": "get product with ID 10",
            "pending": False,
            "result": "OK",
        },
        {
            "consumer": "FrontendWebsite",
            "description": "get product with ID 11",
            "pending": True,
            "result": "Error",
            "mismatch": {
                "type": "mismatches",
                "mismatches": [{"type": "StatusMismatch", "mismatch": "expected 404 but was 200"}],
            },
        },
    ],
}


def test_results_name_the_first_mismatch_and_the_pending_flag() -> None:
    failed, passed, pending = parse_results(RESULTS)

    assert (failed.passed, failed.pending) == (False, False)
    assert failed.mismatch == "$[0] Actual map is missing the following keys: name"
    assert passed.passed is True
    assert (pending.passed, pending.pending, pending.mismatch) == (
        False,
        True,
        "expected 404 but was 200",
    )


def test_pending_failures_do_not_count_but_are_shown() -> None:
    outcome = VerificationOutcome(passed=False, interactions=parse_results(RESULTS))

    text = rendered(results_table(outcome))

    assert [failure.description for failure in outcome.failures] == ["get all products"]
    assert "no (pending)" in text


def test_failure_message_is_one_line_naming_the_mismatch() -> None:
    outcome = VerificationOutcome(passed=False, interactions=parse_results(RESULTS))

    message = failure_message("ProductService", "abc", outcome)

    assert message == (
        "verification of ProductService abc failed: 1 of 3 interactions (first: get all "
        "products: $[0] Actual map is missing the following keys: name)"
    )


def test_state_callback_access_log_is_dropped_but_other_stderr_kept(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with quiet_state_callbacks():
        sys.stderr.write(
            '127.0.0.1 - - [21/Nov/2026 11:02:46] "POST /_pact/state HTTP/1.1" 200 -\n'
        )
        sys.stderr.write("state handler failed: KeyError 'products exist'\n")

    assert capsys.readouterr().err == "state handler failed: KeyError 'products exist'\n"
