"""The can-i-deploy stage: ask the broker's matrix, explain the answer, say how to get a yes.

For each pacticipant of this repository (provider first, then consumer) at its current
version, the stage sends the query `pact-broker can-i-deploy --to-environment` sends
(`GET /matrix?q[][pacticipant]=P&q[][version]=V&latestby=cvpv&environment=E`), renders
the matrix rows as a table (consumer, version, provider, version, verified?, reason) and —
because "Computer says no" alone is the most common complaint about can-i-deploy — when the
answer is not yes, lists what would make it yes: a command when one run in this checkout changes the
answer ("deploy ProductService to prod first: run `invoke deploy --env prod --pacticipant
ProductService`"), otherwise what a person or another team must do. It asks again only while
a verification can still arrive (a provider version that must verify a pact exists), and
says at once what is missing otherwise.

Parsing, the per-row reasons, the advice and what an answer awaits are pure functions, tested
without a broker.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table

from pact_pipeline.errors import BrokerRequestError, NotDeployable
from pact_pipeline.stages import environments

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from pact_pipeline.broker_client import BrokerClient
    from pact_pipeline.output import Output
    from pact_pipeline.settings import Settings


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
    """Turn the broker's `/matrix` JSON into a
    [`MatrixAnswer`][pact_pipeline.stages.can_i_deploy.MatrixAnswer].

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


@dataclass(frozen=True)
class Repository:
    """What this checkout can act on, so advice names only commands that work here.

    Attributes:
        consumer:
            This repository's consumer, if it builds one.

        provider:
            This repository's provider, if it builds one.

        version:
            The version a task run here publishes, verifies or deploys (`None`: unknown).
    """

    consumer: str | None
    provider: str | None
    version: str | None


def advise(
    answer: MatrixAnswer,
    target: Target,
    environment: str,
    *,
    here: Repository,
    in_environment: Mapping[str, Sequence[str]],
) -> tuple[str, ...]:
    """Say what would turn a "no" or "unknown" into a "yes".

    A line with a command in backticks is one that, run in this checkout as printed, changes
    the answer; everything else is said as what a person or another team must do, because no
    task here can do it (verify a version other than the checkout's, say).

    Args:
        answer:
            The broker's answer.

        target:
            The pacticipant version being checked.

        environment:
            The target environment.

        here:
            What this checkout can act on.

        in_environment:
            For the other pacticipants, which of their versions are in the environment.

    Returns:
        One line per remedy, most useful first; empty when the answer is yes.
    """
    if answer.deployable is True:
        return ()
    advice: list[str] = []
    for row in answer.rows:
        advice.extend(_row_advice(row, target, environment, here, in_environment))
    if not answer.rows:
        advice.append(_no_rows_advice(answer, target, here))
    return tuple(dict.fromkeys(advice))


def _row_advice(
    row: MatrixRow,
    target: Target,
    environment: str,
    here: Repository,
    in_environment: Mapping[str, Sequence[str]],
) -> list[str]:
    if row.verified is True:
        return []
    pact = f"the pact of {row.consumer} {row.consumer_version or '?'}"
    if row.verified is False:
        where = f" ({row.verification_url})" if row.verification_url else ""
        return [
            f"{row.provider} {row.provider_version or '?'} fails {pact}{where}: change "
            f"{row.provider} to honour it (or agree a new pact with {row.consumer}'s team), "
            f"then verify and deploy that {row.provider} version"
        ]
    if row.consumer == target.pacticipant:
        deployed = in_environment.get(row.provider, ())
        if not deployed:
            if row.provider == here.provider:
                return [
                    f"deploy {row.provider} to {environment} first: run "
                    f"`invoke deploy --env {environment} --pacticipant {row.provider}`"
                ]
            return [
                f"{row.provider} has no version in {environment}: its team must deploy one "
                f"that verified {pact} first"
            ]
        return [_verify_advice(row, deployed, f" (in {environment})", here)]
    return [_verify_advice(row, (target.version,), "", here)]


def _verify_advice(
    row: MatrixRow, provider_versions: Sequence[str], where: str, here: Repository
) -> str:
    """Have provider `provider_versions` verify the row's pact: by a command if one is ours."""
    pact = f"the pact of {row.consumer} {row.consumer_version or '?'}"
    versions = ", ".join(provider_versions)
    ours = row.provider == here.provider and here.version in provider_versions
    if ours and row.pact_url:
        return (
            f"verify {pact} with {row.provider} {here.version}{where} and publish the "
            f"result: run `invoke ci-webhook --pact-url {row.pact_url} --publish`"
        )
    if ours:
        return (
            f"verify {row.provider} {here.version}{where} and publish the results: "
            "run `invoke verify --publish`"
        )
    return (
        f"{row.provider} {versions}{where} has not verified {pact}: that version's build "
        "must verify it (a broker webhook for contract_requiring_verification_published "
        f"does this; by hand, from a checkout of {row.provider} {versions}: invoke "
        f"ci-webhook --pact-url {row.pact_url or '<the pact URL>'} --publish)"
    )


def _no_rows_advice(answer: MatrixAnswer, target: Target, here: Repository) -> str:
    this_version = target.version == here.version
    if answer.deployable is False and this_version and target.pacticipant == here.consumer:
        return f"publish the pacts of {target} first: run `invoke publish`"
    if answer.deployable is False and this_version and target.pacticipant == here.provider:
        return (
            f"verify {target} and publish the results first (its version is then known even "
            "with no consumers yet): run `invoke verify --publish --allow-empty`"
        )
    if answer.deployable is False:
        return (
            f"the broker knows nothing of {target}: its build must publish pacts or "
            "verification results for that version first"
        )
    return "read the broker's reasons above: no verification can change this answer by itself"


def awaited(
    answer: MatrixAnswer, target: Target, in_environment: Mapping[str, Sequence[str]]
) -> list[str]:
    """The verifications an unknown answer is waiting for, that can still arrive.

    A pact awaits a result when a provider version that must verify it exists: the target
    provider itself, or the provider version deployed in the environment. A pact whose
    provider has no version there awaits nothing: no build will verify it, so asking again
    cannot help.

    Args:
        answer:
            The broker's answer.

        target:
            The pacticipant version being checked.

        in_environment:
            For the other pacticipants, which of their versions are in the environment.

    Returns:
        E.g. ["ProductService 1a2b to verify FrontendWebsite 3c4d"]; empty unless unknown.
    """
    if answer.deployable is not None:
        return []
    waiting = []
    for row in answer.rows:
        if row.verified is not None:
            continue
        if row.consumer == target.pacticipant:
            versions = ", ".join(in_environment.get(row.provider, ()))
        else:
            versions = target.version
        if versions:
            waiting.append(
                f"{row.provider} {versions} to verify {row.consumer} {row.consumer_version or '?'}"
            )
    return waiting


def render(decision: Decision, reasons: Sequence[str]) -> Table:
    """Render a decision's matrix rows as a table.

    Args:
        decision:
            The decision.

        reasons:
            One explanation per row (see
            [`row_reason`][pact_pipeline.stages.can_i_deploy.row_reason]).

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
        unknown = " (unknown)" if decision.answer.deployable is None else ""
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
    here: Repository,
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

        here:
            What this checkout can act on (for the advice).

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
        _decide(settings, broker, target, (environment, here), out, sleep=sleep)
        for target in targets
    ]
    if not all(decision.deployable for decision in decisions):
        raise NotDeployable(summary_line(decisions))
    return decisions


def _decide(
    settings: Settings,
    broker: BrokerClient,
    target: Target,
    context: tuple[str, Repository],
    out: Output,
    *,
    sleep: Callable[[float], None],
) -> Decision:
    environment, here = context

    def ask() -> MatrixAnswer:
        try:
            return parse_matrix(broker.matrix(target.pacticipant, target.version, environment))
        except BrokerRequestError as error:
            if error.status != _BAD_REQUEST:
                raise
            # The broker refuses matrix queries about pacticipants it has never heard of
            # ("Pacticipant Foo not found"); for deploying, that is simply a "no".
            return MatrixAnswer(deployable=False, reasons=(error.detail or str(error),), rows=())

    answer = ask()
    in_environment = _counterparts_in_environment(broker, answer, target, environment)
    for attempt in range(1, settings.can_i_deploy_retries + 1):
        waiting = awaited(answer, target, in_environment)
        if not waiting:
            break
        out.info(
            f"{target} → {environment}: unknown until {'; '.join(waiting)}; asking again in "
            f"{settings.can_i_deploy_interval:g}s ({attempt}/{settings.can_i_deploy_retries})"
        )
        sleep(settings.can_i_deploy_interval)
        answer = ask()
        in_environment = _counterparts_in_environment(broker, answer, target, environment)
    decision = Decision(
        target=target,
        environment=environment,
        answer=answer,
        advice=advise(answer, target, environment, here=here, in_environment=in_environment),
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
        if not decision.answer.rows:
            out.info(
                f"no pact involving {decision.target.pacticipant} needs verifying for "
                f"{decision.environment}: no consumers yet"
            )
        return
    state = "unknown" if decision.answer.deployable is None else "no"
    out.error(f"{state}: {decision.target} cannot be deployed to {decision.environment} yet")
    for reason in decision.answer.reasons:
        out.info(f"broker: {reason}")
    out.info("what would make it yes:")
    for line in decision.advice:
        out.info(f"  • {line}")
