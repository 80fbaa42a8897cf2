"""can-i-deploy with bi-directional rows: PactFlow's `verificationType`, its reasons, advice.

The fixtures are the matrix rows PactFlow (and this project's broker) answer: a row the broker
answered by comparing the pact with the provider's OpenAPI carries `"verificationType": "BDCT"`
and a `verificationResult` linking to its cross-contract verification results; a verification
row carries `"CDCT"`; a row without a result `null`; an OSS Pact Broker leaves the key out.
"""

from __future__ import annotations

from typing import Any

import pytest
from rich.console import Console

from pact_pipeline.stages.advice import Repository, advise, row_reason
from pact_pipeline.stages.can_i_deploy import Decision, render, verified_by
from pact_pipeline.stages.matrix import MatrixAnswer, MatrixRow, Target, parse_matrix

CONSUMER, PROVIDER = "FrontendWebsite", "ProductService"
CROSS = (
    "http://b/contracts/bi-directional/provider/ProductService/version/2/consumer/"
    "FrontendWebsite/version/1/cross-contract-verification-results"
)
REASON = (
    "The cross contract verification between the pact for version 1 of FrontendWebsite and the "
    "oas for version 2 of ProductService failed: Response body is incompatible with the response "
    "body schema in the spec file: must NOT have additional properties - colour (interaction 'a "
    "request for product 10')"
)

NOTHING = object()


def row(success: bool | None, kind: Any = NOTHING, provider_version: str | None = "2") -> Any:
    result: dict[str, Any] = {
        "consumer": {"name": CONSUMER, "version": {"number": "1"}},
        "provider": {
            "name": PROVIDER,
            "version": {"number": provider_version} if provider_version else None,
        },
        "pact": {"_links": {"self": {"href": "http://b/pacts/1"}}},
        "verificationResult": None
        if success is None
        else {
            "success": success,
            "verifiedAt": "2026-05-05T10:00:00+00:00",
            "_links": {"self": {"href": CROSS if kind == "BDCT" else "http://b/verification/1"}},
        },
    }
    if kind is not NOTHING:
        result["verificationType"] = kind
    return result


def test_a_bdct_row_is_parsed_with_its_type_and_cross_contract_link() -> None:
    parsed = parse_matrix(
        {"summary": {"deployable": False, "reason": REASON}, "matrix": [row(False, "BDCT")]}
    )

    (bdct,) = parsed.rows
    assert bdct.verification_type == "BDCT"
    assert bdct.compared
    assert bdct.verified is False
    assert bdct.verification_url == CROSS
    assert parsed.reasons == (REASON,)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        pytest.param("CDCT", "CDCT", id="a pact verification"),
        pytest.param(None, None, id="null: no result yet"),
        pytest.param(NOTHING, None, id="absent: an OSS Pact Broker"),
        pytest.param("bdct", "BDCT", id="any case"),
        pytest.param(7, None, id="not a string"),
    ],
)
def test_verification_type_is_tolerated_in_every_form(kind: Any, expected: str | None) -> None:
    (parsed,) = parse_matrix({"matrix": [row(True if kind else None, kind)]}).rows

    assert parsed.verification_type == expected
    assert parsed.compared == (expected == "BDCT")


def test_row_reasons_say_the_pact_was_compared_with_the_openapi() -> None:
    passed, failed = parse_matrix({"matrix": [row(True, "BDCT"), row(False, "BDCT")]}).rows
    target = Target(CONSUMER, "1")

    assert (
        row_reason(passed, target, "prod", {}) == "fits ProductService 2's OpenAPI (self-verified)"
    )
    assert row_reason(failed, target, "prod", {}).startswith(
        "does not fit ProductService 2's OpenAPI, or its self-verification failed"
    )


def render_text(answer: MatrixAnswer) -> str:
    decision = Decision(Target(CONSUMER, "1"), "prod", answer, ())
    console = Console(width=240, color_system=None)
    with console.capture() as capture:
        console.print(render(decision, ["reason"] * len(answer.rows)))
    return capture.get()


def test_the_table_says_which_rows_are_pacts_and_which_are_oas() -> None:
    both = parse_matrix({"matrix": [row(True, "CDCT"), row(False, "BDCT"), row(None, None)]})

    text = render_text(both)

    assert [verified_by(r) for r in both.rows] == ["pact", "oas", "-"]
    header = next(line for line in text.splitlines() if "consumer" in line)
    assert [cell.strip() for cell in header.strip("┃ ").split("┃")] == [
        "consumer",
        "c.version",
        "provider",
        "p.version",
        "verified?",
        "by",
        "reason",
    ]
    assert " oas " in text
    assert " pact " in text


def test_an_oss_broker_answer_gets_no_type_column() -> None:
    text = render_text(parse_matrix({"matrix": [row(True)]}))

    header = next(line for line in text.splitlines() if "consumer" in line)
    assert " by " not in header


CONSUMER_HERE = Repository(CONSUMER, None, "1")
PROVIDER_HERE = Repository(None, PROVIDER, "2", "openapi")


def advice(rows: list[dict[str, Any]], target: Target, here: Repository) -> tuple[str, ...]:
    parsed = parse_matrix({"summary": {"deployable": False, "reason": REASON}, "matrix": rows})
    return advise(parsed, target, "prod", here=here, in_environment={PROVIDER: ["2"]})


def test_an_incompatible_pact_is_the_consumers_to_fix_not_a_verification_to_run() -> None:
    (line,) = advice([row(False, "BDCT")], Target(CONSUMER, "1"), CONSUMER_HERE)

    assert line.startswith(
        f"the pact of FrontendWebsite 1 uses what ProductService 2's OpenAPI does not offer "
        f"({CROSS}): change FrontendWebsite to rely only on what the document has"
    )
    assert "verify" not in line
    assert "`" not in line, "publishing the same pact again changes nothing: no command"


def test_an_incompatible_contract_is_the_providers_to_fix() -> None:
    (line,) = advice([row(False, "BDCT")], Target(PROVIDER, "2"), PROVIDER_HERE)

    assert line.startswith(
        "ProductService 2's provider contract does not fit the pact of FrontendWebsite 1"
    )
    assert "publish the provider contract of the new version" in line
    assert "verify" not in line
    assert "`" not in line


def test_someone_elses_incompatible_pair_names_both_sides() -> None:
    (line,) = advice([row(False, "BDCT")], Target(CONSUMER, "1"), Repository(None, None, "9"))

    assert line.endswith("FrontendWebsite's pact or ProductService's OpenAPI document must change")


def test_a_failed_verification_row_still_asks_for_a_provider_change() -> None:
    (line,) = advice([row(False, "CDCT")], Target(PROVIDER, "2"), Repository(None, PROVIDER, "2"))

    assert line.startswith("ProductService 2 fails the pact of FrontendWebsite 1")


def test_an_openapi_provider_without_a_contract_is_told_to_publish_one() -> None:
    (line,) = advice([row(None, None)], Target(PROVIDER, "2"), PROVIDER_HERE)

    assert line == (
        "ProductService 2 has no provider contract to compare the pact of FrontendWebsite 1 "
        "with: run `invoke publish-provider-contract`"
    )


def test_an_openapi_provider_deployed_at_another_version_is_that_builds_job() -> None:
    here = Repository(CONSUMER, PROVIDER, "9", "openapi")

    (line,) = advice([row(None, None, None)], Target(CONSUMER, "1"), here)

    assert line.startswith(
        "ProductService 2 (in prod) has no provider contract to compare the pact of "
        "FrontendWebsite 1 with: that version's build must publish one"
    )
    assert "`" not in line


def test_a_pacts_provider_is_still_told_to_verify() -> None:
    here = Repository(None, PROVIDER, "2", "both")

    (line,) = advice([row(None, None)], Target(PROVIDER, "2"), here)

    assert line.endswith("run `invoke ci-webhook --pact-url http://b/pacts/1 --publish`")


def test_an_unknown_openapi_provider_version_publishes_its_contract_first() -> None:
    parsed = MatrixAnswer(deployable=False, reasons=(), rows=())

    assert advise(parsed, Target(PROVIDER, "2"), "prod", here=PROVIDER_HERE, in_environment={}) == (
        "publish the provider contract of ProductService 2 first (its version is then known "
        "even with no consumers yet): run `invoke publish-provider-contract`",
    )


def test_a_provider_row_for_the_same_pact_by_both_kinds_is_two_rows() -> None:
    both = parse_matrix({"matrix": [row(True, "CDCT"), row(False, "BDCT")]})

    assert [r.verification_type for r in both.rows] == ["CDCT", "BDCT"]
    assert both.rows[0] == MatrixRow(
        CONSUMER, "1", PROVIDER, "2", True, "http://b/verification/1", "http://b/pacts/1", "CDCT"
    )
