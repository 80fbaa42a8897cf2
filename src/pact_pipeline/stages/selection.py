"""Which pacts the broker selects for verification, and why: the request and its answer.

The stage sends the very selectors the verifier will send — the recommended set: the
consumers' main branch, whatever is deployed or released, and the consumer branch named like
the provider's (for coordinated feature branches), with pending on and WIP since a date — to
`pb:provider-pacts-for-verification`, so it can show what will be verified, and why, before
the verifier runs (and fail when nothing would be).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from pact_pipeline.hal import JsonObject


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


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)
