"""Reconcile: find the verifications can-i-deploy is waiting for, and run the ones we can.

No Pact tool has this. can-i-deploy answers "unknown" when a provider version that must verify
a pact has no result for it; normally a `contract_requiring_verification_published` webhook
triggers that build, but without one (or when a build was lost) nothing ever will. For this
repository's versions, this stage lists each pact and each provider version that must verify it
— the head of the provider's main branch, and what is deployed or released in each
environment — without a result, and, where the provider lives in this repository, verifies the
pact by URL as that provider version (in this checkout if it is that version, else in a
temporary worktree of that commit) and publishes the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table

from pact_pipeline.local_ci.builds import BuildContext, BuildRequest, run_build
from pact_pipeline.stages.matrix import parse_matrix

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

    from pact_pipeline.broker_client import BrokerClient
    from pact_pipeline.output import Output
    from pact_pipeline.settings import Settings
    from pact_pipeline.stages.matrix import MatrixRow


@dataclass(frozen=True)
class AwaitedVerification:
    """A pact that a provider version must verify and has not.

    Attributes:
        consumer:
            The consumer's name.

        consumer_version:
            The consumer version whose pact it is.

        provider:
            The provider's name.

        provider_version:
            The provider version that must verify it.

        provider_branch:
            That version's branch, when known (the main branch's head).

        pact_url:
            The pact.

        why:
            Why that version must verify it ("latest from main", "in prod").
    """

    consumer: str
    consumer_version: str
    provider: str
    provider_version: str
    provider_branch: str | None
    pact_url: str
    why: str

    def __str__(self) -> str:
        """E.g. "ProductService 1a2b (in prod) to verify FrontendWebsite 3c4d"."""
        return (
            f"{self.provider} {self.provider_version} ({self.why}) to verify "
            f"{self.consumer} {self.consumer_version}"
        )


def awaited_for_consumer(
    broker: BrokerClient, consumer: str, version: str, environments: Sequence[str]
) -> list[AwaitedVerification]:
    """The verifications the pacts of `consumer` at `version` are waiting for."""
    rows = parse_matrix(broker.consumer_version_matrix(consumer, version)).rows
    pacts = {row.provider: row for row in rows if row.pact_url}
    verified = {(row.provider, row.provider_version) for row in rows if row.verified is not None}
    found: list[AwaitedVerification] = []
    for provider, row in sorted(pacts.items()):
        for provider_version, branch, why in _must_verify(broker, provider, environments):
            if (provider, provider_version) in verified:
                continue
            found.append(
                AwaitedVerification(
                    consumer=consumer,
                    consumer_version=row.consumer_version or version,
                    provider=provider,
                    provider_version=provider_version,
                    provider_branch=branch,
                    pact_url=row.pact_url or "",
                    why=why,
                )
            )
    return found


def _must_verify(
    broker: BrokerClient, provider: str, environments: Sequence[str]
) -> Iterable[tuple[str, str | None, str]]:
    """The provider versions that must verify a new pact: (version, branch, why), deduplicated."""
    seen: dict[str, tuple[str | None, list[str]]] = {}
    head = broker.main_branch_head(provider)
    if head is not None:
        branch, number = head
        seen[number] = (branch, [f"latest from {branch}"])
    for environment in environments:
        for number in broker.currently_in_environment(environment, provider):
            seen.setdefault(number, (None, []))[1].append(f"in {environment}")
    return [(number, branch, ", ".join(whys)) for number, (branch, whys) in seen.items()]


def awaited_for_provider(
    broker: BrokerClient, provider: str, version: str, environments: Sequence[str]
) -> list[AwaitedVerification]:
    """The pacts of consumers in the environments that `provider` `version` has not verified."""
    found: list[AwaitedVerification] = []
    for environment in environments:
        if broker.find_environment(environment) is None:
            continue  # nothing was ever deployed there
        answer = parse_matrix(broker.matrix(provider, version, environment))
        found.extend(
            _provider_awaits(row, version, environment)
            for row in answer.rows
            if row.provider == provider and row.verified is None and row.pact_url
        )
    return found


def _provider_awaits(row: MatrixRow, version: str, environment: str) -> AwaitedVerification:
    return AwaitedVerification(
        consumer=row.consumer,
        consumer_version=row.consumer_version or "?",
        provider=row.provider,
        provider_version=version,
        provider_branch=None,
        pact_url=row.pact_url or "",
        why=f"for {row.consumer} in {environment}",
    )


def deduplicated(items: Iterable[AwaitedVerification]) -> list[AwaitedVerification]:
    """One entry per (pact, provider version), the first reason kept."""
    unique: dict[tuple[str, str, str], AwaitedVerification] = {}
    for item in items:
        key = (item.pact_url, item.provider, item.provider_version)
        unique.setdefault(key, item)
    return list(unique.values())


def provider_has_pact_changed_webhook(broker: BrokerClient, provider: str) -> bool:
    """Whether an enabled webhook triggers a build of `provider` when a pact changes."""
    events = {"contract_requiring_verification_published", "contract_content_changed"}
    for webhook in broker.webhooks():
        if webhook.get("enabled") is False:
            continue
        scoped = webhook.get("provider")
        name = scoped.get("name") if isinstance(scoped, dict) else None
        if name not in (None, provider):
            continue
        names = {e.get("name") for e in webhook.get("events", []) if isinstance(e, dict)}
        if names & events:
            return True
    return False


def render(awaited: Sequence[AwaitedVerification], here_provider: str | None) -> Table:
    """The awaited verifications as a table, saying which this checkout can run."""
    table = Table(title="verifications can-i-deploy is waiting for", title_justify="left")
    for column in ("consumer", "c.version", "provider", "p.version", "why", "who"):
        table.add_column(column)
    for item in awaited:
        who = "here" if item.provider == here_provider else f"{item.provider}'s team"
        table.add_row(
            escape(item.consumer),
            escape(item.consumer_version),
            escape(item.provider),
            escape(item.provider_version),
            escape(item.why),
            who,
        )
    return table


def run_awaited(
    awaited: Sequence[AwaitedVerification], context: BuildContext, log_dir: Path, out: Output
) -> list[AwaitedVerification]:
    """Verify each awaited pact as its provider version and publish; returns the failures."""
    log_dir.mkdir(parents=True, exist_ok=True)
    failed: list[AwaitedVerification] = []
    for number, item in enumerate(awaited, start=1):
        log_path = log_dir / f"{number}.log"
        request = BuildRequest(item.pact_url, item.provider_version, item.provider_branch)
        stage = f"verify {item.consumer} {item.consumer_version} as {item.provider} "
        try:
            with out.stage(stage + item.provider_version):
                if run_build(context, request, log_path) != 0:
                    raise _BuildFailed
                out.success(f"verified and published (log: {log_path})")
        except _BuildFailed:
            failed.append(item)
            out.error(f"the verification failed (log: {log_path}); its last lines:")
            for line in log_path.read_text().splitlines()[-12:]:
                out.info(f"  {line}")
    return failed


class _BuildFailed(Exception):
    """A verification build exited non-zero (its stage is then shown as failed)."""


def reconcile(
    broker: BrokerClient,
    settings: Settings,
    version: str,
    environments: Sequence[str],
    context: BuildContext,
    out: Output,
) -> list[AwaitedVerification]:
    """Find and run, round after round, what can-i-deploy waits for; returns the failures.

    A verification can make a new version the provider's main-branch head, which then awaits
    its own: so go round until nothing new is found that this checkout can run (three rounds
    at most).
    """
    provider = settings.provider
    # A provider that does not run pacts answers them with its provider contract instead.
    here = provider.name if provider is not None and provider.verifies_pacts else None
    contract_only = provider.name if provider is not None and not provider.verifies_pacts else None
    attempted: set[AwaitedVerification] = set()
    failed: list[AwaitedVerification] = []
    for _round in range(3):
        with out.stage("reconcile: find what can-i-deploy waits for"):
            found = awaited_here(broker, settings, version, environments)
            awaited = [item for item in found if item not in attempted]
            if not awaited:
                out.success("nothing: every pact is verified by the versions that must")
            else:
                out.show(render(awaited, here))
        for item in awaited:
            if item.provider == contract_only:
                out.info(
                    f"not a verification: {item.provider} does not run pacts (contract_testing: "
                    f"openapi); {item.provider} {item.provider_version} must publish its "
                    "provider contract (invoke publish-provider-contract, as that version)"
                )
            elif item.provider != here:
                out.info(f"not here: {item} is for {item.provider}'s build")
        ours = [item for item in awaited if item.provider == here]
        if not ours:
            break
        attempted.update(awaited)
        log_dir = settings.ci_server_dir / "reconcile" / str(len(attempted))
        failed += run_awaited(ours, context, log_dir, out)
    return failed


def awaited_here(
    broker: BrokerClient, settings: Settings, version: str, environments: Sequence[str]
) -> list[AwaitedVerification]:
    """What the versions of this repository's pacticipants at `version` wait for."""
    found = []
    if settings.provider is not None:
        found += awaited_for_provider(broker, settings.provider.name, version, environments)
    if settings.consumer is not None:
        found += awaited_for_consumer(broker, settings.consumer.name, version, environments)
    return deduplicated(found)
