"""The wording of pacts for verification: why each pact was selected, whether it is pending,
and what the verifier should say after verifying it.

The selection rules (:mod:`pact_pipeline.broker.selection`) return reasons as data; these are
the texts of the API, after the Ruby broker's ``VerifiablePactMessages``, kept word for word.
"""

from __future__ import annotations

from collections.abc import Sequence

from pact_pipeline.broker.selection import (
    Reason,
    Selector,
    VerifiablePact,
    is_overall_latest,
    selector_order,
    sorted_reasons,
)

PENDING_DOCS = "https://docs.pact.io/go/pending"
WIP_DOCS = "https://docs.pact.io/go/wip"


def short_description(entry: VerifiablePact) -> str:
    """The comma-joined short descriptions of an entry's reasons, each said once."""
    seen: list[str] = []
    for reason in entry.reasons:
        text = short_reason(reason)
        if text not in seen:
            seen.append(text)
    return ", ".join(seen)


def short_reason(reason: Reason) -> str:
    """The short selector description (``shortDescription`` is these, comma-joined).

    Returns:
        E.g. "latest from branch main" or "deployed to production".
    """
    s = reason.selector
    if is_overall_latest(s):
        return "latest"
    if s.latest and s.tag is not None:
        return f"latest with tag {s.fallback_tag or s.tag}"
    if s.main_branch:
        return "latest from main branch"
    if s.each_branch:
        return "latest from each branch"
    if s.latest and s.branch is not None:
        return f"latest from branch {s.fallback_branch or s.branch}"
    if s.tag is not None:
        return f"one of {s.consumer} {s.tag}" if s.consumer else f"one of {s.tag}"
    if s.deployed:
        return f"deployed to {s.environment}"
    if s.released:
        return f"released in {s.environment}"
    return f"in environment {s.environment}"


def long_reason(reason: Reason, provider: str = "the provider") -> str:
    """The selector's line in the inclusion notice.

    Args:
        provider: The provider's name (the overall-latest wording mentions it).

    Returns:
        E.g. "latest version from branch 'main' (abc)".
    """
    s = reason.selector
    label = f"version of {s.consumer}" if s.consumer else "version"
    if is_overall_latest(s):
        text = f"latest version of {s.consumer or 'a consumer'} that has a pact with {provider}"
    elif s.latest and s.tag is not None:
        text = (
            f"latest {label} tagged '{s.fallback_tag}' (fallback tag used as no pact was "
            f"found with tag '{s.tag}')"
            if s.fallback_tag
            else f"latest {label} tagged '{s.tag}'"
        )
    elif s.main_branch:
        branch = f" '{reason.main_branch}'" if reason.main_branch else ""
        text = f"latest {label} from the main branch{branch}"
    elif s.each_branch:
        text = f"latest {label} of one of its branches"
    elif s.latest and s.branch is not None:
        text = f"latest {label} from branch '{s.branch}'"
    elif s.tag is not None:
        text = (
            f"all {s.consumer} versions tagged '{s.tag}'"
            if s.consumer
            else f"all consumer versions tagged '{s.tag}'"
        )
    elif s.deployed or s.released:
        return _environment_lines([reason])[0]
    else:
        text = f"{s.consumer or 'a consumer'} version in environment {s.environment}"
    return f"{text} ({reason.consumer_version_number})"


def _join(words: Sequence[str], *, quote: bool = True) -> str:
    """ "'a', 'b' and 'c'" (the broker's ``join``/``join_unquoted``)."""
    items = [f"'{w}'" for w in words] if quote else list(words)
    if len(items) <= 2:
        return " and ".join(items)
    return f"{', '.join(items[:-2])}, {' and '.join(items[-2:])}"


def _environment_lines(reasons: Sequence[Reason]) -> list[str]:
    """Deployed (or released) reasons of one kind, one line per selector consumer."""
    by_consumer: dict[str | None, list[Reason]] = {}
    for reason in reasons:
        by_consumer.setdefault(reason.selector.consumer, []).append(reason)
    lines = []
    for consumer, group in by_consumer.items():
        who = f"version(s) of {consumer}" if consumer else "consumer version(s)"
        how = "currently deployed to" if group[0].selector.deployed else "released and supported in"
        where = _join(
            [f"{r.selector.environment} ({r.consumer_version_number})" for r in group],
            quote=False,
        )
        lines.append(f"{who} {how} {where}")
    return lines


def _kind(s: Selector) -> str:
    if s.deployed:
        return "deployed"
    if s.released:
        return "released"
    return repr(selector_order(s)[0])


def _provider_scope(
    provider: str, branch: str | None, tags: Sequence[str], article: str = "any"
) -> str:
    """ "a version of P from branch 'B'", "any version of P with tag 'T'", or just "P"."""
    if branch:
        return f"{article} version of {provider} from branch '{branch}'"
    if not tags:
        return provider
    if len(tags) == 1:
        return f"{article} version of {provider} with tag '{tags[0]}'"
    return f"{article} versions of {provider} with tag {_join(tags)}"


def inclusion_notice(entry: VerifiablePact, url: str, provider: str = "the provider") -> str:
    """The notice saying why the pact is in the list.

    Args:
        entry: The entry.
        url: The pact's URL.
        provider: The provider's name.

    Returns:
        The selectors that matched the content or, for WIP, the heads it is the pact of.
    """
    if entry.wip:
        branches = [r.selector.branch for r in entry.reasons if r.selector.branch is not None]
        tags = [
            r.selector.tag
            for r in entry.reasons
            if r.selector.tag is not None and r.selector.branch is None
        ]
        version = "version" if len(tags) == 1 or len(branches) == 1 else "versions"
        parts = []
        if branches:
            parts.append(f"from {'branch' if len(branches) == 1 else 'branches'} {_join(branches)}")
        if tags:
            parts.append(f"tagged with {_join(tags)}")
        same = {1: "", 2: " (both have the same content)"}.get(
            len(entry.reasons), " (all have the same content)"
        )
        scope = _provider_scope(
            provider, entry.provider_branch, entry.pending_provider_tags, article="a"
        )
        return (
            f"The pact at {url} is being verified because it is a 'work in progress' pact (ie. "
            f"it is the pact for the latest {version} of {entry.candidate.consumer_name} "
            f"{' and '.join(parts)}{same} and it has not yet been successfully verified by "
            f"{scope} when the pact's application version was explicitly specified in the "
            f"consumer version selectors). Read more at {WIP_DOCS}"
        )
    by_kind: dict[str, list[Reason]] = {}
    for reason in sorted_reasons(entry.reasons):
        by_kind.setdefault(_kind(reason.selector), []).append(reason)
    lines: list[str] = []
    for kind, group in by_kind.items():
        if kind in ("deployed", "released"):
            lines.extend(_environment_lines(group))
        else:
            lines.extend(long_reason(r, provider) for r in group)
    several = len(entry.reasons) > 1
    versions = "the consumer versions" if several else "the consumer version"
    criteria = "criteria" if several else "criterion"
    bullets = "\n".join(f"    * {line}" for line in lines)
    return (
        f"The pact at {url} is being verified because the pact content belongs to {versions} "
        f"matching the following {criteria}:\n{bullets}"
    )


def pending_notice(entry: VerifiablePact, provider: str, provider_branch: str | None) -> str:
    """The notice explaining the pending state, when pending status was requested.

    Args:
        entry: The entry (its pending provider tags are used when there is no branch).
        provider: The provider's name.
        provider_branch: The request's ``providerVersionBranch``.

    Returns:
        Why failures will or will not fail the build.
    """
    branch = provider_branch or entry.provider_branch
    if entry.pending and entry.wip:
        return (
            f"This pact is in pending state for this version of {provider} because it was "
            "included as a 'work in progress' pact. If this verification fails, it will not "
            f"cause the overall build to fail. Read more at {PENDING_DOCS}"
        )
    if entry.pending:
        scope = _provider_scope(provider, branch, entry.pending_provider_tags, article="a")
        return (
            f"This pact is in pending state for this version of {provider} because a successful "
            f"verification result for {scope} has not yet been published. If this verification "
            f"fails, it will not cause the overall build to fail. Read more at {PENDING_DOCS}"
        )
    scope = _provider_scope(provider, branch, entry.non_pending_provider_tags, article="a")
    return (
        f"This pact has previously been successfully verified by {scope}. If this verification "
        f"fails, it will fail the build. Read more at {PENDING_DOCS}"
    )


def after_verification_notices(
    provider: str, provider_branch: str | None = None, pending_tags: Sequence[str] = ()
) -> dict[str, str]:
    """Notices the verifier prints after a pending pact's verification, keyed by outcome.

    Args:
        provider: The provider's name.
        provider_branch: The request's ``providerVersionBranch``.
        pending_tags: The entry's pending provider tags (used when there is no branch).

    Returns:
        ``after_verification:success_<bool>_published_<bool>`` → text.
    """
    scope = _provider_scope(provider, provider_branch, pending_tags)
    these = {0: "", 1: "with this tag "}.get(
        0 if provider_branch else len(pending_tags), "with these tags "
    )
    still = (
        f"This pact is still in pending state for {scope} as a successful verification result "
        f"{these}has not yet been published"
    )
    return {
        "after_verification:success_true_published_false": (
            f"This pact is still in pending state for {scope} as the successful verification "
            f"results {these}have not yet been published."
        ),
        "after_verification:success_false_published_false": still,
        "after_verification:success_true_published_true": (
            f"This pact is no longer in pending state for {scope}, as a successful verification "
            f"result {these}has been published. If a verification for a version of {provider} "
            f"{these}fails in the future, it will fail the build. Read more at {PENDING_DOCS}"
        ),
        "after_verification:success_false_published_true": still,
    }
