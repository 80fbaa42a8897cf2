"""The can-i-deploy stage: ask the broker's matrix, explain the answer, say how to get a yes.

For each pacticipant of this repository (provider first, then consumer) at its current
version, the stage sends the query `pact-broker can-i-deploy --to-environment` sends
(`GET /matrix?q[][pacticipant]=P&q[][version]=V&latestby=cvpv&environment=E`), asks again
while the answer is "unknown" (a bounded number of times), renders the matrix rows as a
table (consumer, version, provider, version, verified?, reason) and — because "Computer
says no" alone is the most common complaint about can-i-deploy — when the answer is not
yes, lists what would make it yes: "deploy ProductService to prod first", "run
`invoke verify` for ProductService", "fix the failing verification at <url>".

Parsing, the per-row reasons, the advice and the retry loop are pure functions, tested
without a broker.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table

from pipeline import environments
from pipeline.errors import BrokerRequestError, NotDeployable

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from pipeline.broker_client import BrokerClient
    from pipeline.output import Output
    from pipeline.settings import Settings


_BAD_REQUEST = 400


@dataclass(frozen=True)
class Target:
    """A pacticipant version that wants to be deployed.

    Attributes:
        pacticipant:
            The pacticipant's name.

        version:
            Its version number.
    """

    pacticipant: str
    version: str

    def __str__(self) -> str:
        """Render as "Name version"."""
        return f"{self.pacticipant} {self.version}"


@dataclass(frozen=True)
class MatrixRow:
    """One row of the matrix: a pact between two versions and its verification, if any.

    Attributes:
        consumer:
            The consumer's name.

        consumer_version:
            The consumer version whose pact this is.

        provider:
            The provider's name.

        provider_version:
            The provider version that verified it (`None`: no matching verification).

        verified:
            The verification's success, or `None` when not verified.

        verification_url:
            Where the verification result lives.

        pact_url:
            Where the pact lives.
    """

    consumer: str
    consumer_version: str | None
    provider: str
    provider_version: str | None
    verified: bool | None
    verification_url: str | None = None
    pact_url: str | None = None


@dataclass(frozen=True)
class MatrixAnswer:
    """The broker's answer to a can-i-deploy query.

    Attributes:
        deployable:
            `True`, `False`, or `None` (unknown: something is not verified yet).

        reasons:
            The broker's reasons, one per line.

        rows:
            The matrix rows.
    """

    deployable: bool | None
    reasons: tuple[str, ...]
    rows: tuple[MatrixRow, ...]


@dataclass(frozen=True)
class Decision:
    """The outcome of can-i-deploy for one target.

    Attributes:
        target:
            The pacticipant version.

        environment:
            The environment it wants to go to.

        answer:
            The broker's answer.

        advice:
            What would make the answer yes (empty when it is yes).
    """

    target: Target
    environment: str
    answer: MatrixAnswer
    advice: tuple[str, ...]

    @property
    def deployable(self) -> bool:
        """Whether the target may be deployed (unknown counts as no)."""
        return self.answer.deployable is True


def parse_matrix(body: Mapping[str, Any]) -> MatrixAnswer:
    """Turn the broker's `/matrix` JSON into a [`MatrixAnswer`][pipeline.can_i_deploy.MatrixAnswer].

    Args:
        body:
            The decoded JSON.

    Returns:
        The answer; missing fields read as unknown/empty.
    """
    summary = body.get("summary") if isinstance(body.get("summary"), dict) else {}
    deployable = summary.get("deployable") if summary else None
    reason = summary.get("reason") if summary else None
    reasons = tuple(line.strip() for line in str(reason or "").splitlines() if line.strip())
    rows = tuple(_parse_row(row) for row in body.get("matrix") or [] if isinstance(row, dict))
    return MatrixAnswer(
        deployable=deployable if isinstance(deployable, bool) else None,
        reasons=reasons,
        rows=rows,
    )


def _parse_row(row: Mapping[str, Any]) -> MatrixRow:
    consumer = _dict(row.get("consumer"))
    provider = _dict(row.get("provider"))
    verification = _dict(row.get("verificationResult"))
    success = verification.get("success")
    return MatrixRow(
        consumer=str(consumer.get("name", "?")),
        consumer_version=_version_number(consumer),
        provider=str(provider.get("name", "?")),
        provider_version=_version_number(provider),
        verified=success if isinstance(success, bool) else None,
        verification_url=_self_href(verification),
        pact_url=_self_href(_dict(row.get("pact"))),
    )


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _version_number(party: Mapping[str, Any]) -> str | None:
    number = _dict(party.get("version")).get("number")
    return number if isinstance(number, str) else None


def _self_href(resource: Mapping[str, Any]) -> str | None:
    href = _dict(_dict(resource.get("_links")).get("self")).get("href")
    return href if isinstance(href, str) else None


def row_reason(
    row: MatrixRow,
    target: Target,
    environment: str,
    in_environment: Mapping[str, Sequence[str]],
) -> str:
    """Explain one matrix row in words.

    Args:
        row:
            The row.

        target:
            The pacticipant version being checked.

        environment:
            The target environment.

        in_environment:
            For the other pacticipants, which of their versions are in the environment.

    Returns:
        A short explanation, e.g. "ProductService 1a2b failed to verify this pact".
    """
    provider_version = row.provider_version or "?"
    if row.verified is True:
        return f"verified by {row.provider} {provider_version}"
    if row.verified is False:
        return f"{row.provider} {provider_version} failed to verify this pact"
    if row.consumer == target.pacticipant:
        deployed = in_environment.get(row.provider, ())
        if not deployed:
            return f"no version of {row.provider} is deployed to {environment}"
        return f"{row.provider} {', '.join(deployed)} (in {environment}) has not verified this pact"
    return f"{row.provider} {target.version} has not verified this pact yet"


def advise(
    answer: MatrixAnswer,
    target: Target,
    environment: str,
    *,
    consumer: str,
    provider: str,
    in_environment: Mapping[str, Sequence[str]],
) -> tuple[str, ...]:
    """Say what would turn a "no" or "unknown" into a "yes".

    Args:
        answer:
            The broker's answer.

        target:
            The pacticipant version being checked.

        environment:
            The target environment.

        consumer:
            This repository's consumer (to phrase "publish" advice).

        provider:
            This repository's provider (to phrase "verify" advice).

        in_environment:
            For the other pacticipants, which of their versions are in the environment.

    Returns:
        One line per remedy, most useful first; empty when the answer is yes.
    """
    if answer.deployable is True:
        return ()
    advice: list[str] = []
    for row in answer.rows:
        advice.extend(_row_advice(row, target, environment, in_environment))
    if not answer.rows:
        advice.extend(_no_rows_advice(answer, target, consumer=consumer, provider=provider))
    if not advice:
        advice.append("read the broker's reasons above; the matrix has no actionable row")
    return tuple(dict.fromkeys(advice))


def _row_advice(
    row: MatrixRow,
    target: Target,
    environment: str,
    in_environment: Mapping[str, Sequence[str]],
) -> list[str]:
    if row.verified is True:
        return []
    if row.verified is False:
        where = row.verification_url or f"{row.provider} {row.provider_version or '?'}"
        return [
            f"fix the failing verification at {where}, then run `invoke verify` for {row.provider}"
        ]
    if row.consumer == target.pacticipant:
        deployed = in_environment.get(row.provider, ())
        if not deployed:
            return [
                f"deploy {row.provider} to {environment} first "
                f"(`invoke deploy --env {environment} --pacticipant {row.provider}`)"
            ]
        return [
            f"run `invoke verify` for {row.provider} {', '.join(deployed)} (the version in "
            f"{environment}) so it verifies {row.consumer} {row.consumer_version or '?'}"
        ]
    return [
        f"run `invoke verify` for {row.provider} {target.version} so it verifies "
        f"{row.consumer} {row.consumer_version or '?'}"
    ]


def _no_rows_advice(
    answer: MatrixAnswer, target: Target, *, consumer: str, provider: str
) -> list[str]:
    if answer.deployable is False:
        if target.pacticipant == consumer:
            return [f"publish the pacts of {target} first (`invoke publish`)"]
        if target.pacticipant == provider:
            return [f"verify {target} and publish the results first (`invoke verify --publish`)"]
        return [f"publish pacts or verification results for {target} first"]
    return [f"run `invoke verify` for {provider} so every required pact has a verification"]


def ask_until_known(
    ask: Callable[[], MatrixAnswer],
    *,
    retries: int,
    interval: float,
    sleep: Callable[[float], None] = time.sleep,
    on_wait: Callable[[int, float], None] | None = None,
) -> MatrixAnswer:
    """Ask, and ask again while the answer is unknown, at most `retries` more times.

    Args:
        ask:
            Queries the broker once.

        retries:
            How many extra queries are allowed (0: ask once).

        interval:
            Seconds to wait before each extra query.

        sleep:
            The sleep function (tests pass a fake one).

        on_wait:
            Called with (attempt number, interval) before each wait.

    Returns:
        The first known answer, or the last unknown one.
    """
    answer = ask()
    for attempt in range(1, max(0, retries) + 1):
        if answer.deployable is not None:
            break
        if on_wait is not None:
            on_wait(attempt, interval)
        sleep(interval)
        answer = ask()
    return answer


def render(decision: Decision, reasons: Sequence[str]) -> Table:
    """Render a decision's matrix rows as a table.

    Args:
        decision:
            The decision.

        reasons:
            One explanation per row (see [`row_reason`][pipeline.can_i_deploy.row_reason]).

    Returns:
        The table, titled with the answer.
    """
    verdict = {True: "[green]yes[/]", False: "[red]no[/]", None: "[yellow]unknown[/]"}
    table = Table(
        title=(
            f"can-i-deploy {escape(str(decision.target))} to {escape(decision.environment)}: "
            f"{verdict[decision.answer.deployable]}"
        ),
        title_justify="left",
    )
    for column in ("consumer", "c.version", "provider", "p.version", "verified?", "reason"):
        table.add_column(column)
    marks = {True: "[green]✔ yes[/]", False: "[red]✘ failed[/]", None: "[yellow]? no result[/]"}
    for row, reason in zip(decision.answer.rows, reasons, strict=True):
        table.add_row(
            escape(row.consumer),
            escape(row.consumer_version or "-"),
            escape(row.provider),
            escape(row.provider_version or "-"),
            marks[row.verified],
            escape(reason),
        )
    return table


def summary_line(decisions: Sequence[Decision]) -> str:
    """Summarise the "no" decisions in one line, for the stage's error message.

    Args:
        decisions:
            All decisions of the run.

    Returns:
        E.g. "can-i-deploy says no for FrontendWebsite 1a2b to prod: deploy ProductService
        to prod first …".
    """
    parts = []
    for decision in decisions:
        if decision.deployable:
            continue
        unknown = " (still unknown)" if decision.answer.deployable is None else ""
        first = f": {decision.advice[0]}" if decision.advice else ""
        parts.append(f"{decision.target} to {decision.environment}{unknown}{first}")
    return "can-i-deploy says no for " + "; ".join(parts)


def can_i_deploy(
    settings: Settings,
    broker: BrokerClient,
    targets: Sequence[Target],
    environment: str,
    out: Output,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Decision]:
    """Check every target against the environment, print the matrix and advice.

    Args:
        settings:
            The settings (retries, pacticipant names, known environments).

        broker:
            The broker client.

        targets:
            The pacticipant versions to check.

        environment:
            The target environment.

        out:
            Where to print.

        sleep:
            The sleep function between retries.

    Returns:
        The decisions, all deployable.

    Raises:
        NotDeployable:
            If any target may not be deployed; the message names the first remedy.
    """
    environments.ensure(settings, broker, environment)
    decisions = [
        _decide(settings, broker, target, environment, out, sleep=sleep) for target in targets
    ]
    if not all(decision.deployable for decision in decisions):
        raise NotDeployable(summary_line(decisions))
    return decisions


def _decide(
    settings: Settings,
    broker: BrokerClient,
    target: Target,
    environment: str,
    out: Output,
    *,
    sleep: Callable[[float], None],
) -> Decision:
    def ask() -> MatrixAnswer:
        try:
            return parse_matrix(broker.matrix(target.pacticipant, target.version, environment))
        except BrokerRequestError as error:
            if error.status != _BAD_REQUEST:
                raise
            # The broker refuses matrix queries about pacticipants it has never heard of
            # ("Pacticipant Foo not found"); for deploying, that is simply a "no".
            return MatrixAnswer(deployable=False, reasons=(error.detail or str(error),), rows=())

    def on_wait(attempt: int, interval: float) -> None:
        out.info(
            f"{target} → {environment}: not known yet (nothing verified); asking again in "
            f"{interval:g}s ({attempt}/{settings.can_i_deploy_retries})"
        )

    answer = ask_until_known(
        ask,
        retries=settings.can_i_deploy_retries,
        interval=settings.can_i_deploy_interval,
        sleep=sleep,
        on_wait=on_wait,
    )
    in_environment = _counterparts_in_environment(broker, answer, target, environment)
    decision = Decision(
        target=target,
        environment=environment,
        answer=answer,
        advice=advise(
            answer,
            target,
            environment,
            consumer=settings.consumer,
            provider=settings.provider,
            in_environment=in_environment,
        ),
    )
    if answer.rows:
        reasons = [row_reason(row, target, environment, in_environment) for row in answer.rows]
        out.show(render(decision, reasons))
    _print_verdict(decision, out)
    return decision


def _counterparts_in_environment(
    broker: BrokerClient, answer: MatrixAnswer, target: Target, environment: str
) -> dict[str, list[str]]:
    """Look up what is deployed only when it can explain a missing verification."""
    unverified_providers = {
        row.provider
        for row in answer.rows
        if row.verified is None and row.consumer == target.pacticipant
    }
    return {
        provider: broker.currently_in_environment(environment, provider)
        for provider in sorted(unverified_providers)
    }


def _print_verdict(decision: Decision, out: Output) -> None:
    if decision.deployable:
        out.success(f"yes: {decision.target} can be deployed to {decision.environment}")
        for reason in decision.answer.reasons:
            out.info(reason)
        return
    state = "unknown" if decision.answer.deployable is None else "no"
    out.error(f"{state}: {decision.target} cannot be deployed to {decision.environment} yet")
    for reason in decision.answer.reasons:
        out.info(f"broker: {reason}")
    out.info("what would make it yes:")
    for line in decision.advice:
        out.info(f"  • {line}")
