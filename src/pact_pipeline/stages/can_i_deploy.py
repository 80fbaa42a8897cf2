"""The can-i-deploy stage: ask the broker's matrix, explain the answer, say how to get a yes.

For each pacticipant of this repository (provider first, then consumer) at its current
version, the stage sends the query `pact-broker can-i-deploy --to-environment` sends
(`GET /matrix?q[][pacticipant]=P&q[][version]=V&latestby=cvpv&environment=E`), renders
the matrix rows as a table (consumer, version, provider, version, verified?, by `pact` or `oas`
when the broker says, reason) and —
because "Computer says no" alone is the most common complaint about can-i-deploy — when the
answer is not yes, lists what would make it yes ([`pact_pipeline.stages.advice`][]). It asks
again only while a verification can still arrive (a provider version that must verify a pact
exists), and says at once what is missing otherwise.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table

from pact_pipeline.errors import BrokerError, BrokerRequestError, NotDeployable
from pact_pipeline.stages import environments
from pact_pipeline.stages.advice import Repository, advise, awaited, row_reason
from pact_pipeline.stages.matrix import CDCT, MatrixAnswer, MatrixRow, Target, parse_matrix
from pact_pipeline.stages.reconcile import provider_has_pact_changed_webhook

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from pact_pipeline.broker_client import BrokerClient
    from pact_pipeline.output import Output
    from pact_pipeline.settings import Settings


_BAD_REQUEST = 400


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
    # PactFlow's brokers (and ours) say how each row was answered; an OSS Pact Broker does
    # not, and then every answer is a verification: no column for it.
    typed = any(row.verification_type for row in decision.answer.rows)
    columns = ("consumer", "c.version", "provider", "p.version", "verified?")
    for column in (*columns, *(("by",) if typed else ()), "reason"):
        table.add_column(column)
    marks = {True: "[green]✔ yes[/]", False: "[red]✘ failed[/]", None: "[yellow]? no result[/]"}
    for row, reason in zip(decision.answer.rows, reasons, strict=True):
        cells = [
            escape(row.consumer),
            escape(row.consumer_version or "-"),
            escape(row.provider),
            escape(row.provider_version or "-"),
            marks[row.verified],
        ]
        if typed:
            cells.append(verified_by(row))
        table.add_row(*cells, escape(reason))
    return table


def verified_by(row: MatrixRow) -> str:
    """How a row was answered: `pact` (the provider ran it, CDCT), `oas` (compared with the
    provider's OpenAPI, BDCT), `-` (no answer yet)."""
    if row.compared:
        return "oas"
    return "pact" if row.verification_type == CDCT else "-"


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


@dataclass(frozen=True)
class DeployContext:
    """What can-i-deploy and deploy need besides the targets and the environment.

    Attributes:
        settings:
            The settings (retries, known environments).

        broker:
            The broker client.

        out:
            Where to print.

        here:
            What this checkout can act on (for the advice).

        sleep:
            The sleep function between retries (tests pass a fake one).
    """

    settings: Settings
    broker: BrokerClient
    out: Output
    here: Repository
    sleep: Callable[[float], None] = time.sleep


def can_i_deploy(
    context: DeployContext, targets: Sequence[Target], environment: str
) -> list[Decision]:
    """Check every target against the environment, print the matrix and advice.

    Args:
        context:
            The settings, broker, output and checkout.

        targets:
            The pacticipant versions to check.

        environment:
            The target environment.

    Returns:
        The decisions, all deployable.

    Raises:
        NotDeployable:
            If any target may not be deployed; the message names the first remedy.
    """
    environments.ensure(context.settings, context.broker, environment)
    decisions = [_decide(context, target, environment) for target in targets]
    if not all(decision.deployable for decision in decisions):
        raise NotDeployable(summary_line(decisions))
    return decisions


def _decide(context: DeployContext, target: Target, environment: str) -> Decision:
    settings, broker, out = context.settings, context.broker, context.out

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
        context.sleep(settings.can_i_deploy_interval)
        answer = ask()
        in_environment = _counterparts_in_environment(broker, answer, target, environment)
    advice = advise(answer, target, environment, here=context.here, in_environment=in_environment)
    decision = Decision(
        target=target,
        environment=environment,
        answer=answer,
        advice=advice + _no_webhook_advice(broker, answer, context.here, target, in_environment),
    )
    if answer.rows:
        reasons = [row_reason(row, target, environment, in_environment) for row in answer.rows]
        out.show(render(decision, reasons))
    _print_verdict(decision, out)
    return decision


def _no_webhook_advice(
    broker: BrokerClient,
    answer: MatrixAnswer,
    here: Repository,
    target: Target,
    in_environment: Mapping[str, Sequence[str]],
) -> tuple[str, ...]:
    """When an unknown answer waits on a provider no webhook builds, say so and what to run."""
    if not awaited(answer, target, in_environment):
        return ()  # nothing can arrive: a webhook would not help either
    waiting = sorted({row.provider for row in answer.rows if row.verified is None})
    lines = []
    for provider in waiting:
        if provider == here.provider and not here.provider_runs_pacts:
            continue  # it publishes a provider contract: no webhook build would help
        try:
            if provider_has_pact_changed_webhook(broker, provider):
                continue
        except BrokerError:
            continue  # e.g. credentials that may not read webhooks: say nothing
        if provider == here.provider:
            lines.append(
                f"no webhook builds {provider} when a pact changes, so no verification will "
                "arrive by itself: run `invoke reconcile` (it runs what can-i-deploy waits "
                "for), and invoke create-or-update-pact-changed-webhook to automate it"
            )
        else:
            lines.append(
                f"no webhook builds {provider} when a pact changes, so no verification will "
                f"arrive by itself: {provider}'s team can run invoke reconcile, or set up a "
                "pact-changed webhook"
            )
    return tuple(lines)


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
                f"no pact with {decision.target.pacticipant} needs verifying for "
                f"{decision.environment}: no consumers yet, or none in {decision.environment}"
            )
        return
    state = "unknown" if decision.answer.deployable is None else "no"
    out.error(f"{state}: {decision.target} cannot be deployed to {decision.environment} yet")
    for reason in decision.answer.reasons:
        out.info(f"broker: {reason}")
    out.info("what would make it yes:")
    for line in decision.advice:
        out.info(f"  • {line}")
