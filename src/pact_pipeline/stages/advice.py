"""What a can-i-deploy answer means, row by row, and what would turn it into a yes.

Because "Computer says no" alone is the most common complaint about can-i-deploy, every row
gets a reason in words, and an answer that is not yes gets advice: a command in backticks
when one run in this checkout changes the answer, otherwise what a person or another team must
do. [`awaited`][pact_pipeline.stages.advice.awaited] says which verifications an unknown answer
is waiting for, so the stage asks again only while one can still arrive. A row the broker
answered by comparing the pact with the provider's OpenAPI (PactFlow's bi-directional contract
testing, `verificationType: BDCT`) is fixed by changing the pact or the document, never by
running a verification; a provider of this repository that does not run pacts is asked for its
provider contract. All pure functions.
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
    if row.compared and row.verified is True:
        return f"fits {row.provider} {provider_version}'s OpenAPI (self-verified)"
    if row.compared and row.verified is False:
        return (
            f"does not fit {row.provider} {provider_version}'s OpenAPI, or its "
            "self-verification failed (the broker's reason says which)"
        )
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

        provider_testing:
            How this repository's provider is tested (`pipeline.provider.contract_testing`):
            `pacts` (it runs them), `openapi` (it publishes a provider contract) or `both`.
    """

    consumer: str | None
    provider: str | None
    version: str | None
    provider_testing: str = "pacts"

    @property
    def provider_runs_pacts(self) -> bool:
        """Whether this repository's provider verifies pacts (`pacts` or `both`)."""
        return self.provider_testing != "openapi"


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
    if row.verified is False and row.compared:
        return [_incompatible_advice(row, target, here)]
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


def _incompatible_advice(row: MatrixRow, target: Target, here: Repository) -> str:
    """A pact that does not fit the provider's contract (BDCT): a pact or an OpenAPI change,
    by the side being deployed when it is built here.

    No command: publishing the same pact or the same document again changes nothing.
    """
    pact = f"the pact of {row.consumer} {row.consumer_version or '?'}"
    provider = f"{row.provider} {row.provider_version or '?'}"
    where = f" ({row.verification_url})" if row.verification_url else ""
    consumer_moves = row.consumer == target.pacticipant and row.consumer == here.consumer
    if row.provider == here.provider and not consumer_moves:
        return (
            f"{provider}'s provider contract does not fit {pact}{where}: change "
            f"{row.provider} and its OpenAPI document to offer what the pact uses (the "
            f"broker's reason names it), or agree a new pact with {row.consumer}'s team; if its "
            "self-verification failed, fix that; then publish the provider contract of the new "
            "version (invoke publish-provider-contract) and deploy it"
        )
    if row.consumer == here.consumer:
        return (
            f"{pact} uses what {provider}'s OpenAPI does not offer{where}: change "
            f"{row.consumer} to rely only on what the document has (the broker's reason names "
            f"the mismatch), then test and publish the new pact; or ask {row.provider}'s team "
            "to add it (or to fix their self-verification, if that failed)"
        )
    return (
        f"{provider}'s provider contract does not fit {pact}{where}: {row.consumer}'s pact or "
        f"{row.provider}'s OpenAPI document must change"
    )


def _verify_advice(
    row: MatrixRow, provider_versions: Sequence[str], where: str, here: Repository
) -> str:
    """Have provider `provider_versions` verify the row's pact: by a command if one is ours."""
    pact = f"the pact of {row.consumer} {row.consumer_version or '?'}"
    versions = ", ".join(provider_versions)
    ours = row.provider == here.provider and here.version in provider_versions
    if row.provider == here.provider and not here.provider_runs_pacts:
        return _contract_advice(row, versions, where, ours=ours)
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


def _contract_advice(row: MatrixRow, versions: str, where: str, *, ours: bool) -> str:
    """Our provider does not run pacts: the missing answer is a provider contract's."""
    pact = f"the pact of {row.consumer} {row.consumer_version or '?'}"
    if ours:
        return (
            f"{row.provider} {versions}{where} has no provider contract to compare {pact} "
            "with: run `invoke publish-provider-contract`"
        )
    return (
        f"{row.provider} {versions}{where} has no provider contract to compare {pact} with: "
        f"that version's build must publish one (invoke publish-provider-contract, from a "
        f"checkout of {row.provider} {versions})"
    )


def _no_rows_advice(answer: MatrixAnswer, target: Target, here: Repository) -> str:
    this_version = target.version == here.version
    if answer.deployable is False and this_version and target.pacticipant == here.consumer:
        return f"publish the pacts of {target} first: run `invoke publish`"
    ours = this_version and target.pacticipant == here.provider
    if answer.deployable is False and ours and not here.provider_runs_pacts:
        return (
            f"publish the provider contract of {target} first (its version is then known even "
            "with no consumers yet): run `invoke publish-provider-contract`"
        )
    if answer.deployable is False and ours:
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
