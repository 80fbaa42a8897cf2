"""The verify stage: verify this repository's provider against the pacts the broker selects.

The stage guards against the three classic false greens:

1. **Verifying nothing.** Before running the verifier, the stage sends the very selectors
   the verifier will send (`mainBranch`, `deployedOrReleased`, `matchingBranch`, pending
   on, WIP since a date, the provider branch) to `pb:provider-pacts-for-verification` and
   prints the selected pacts with the reason each was selected (pending? WIP? notices).
   No selected pact is a failure unless `--allow-empty` (a provider's very first build).
2. **A failure that does not count.** The verifier's per-interaction results are shown
   with their pending flag, so a failing pending pact is visible rather than silent.
3. **Results that never reached the broker.** When results are published, the stage reads
   each pact's latest verification back and fails unless it is this provider version's.

`ci-webhook` mode verifies the one pact a broker webhook points at (`PACT_URL`), the way a
"contract requiring verification published" webhook build does, with no broker selectors
(adding them would verify unrelated pacts too).

The provider itself is served by its adapter (`pipeline.provider.adapter`, loaded when the
stage runs) and verified by [`pact_pipeline.verifier`][pact_pipeline.verifier], so the other
stages (and their tests) do not need pact's FFI.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import TYPE_CHECKING

from pact_pipeline.errors import PipelineError, StageFailed
from pact_pipeline.stages.selection import (
    SELECTORS,
    for_verification_request,
    parse_selected,
    selection_table,
)
from pact_pipeline.stages.verification_results import (
    VerificationOutcome,
    VerifiedPact,
    attribute,
    failure_message,
    pact_lines,
    parse_results,
    results_table,
    verdict,
)
from pact_pipeline.verifier import load_adapter, make_verifier, run

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from pact import Verifier
    from pact.verifier import BrokerSelectorBuilder

    from pact_pipeline.broker_client import BrokerClient
    from pact_pipeline.git import Revision
    from pact_pipeline.output import Output
    from pact_pipeline.settings import BrokerAuth, Settings


def add_broker_source(
    verifier: Verifier,
    *,
    broker_url: str,
    auth: BrokerAuth,
    branch: str,
    wip_since: date,
) -> Verifier:
    """Point the verifier at the broker with our selectors, pending and WIP.

    Args:
        verifier:
            The verifier.

        broker_url:
            The broker's URL.

        auth:
            Broker credentials.

        branch:
            The provider branch (pending/WIP are computed for it).

        wip_since:
            Include WIP pacts published after this date.

    Returns:
        The verifier.
    """
    # use_env=False: the credentials come from our settings, which already read the
    # standard variables; letting pact-python read them again could mix token and basic.
    builder: BrokerSelectorBuilder
    if auth.token:
        builder = verifier.broker_source(broker_url, token=auth.token, selector=True, use_env=False)
    else:
        builder = verifier.broker_source(
            broker_url,
            username=auth.username,
            password=auth.password,
            selector=True,
            use_env=False,
        )
    for selector in SELECTORS:
        builder = builder.consumer_version(**selector)
    return builder.include_pending().include_wip_since(wip_since).provider_branch(branch).build()


def add_url_source(verifier: Verifier, *, pact_url: str, auth: BrokerAuth) -> Verifier:
    """Point the verifier at one pact URL (ci-webhook mode).

    Args:
        verifier:
            The verifier.

        pact_url:
            The pact's URL from the broker webhook (`${pactbroker.pactUrl}`).

        auth:
            Broker credentials.

    Returns:
        The verifier.
    """
    if auth.token:
        return verifier.add_source(pact_url, token=auth.token)
    return verifier.add_source(pact_url, username=auth.username, password=auth.password)


def run_verifier(
    settings: Settings,
    out: Output,
    add_source: Callable[[Verifier], Verifier],
    *,
    pacts: Sequence[VerifiedPact],
    publish_as: Revision | None,
) -> VerificationOutcome:
    """Serve the provider through its adapter and run pact's verifier against it.

    Args:
        settings:
            The settings (the provider and its adapter, build URL).

        out:
            Where to print the per-interaction table.

        add_source:
            Adds the pacts to verify to the verifier.

        pacts:
            The pacts `add_source` adds, to report the results pact by pact.

        publish_as:
            The provider version and branch to publish results as, or `None` to not
            publish.

    Returns:
        The outcome.

    Raises:
        PipelineError:
            If the provider's adapter cannot be loaded or cannot serve the provider.
    """
    provider = settings.require_provider("verify")
    adapter = load_adapter(provider.adapter)
    try:
        with adapter() as served:
            verifier = add_source(make_verifier(provider.name, served))
            if publish_as is not None:
                verifier.set_publish_options(
                    publish_as.version, url=settings.build_url, branch=publish_as.branch
                )
            result = run(verifier)
    except RuntimeError as error:
        # serve_app raises RuntimeError when the app cannot start.
        msg = f"cannot serve {provider.name} for verification: {error}"
        raise PipelineError(msg) from None
    interactions = parse_results(result.results)
    outcome = VerificationOutcome(
        passed=result.passed, interactions=interactions, pacts=attribute(interactions, pacts)
    )
    if outcome.interactions:
        out.show(results_table(outcome))
    return outcome


def verify(
    settings: Settings,
    broker: BrokerClient,
    revision: Revision,
    out: Output,
    *,
    publish: bool,
    allow_empty: bool = False,
) -> None:
    """Verify the provider against the pacts the broker selects for its branch.

    Args:
        settings:
            The settings.

        broker:
            The broker client.

        revision:
            The provider version and branch.

        out:
            Where to print.
        publish:
            Publish the results to the broker (and check they arrived).

        allow_empty:
            Succeed when the broker selects no pact (a provider's first build).

    Raises:
        PipelineError:
            If no pact is selected, verification fails, or results were not published.
    """
    wip_since = settings.wip_since
    provider = settings.require_provider("verify").name
    request = for_verification_request(branch=revision.branch, wip_since=wip_since.isoformat())
    selected = parse_selected(broker.pacts_for_verification(provider, request))
    if not selected:
        _nothing_selected(broker, provider, revision, out, publish=publish, allow=allow_empty)
        return
    out.show(selection_table(selected, provider=provider, branch=revision.branch))
    pacts = [verified_pact(broker, pact.url, pending=pact.pending) for pact in selected]
    outcome = run_verifier(
        settings,
        out,
        partial(
            add_broker_source,
            broker_url=broker.base_url,
            auth=broker.auth,
            branch=revision.branch,
            wip_since=wip_since,
        ),
        pacts=pacts,
        publish_as=revision if publish else None,
    )
    _report(settings, broker, revision, out, outcome, [pact.url for pact in selected], publish)


def _nothing_selected(
    broker: BrokerClient,
    provider: str,
    revision: Revision,
    out: Output,
    *,
    publish: bool,
    allow: bool,
) -> None:
    """A provider with no pact to verify: fine for its first build (`--allow-empty`)."""
    if publish:
        # A provider's first build has nothing to verify, but its version must still be
        # known to the broker: can-i-deploy then answers "yes, no consumers yet".
        broker.record_branch_version(provider, revision.branch, revision.version)
        out.info(
            f"recorded {provider} {revision.version} on branch {revision.branch} in the broker"
        )
    message = (
        f"no pacts selected for verification of {provider} (branch "
        f"{revision.branch}): publish the consumer's pacts first (`invoke publish`)"
    )
    if not allow:
        msg = f"{message}, or pass --allow-empty"
        raise StageFailed(msg)
    out.warn(f"{message}; nothing to verify (--allow-empty)")


def verify_pact_url(
    settings: Settings,
    broker: BrokerClient,
    revision: Revision,
    out: Output,
    *,
    pact_url: str,
    publish: bool,
) -> None:
    """Verify the single pact at `pact_url` (the `ci-webhook` stage).

    Args:
        settings:
            The settings.

        broker:
            The broker client (to check that results were published).

        revision:
            The provider version and branch.

        out:
            Where to print.

        pact_url:
            The pact's URL.

        publish:
            Publish the results to the broker (and check they arrived).

    Raises:
        PipelineError:
            If the verification fails or the results were not published.
    """
    out.info(f"verifying the pact at {pact_url}")
    outcome = run_verifier(
        settings,
        out,
        lambda verifier: add_url_source(verifier, pact_url=pact_url, auth=broker.auth),
        pacts=[verified_pact(broker, pact_url, pending=False)],
        publish_as=revision if publish else None,
    )
    _report(settings, broker, revision, out, outcome, [pact_url], publish)


def _report(
    settings: Settings,
    broker: BrokerClient,
    revision: Revision,
    out: Output,
    outcome: VerificationOutcome,
    pact_urls: Sequence[str],
    publish: bool,
) -> None:
    provider = settings.require_provider("verify").name
    if not outcome.interactions:
        # Nothing was verified: either the verifier found no interaction (a false green
        # waiting to happen) or it failed before verifying (e.g. it could not fetch pacts).
        msg = (
            f"the verifier checked no interaction of {provider}: nothing was verified"
            if outcome.passed
            else f"the verifier failed before verifying {provider} — see its output above"
        )
        raise StageFailed(msg)
    if publish:
        # Check even after a failure: a published failure is what makes can-i-deploy say
        # "no" (rather than "unknown"), so its absence is worth reporting too.
        check_published(broker, pact_urls, revision.version, out)
    else:
        out.info("results not published (set CI=true or pass --publish to publish them)")
    for kind, line in pact_lines(outcome):
        getattr(out, kind)(line)
    if any(not result.passed and result.pending for result in outcome.interactions):
        out.info("a failed pending pact's consumer cannot deploy until its pact passes")
    if not outcome.passed:
        raise StageFailed(failure_message(provider, revision.version, outcome))
    out.success(verdict(provider, revision.version, outcome))


def verified_pact(broker: BrokerClient, url: str, *, pending: bool) -> VerifiedPact:
    """Read a pact's consumer, consumer version and interaction ids, to report by pact.

    Args:
        broker:
            The broker client.

        url:
            The pact's URL.

        pending:
            Whether the broker selected it as pending.

    Returns:
        The pact as the report names it; its URL if the broker's answer lacks the names.
    """
    try:
        pact = broker.get(url, action="read the pact")
    except PipelineError:
        # The verifier reports the same failure to fetch, in its own words.
        return VerifiedPact(label=url, pending=pending)
    consumer = pact.get("consumer")
    name = consumer.get("name") if isinstance(consumer, dict) else None
    version_link = pact.get("_links", {}).get("pb:consumer-version")
    number = version_link.get("name") if isinstance(version_link, dict) else None
    ids = frozenset(
        item["_id"]
        for key in ("interactions", "messages")
        for item in pact.get(key) or []
        if isinstance(item, dict) and isinstance(item.get("_id"), str)
    )
    label = " ".join(str(part) for part in (name, number) if part) or url
    return VerifiedPact(label=label, pending=pending, interaction_ids=ids)


def check_published(
    broker: BrokerClient, pact_urls: Sequence[str], version: str, out: Output
) -> None:
    """Fail unless every pact's latest verification comes from provider `version`.

    Args:
        broker:
            The broker client.

        pact_urls:
            The verified pacts' URLs.

        version:
            The provider version that should have published.

        out:
            Where to print the result URLs.

    Raises:
        StageFailed:
            If a result is missing or belongs to another version.
    """
    for url in pact_urls:
        result = broker.latest_verification(url)
        published_by = result.get("providerApplicationVersion") if result else None
        if published_by != version:
            found = f"the latest is from version {published_by}" if published_by else "none found"
            msg = (
                f"verification results for {url} were not published by version {version} "
                f"({found}): the broker did not record this run"
            )
            raise StageFailed(msg)
        link = (result or {}).get("_links", {}).get("self", {})
        href = link.get("href") if isinstance(link, dict) else None
        outcome = "success" if (result or {}).get("success") else "failure"
        out.info(f"published verification result ({outcome}): {href or url}")
