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

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table

from pact_pipeline.errors import PipelineError, StageFailed
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
    from collections.abc import Callable, Mapping, Sequence

    from pact import Verifier
    from pact.verifier import BrokerSelectorBuilder

    from pact_pipeline.broker_client import BrokerClient, JsonObject
    from pact_pipeline.git import Revision
    from pact_pipeline.output import Output
    from pact_pipeline.settings import BrokerAuth, Settings

#: The consumer version selectors, as keyword arguments of pact-python's
#: `BrokerSelectorBuilder.consumer_version`: the recommended set (docs.pact.io) — the
#: consumers' main branch, whatever is deployed or released, and the consumer branch with
#: the same name as the provider's (for coordinated feature branches).
SELECTORS: tuple[Mapping[str, Any], ...] = (
    {"main_branch": True},
    {"deployed_or_released": True},
    {"matching_branch": True},
)


def selector_json(selector: Mapping[str, Any]) -> JsonObject:
    """Translate pact-python selector keywords to the broker's JSON keys.

    Args:
        selector:
            E.g. `{"main_branch": True}`.

    Returns:
        E.g. `{"mainBranch": True}`.
    """
    return {_camel(key): value for key, value in selector.items()}


def for_verification_request(*, branch: str, wip_since: str) -> JsonObject:
    """Build the pacts-for-verification request the verifier itself will send.

    Args:
        branch:
            The provider's branch (pending and WIP are computed per branch).

        wip_since:
            Include work-in-progress pacts published after this date.

    Returns:
        The JSON body.
    """
    return {
        "consumerVersionSelectors": [selector_json(selector) for selector in SELECTORS],
        "includePendingStatus": True,
        "includeWipPactsSince": wip_since,
        "providerVersionBranch": branch,
    }


@dataclass(frozen=True)
class SelectedPact:
    """A pact the broker selected for verification, and why.

    Attributes:
        name:
            E.g. "Pact between FrontendWebsite (1a2b) and ProductService".

        url:
            The pact's URL (it carries the selection metadata).

        reason:
            The broker's short description, e.g. "latest from main branch".

        pending:
            Whether a failure will not fail the build.

        wip:
            Whether it is a work-in-progress pact.

        notices:
            The broker's "before verification" notices, except the inclusion reason
            (`reason` says it in short, and the verifier prints it in full).
    """

    name: str
    url: str
    reason: str
    pending: bool = False
    wip: bool = False
    notices: tuple[str, ...] = ()


#: How the broker's "why this pact is verified" notice starts ("The pact at <url> is being
#: verified because …"); the table shows the same facts as `shortDescription`.
_INCLUSION_NOTICE = "The pact at "


def parse_selected(pacts: Sequence[Mapping[str, Any]]) -> list[SelectedPact]:
    """Read the `_embedded.pacts` entries of a pacts-for-verification answer.

    Args:
        pacts:
            The entries.

    Returns:
        The selected pacts; entries without a URL are dropped (the verifier ignores them).
    """
    selected = []
    for pact in pacts:
        link = pact.get("_links", {}).get("self", {})
        url = link.get("href") if isinstance(link, dict) else None
        if not isinstance(url, str):
            continue
        properties = pact.get("verificationProperties") or {}
        notices = tuple(
            text
            for notice in properties.get("notices") or []
            if isinstance(notice, dict) and notice.get("when") == "before_verification"
            for text in [str(notice.get("text", ""))]
            if not text.startswith(_INCLUSION_NOTICE)
        )
        selected.append(
            SelectedPact(
                name=str(link.get("name") or url),
                url=url,
                reason=str(pact.get("shortDescription", "")),
                pending=properties.get("pending") is True,
                wip=properties.get("wip") is True,
                notices=notices,
            )
        )
    return selected


def selection_table(selected: Sequence[SelectedPact], *, provider: str, branch: str) -> Table:
    """Render the selected pacts and why they were selected.

    Args:
        selected:
            The selected pacts.

        provider:
            The provider's name.

        branch:
            The provider's branch.

    Returns:
        The table.
    """
    table = Table(
        title=f"Pacts selected for {escape(provider)} (branch {escape(branch)})",
        title_justify="left",
    )
    for column in ("pact", "selected because", "pending", "wip", "notices"):
        table.add_column(column)
    for pact in selected:
        table.add_row(
            escape(pact.name),
            escape(pact.reason),
            "[yellow]yes[/]" if pact.pending else "no",
            "[yellow]yes[/]" if pact.wip else "no",
            escape("\n".join(first_sentence(notice) for notice in pact.notices)),
        )
    return table


def first_sentence(text: str) -> str:
    """Shorten a notice to its first sentence (the verifier prints it in full anyway).

    Args:
        text:
            The notice.

    Returns:
        The text up to and including the first ". ", or the first line.
    """
    line = text.strip().splitlines()[0] if text.strip() else ""
    end = line.find(". ")
    return line[: end + 1] if end >= 0 else line


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
            If no pact is selected, the verification fails, or the results were not
            published.
    """
    wip_since = settings.wip_since
    provider = settings.require_provider("verify").name
    selected = parse_selected(
        broker.pacts_for_verification(
            provider,
            for_verification_request(branch=revision.branch, wip_since=wip_since.isoformat()),
        )
    )
    if not selected:
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
        if allow_empty:
            out.warn(f"{message}; nothing to verify (--allow-empty)")
            return
        msg = f"{message}, or pass --allow-empty"
        raise StageFailed(msg)
    out.show(selection_table(selected, provider=provider, branch=revision.branch))
    pacts = [verified_pact(broker, pact.url, pending=pact.pending) for pact in selected]
    outcome = run_verifier(
        settings,
        out,
        lambda verifier: add_broker_source(
            verifier,
            broker_url=broker.base_url,
            auth=broker.auth,
            branch=revision.branch,
            wip_since=wip_since,
        ),
        pacts=pacts,
        publish_as=revision if publish else None,
    )
    _report(settings, broker, revision, out, outcome, [pact.url for pact in selected], publish)


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


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)
