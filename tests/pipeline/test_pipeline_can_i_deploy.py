"""can-i-deploy decisions: matrix parsing, per-row reasons, advice, retries, rendering."""

from __future__ import annotations

from typing import Any

import pytest
from pipeline_helpers import FakeSleep
from rich.console import Console

from pipeline.can_i_deploy import (
    Decision,
    MatrixAnswer,
    MatrixRow,
    Target,
    advise,
    ask_until_known,
    parse_matrix,
    render,
    row_reason,
    summary_line,
)

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


def advice_for(
    result: MatrixAnswer, target: Target, deployed: dict[str, list[str]] | None = None
) -> tuple[str, ...]:
    return advise(
        result, target, "prod", consumer=CONSUMER, provider=PROVIDER, in_environment=deployed or {}
    )


def test_yes_needs_no_advice() -> None:
    assert advice_for(answer(True, consumer_row(True, "p1")), Target(CONSUMER, "c1")) == ()


def test_consumer_whose_provider_is_not_deployed_is_told_to_deploy_it_first() -> None:
    advice = advice_for(answer(None, consumer_row(None)), Target(CONSUMER, "c1"), {PROVIDER: []})

    assert advice == (
        "deploy ProductService to prod first "
        "(`invoke deploy --env prod --pacticipant ProductService`)",
    )


def test_consumer_whose_deployed_provider_never_verified_is_told_to_verify() -> None:
    advice = advice_for(
        answer(None, consumer_row(None)), Target(CONSUMER, "c1"), {PROVIDER: ["p0"]}
    )

    assert advice == (
        "run `invoke verify` for ProductService p0 (the version in prod) so it verifies "
        "FrontendWebsite c1",
    )


def test_provider_that_has_not_verified_a_deployed_consumer_is_told_to_verify() -> None:
    advice = advice_for(answer(None, consumer_row(None)), Target(PROVIDER, "p2"))

    assert advice == (
        "run `invoke verify` for ProductService p2 so it verifies FrontendWebsite c1",
    )


def test_failed_verification_points_at_the_result() -> None:
    advice = advice_for(answer(False, consumer_row(False, "p1")), Target(PROVIDER, "p1"))

    assert advice == (
        "fix the failing verification at http://b/v/1, then run `invoke verify` for ProductService",
    )


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        pytest.param(
            Target(CONSUMER, "c9"),
            "publish the pacts of FrontendWebsite c9 first (`invoke publish`)",
            id="consumer",
        ),
        pytest.param(
            Target(PROVIDER, "p9"),
            "verify ProductService p9 and publish the results first (`invoke verify --publish`)",
            id="provider",
        ),
        pytest.param(
            Target("Other", "o9"),
            "publish pacts or verification results for Other o9 first",
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


def test_unknown_answers_are_asked_again_a_bounded_number_of_times(fake_sleep: FakeSleep) -> None:
    answers = iter([answer(None), answer(None), answer(True)])
    waits: list[tuple[int, float]] = []

    result = ask_until_known(
        lambda: next(answers),
        retries=5,
        interval=10.0,
        sleep=fake_sleep,
        on_wait=lambda attempt, interval: waits.append((attempt, interval)),
    )

    assert result.deployable is True
    assert fake_sleep.calls == [10.0, 10.0]
    assert waits == [(1, 10.0), (2, 10.0)]


def test_retries_stop_at_the_limit_and_return_the_last_unknown(fake_sleep: FakeSleep) -> None:
    asked: list[int] = []

    def ask() -> MatrixAnswer:
        asked.append(1)
        return answer(None)

    result = ask_until_known(ask, retries=2, interval=1.5, sleep=fake_sleep)

    assert result.deployable is None
    assert len(asked) == 3
    assert fake_sleep.calls == [1.5, 1.5]


def test_a_known_no_is_not_retried(fake_sleep: FakeSleep) -> None:
    result = ask_until_known(lambda: answer(False), retries=3, interval=1.0, sleep=fake_sleep)

    assert result.deployable is False
    assert fake_sleep.calls == []


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
        "can-i-deploy says no for FrontendWebsite c1 to prod (still unknown): deploy "
        "ProductService to prod first; ProductService p1 to test: fix it"
    )
