"""can-i-deploy decisions: matrix parsing, per-row reasons, advice, retries, rendering."""

from __future__ import annotations

from typing import Any

import pytest
from rich.console import Console

from pact_pipeline.stages.advice import Repository, advise, awaited, row_reason
from pact_pipeline.stages.can_i_deploy import Decision, render, summary_line
from pact_pipeline.stages.matrix import MatrixAnswer, MatrixRow, Target, parse_matrix

CONSUMER, PROVIDER = "FrontendWebsite", "ProductService"


def party(name: str, version: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "_links": {"self": {"href": f"http://b/{name}"}}}
    body["version"] = {"number": version} if version else None
    return body


def matrix_row(
    consumer_version: str, provider_version: str | None, success: bool | None
) -> dict[str, Any]:
    verification = (
        None
        if success is None
        else {"success": success, "_links": {"self": {"href": "http://b/verification/1"}}}
    )
    return {
        "consumer": party(CONSUMER, consumer_version),
        "provider": party(PROVIDER, provider_version),
        "pact": {"_links": {"self": {"href": "http://b/pact/1"}}},
        "verificationResult": verification,
    }


def answer(deployable: bool | None, *rows: MatrixRow, reason: str = "") -> MatrixAnswer:
    return MatrixAnswer(deployable=deployable, reasons=(reason,) if reason else (), rows=rows)


def consumer_row(verified: bool | None, provider_version: str | None = None) -> MatrixRow:
    return MatrixRow(CONSUMER, "c1", PROVIDER, provider_version, verified, "http://b/v/1")


def test_parse_matrix_reads_summary_and_rows() -> None:
    body = {
        "summary": {"deployable": False, "reason": "The verification failed\nWARN: careful"},
        "matrix": [matrix_row("c1", "p1", False), matrix_row("c2", None, None)],
    }

    parsed = parse_matrix(body)

    assert parsed.deployable is False
    assert parsed.reasons == ("The verification failed", "WARN: careful")
    assert parsed.rows[0] == MatrixRow(
        CONSUMER, "c1", PROVIDER, "p1", False, "http://b/verification/1", "http://b/pact/1"
    )
    assert parsed.rows[1].provider_version is None
    assert parsed.rows[1].verified is None


def test_parse_matrix_treats_a_missing_answer_as_unknown() -> None:
    assert parse_matrix({}) == MatrixAnswer(deployable=None, reasons=(), rows=())


@pytest.mark.parametrize(
    ("row", "target", "deployed", "expected"),
    [
        pytest.param(
            consumer_row(True, "p1"),
            Target(CONSUMER, "c1"),
            {},
            "verified by ProductService p1",
            id="verified",
        ),
        pytest.param(
            consumer_row(False, "p1"),
            Target(CONSUMER, "c1"),
            {},
            "ProductService p1 failed to verify this pact",
            id="failed",
        ),
        pytest.param(
            consumer_row(None),
            Target(CONSUMER, "c1"),
            {PROVIDER: []},
            "no version of ProductService is deployed to prod",
            id="provider-not-deployed",
        ),
        pytest.param(
            consumer_row(None),
            Target(CONSUMER, "c1"),
            {PROVIDER: ["p0"]},
            "ProductService p0 (in prod) has not verified this pact",
            id="deployed-provider-never-verified",
        ),
        pytest.param(
            consumer_row(None),
            Target(PROVIDER, "p2"),
            {},
            "ProductService p2 has not verified this pact yet",
            id="provider-not-verified-yet",
        ),
    ],
)
def test_row_reason(
    row: MatrixRow, target: Target, deployed: dict[str, list[str]], expected: str
) -> None:
    assert row_reason(row, target, "prod", deployed) == expected


HERE = Repository(CONSUMER, PROVIDER, "v9")


def advice_for(
    result: MatrixAnswer,
    target: Target,
    deployed: dict[str, list[str]] | None = None,
    here: Repository = HERE,
) -> tuple[str, ...]:
    return advise(result, target, "prod", here=here, in_environment=deployed or {})


def test_yes_needs_no_advice() -> None:
    assert advice_for(answer(True, consumer_row(True, "p1")), Target(CONSUMER, "c1")) == ()


def test_consumer_whose_provider_is_not_deployed_is_told_to_deploy_it_first() -> None:
    advice = advice_for(answer(None, consumer_row(None)), Target(CONSUMER, "c1"), {PROVIDER: []})

    assert advice == (
        "deploy ProductService to prod first: run "
        "`invoke deploy --env prod --pacticipant ProductService`",
    )


def test_a_provider_of_another_repository_is_not_deployed_by_a_command_here() -> None:
    elsewhere = Repository(CONSUMER, "Other", "v9")

    advice = advice_for(
        answer(None, consumer_row(None)), Target(CONSUMER, "c1"), {PROVIDER: []}, elsewhere
    )

    assert advice == (
        "ProductService has no version in prod: its team must deploy one that verified the "
        "pact of FrontendWebsite c1 first",
    )
    assert "`" not in advice[0]


def test_deployed_provider_of_this_checkout_verifies_the_pact_by_its_url() -> None:
    row = MatrixRow(CONSUMER, "c1", PROVIDER, None, None, None, "http://b/pact/1")

    advice = advice_for(answer(None, row), Target(CONSUMER, "c1"), {PROVIDER: ["v9"]})

    assert advice == (
        "verify the pact of FrontendWebsite c1 with ProductService v9 (in prod) and publish "
        "the result: run `invoke ci-webhook --pact-url http://b/pact/1 --publish`",
    )


def test_deployed_provider_of_another_version_is_a_job_for_that_version() -> None:
    row = MatrixRow(CONSUMER, "c1", PROVIDER, None, None, None, "http://b/pact/1")

    (advice,) = advice_for(answer(None, row), Target(CONSUMER, "c1"), {PROVIDER: ["p0"]})

    assert advice.startswith(
        "ProductService p0 (in prod) has not verified the pact of FrontendWebsite c1: that "
        "version's build must verify it"
    )
    assert "`" not in advice, "no task here can verify another version: no command"


def test_provider_of_this_checkout_that_has_not_verified_is_told_to_verify() -> None:
    advice = advice_for(answer(None, consumer_row(None)), Target(PROVIDER, "v9"))

    assert advice == (
        "verify ProductService v9 and publish the results: run `invoke verify --publish`",
    )


def test_failed_verification_says_what_a_person_must_do() -> None:
    (advice,) = advice_for(answer(False, consumer_row(False, "p1")), Target(PROVIDER, "p1"))

    assert advice.startswith(
        "ProductService p1 fails the pact of FrontendWebsite c1 (http://b/v/1): change "
        "ProductService to honour it"
    )
    assert "`" not in advice


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        pytest.param(
            Target(CONSUMER, "v9"),
            "publish the pacts of FrontendWebsite v9 first: run `invoke publish`",
            id="consumer",
        ),
        pytest.param(
            Target(PROVIDER, "v9"),
            "verify ProductService v9 and publish the results first (its version is then known "
            "even with no consumers yet): run `invoke verify --publish --allow-empty`",
            id="provider",
        ),
        pytest.param(
            Target(CONSUMER, "c0"),
            "the broker knows nothing of FrontendWebsite c0: its build must publish pacts or "
            "verification results for that version first",
            id="another-version",
        ),
        pytest.param(
            Target("Other", "v9"),
            "the broker knows nothing of Other v9: its build must publish pacts or "
            "verification results for that version first",
            id="other",
        ),
    ],
)
def test_unknown_version_is_told_to_publish_or_verify(target: Target, expected: str) -> None:
    result = answer(False, reason=f"No pacts or verifications have been published for {target}")

    assert advice_for(result, target) == (expected,)


def test_advice_is_deduplicated_across_rows() -> None:
    result = answer(False, consumer_row(False, "p1"), consumer_row(False, "p1"))

    assert len(advice_for(result, Target(PROVIDER, "p1"))) == 1


def test_nothing_is_awaited_when_the_provider_has_no_version_in_the_environment() -> None:
    result = answer(None, consumer_row(None))

    assert awaited(result, Target(CONSUMER, "c1"), {PROVIDER: []}) == []


def test_the_deployed_provider_version_is_awaited() -> None:
    result = answer(None, consumer_row(None))

    assert awaited(result, Target(CONSUMER, "c1"), {PROVIDER: ["p0"]}) == [
        "ProductService p0 to verify FrontendWebsite c1"
    ]


def test_a_provider_target_awaits_its_own_verification() -> None:
    result = answer(None, consumer_row(None))

    assert awaited(result, Target(PROVIDER, "p2"), {}) == [
        "ProductService p2 to verify FrontendWebsite c1"
    ]


def test_known_answers_await_nothing() -> None:
    assert awaited(answer(False, consumer_row(None)), Target(PROVIDER, "p2"), {}) == []
    assert awaited(answer(None), Target(PROVIDER, "p2"), {}) == []


def test_render_shows_each_row_with_its_reason() -> None:
    decision = Decision(
        target=Target(CONSUMER, "c1"),
        environment="prod",
        answer=answer(False, consumer_row(False, "p1"), consumer_row(True, "p0")),
        advice=(),
    )
    console = Console(width=240, color_system=None)
    with console.capture() as capture:
        console.print(render(decision, ["p1 failed", "verified by p0"]))
    text = capture.get()

    assert "can-i-deploy FrontendWebsite c1 to prod: no" in text
    for column in ("consumer", "c.version", "provider", "p.version", "verified?", "reason"):
        assert column in text
    assert "✘ failed" in text
    assert "✔ yes" in text
    assert "verified by p0" in text


def test_summary_line_names_each_blocked_target_and_its_first_remedy() -> None:
    blocked = Decision(
        Target(CONSUMER, "c1"), "prod", answer(None), ("deploy ProductService to prod first",)
    )
    allowed = Decision(Target(PROVIDER, "p1"), "prod", answer(True), ())

    failed = Decision(Target(PROVIDER, "p1"), "test", answer(False), ("fix it",))

    assert summary_line([allowed, blocked, failed]) == (
        "can-i-deploy says no for FrontendWebsite c1 to prod (unknown): deploy "
        "ProductService to prod first; ProductService p1 to test: fix it"
    )
