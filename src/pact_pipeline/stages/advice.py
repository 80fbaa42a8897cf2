"""What a can-i-deploy answer means, row by row, and what would turn it into a yes.

Because "Computer says no" alone is the most common complaint about can-i-deploy, every row
gets a reason in words, and an answer that is not yes gets advice: a command in backticks
when one run in this checkout changes the answer, otherwise what a person or another team must
do. [`awaited`][pact_pipeline.stages.advice.awaited] says which verifications an unknown answer
is waiting for, so the stage asks again only while one can still arrive. All pure functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from pact_pipeline.stages.matrix import MatrixAnswer, MatrixRow, Target


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
