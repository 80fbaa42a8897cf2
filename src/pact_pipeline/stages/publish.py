"""The publish stage: send every pact in `pacts/` to the broker.

One `POST pb:publish-contracts` per consumer (the body the `pact-broker publish` CLI sends):
the consumer version, its branch, optional tags, the CI build URL, and each pact's content
base64-encoded. The broker's notices ("Pact successfully published…", "Events detected…",
"Next steps…") are printed as they come.
"""

from __future__ import annotations

import base64
import json
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from pact_pipeline.errors import BrokerRequestError, PipelineError, StageFailed

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from pact_pipeline.broker_client import BrokerClient
    from pact_pipeline.git import Revision
    from pact_pipeline.hal import JsonObject
    from pact_pipeline.output import Output
    from pact_pipeline.settings import Settings

_CONFLICT = 409


def find_pact_files(pacts_dir: Path) -> list[Path]:
    """Return the pact files in `pacts_dir`, sorted by name.

    Args:
        pacts_dir:
            The directory the consumer tests write to.

    Returns:
        The `*.json` files (empty when the directory does not exist).
    """
    if not pacts_dir.is_dir():
        return []
    return sorted(path for path in pacts_dir.glob("*.json") if path.is_file())


def read_pact(path: Path) -> JsonObject:
    """Read a pact file and check it names its consumer and provider.

    Args:
        path:
            The pact file.

    Returns:
        The decoded pact.

    Raises:
        PipelineError:
            If the file is not JSON or lacks `consumer.name` / `provider.name`.
    """
    try:
        pact = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        msg = f"{path.name} is not a readable pact file: {error}"
        raise PipelineError(msg) from None
    if (
        not isinstance(pact, dict)
        or not _name_of(pact, "consumer")
        or not _name_of(pact, "provider")
    ):
        msg = f"{path.name} is not a pact file: it has no consumer.name / provider.name"
        raise PipelineError(msg)
    return pact


def publish_requests(
    pacts: Sequence[tuple[Path, JsonObject]],
    *,
    version: str,
    branch: str,
    tags: Sequence[str] = (),
    build_url: str | None = None,
) -> list[JsonObject]:
    """Build the `pb:publish-contracts` request bodies, one per consumer.

    Args:
        pacts:
            The pact files with their decoded content.

        version:
            The consumer version number.

        branch:
            The consumer's branch.

        tags:
            Extra version tags (branches and environments are preferred, tags still work).

        build_url:
            The CI build that produced the pacts.

    Returns:
        The request bodies, in consumer-name order.
    """
    by_consumer: dict[str, list[JsonObject]] = defaultdict(list)
    for path, pact in pacts:
        consumer = _name_of(pact, "consumer")
        by_consumer[consumer].append(
            {
                "consumerName": consumer,
                "providerName": _name_of(pact, "provider"),
                "specification": "pact",
                "contentType": "application/json",
                # The file's own bytes: the broker hashes the content, so re-serialising it
                # could turn "republished, unchanged" into a spurious content change.
                "content": base64.b64encode(path.read_bytes()).decode("ascii"),
                "onConflict": "overwrite",
            }
        )
    requests = []
    for consumer, contracts in sorted(by_consumer.items()):
        body: JsonObject = {
            "pacticipantName": consumer,
            "pacticipantVersionNumber": version,
            "branch": branch,
            "contracts": contracts,
        }
        if tags:
            body["tags"] = list(tags)
        if build_url:
            body["buildUrl"] = build_url
        requests.append(body)
    return requests


def collect_pacts(settings: Settings) -> list[tuple[Path, JsonObject]]:
    """Read every pact file of the pacts directory.

    This runs before the broker is contacted, so "run the tests first" is reported even
    when no broker is up yet.

    Args:
        settings:
            The pipeline settings (pacts directory).

    Returns:
        The pact files with their decoded content.

    Raises:
        PipelineError:
            If there is no pact file or a file is not a pact.
    """
    files = find_pact_files(settings.pacts_dir)
    if not files:
        msg = f"no pact files in {_shown(settings)} — run `invoke test` first"
        raise PipelineError(msg)
    consumer = settings.require_consumer("publish")
    pacts = [(path, read_pact(path)) for path in files]
    provider = settings.provider.name if settings.provider else None
    check_names(pacts, consumer=consumer.name, provider=provider)
    return pacts


def check_names(
    pacts: Sequence[tuple[Path, JsonObject]], *, consumer: str, provider: str | None
) -> None:
    """Check the pacts are the configured consumer's and, when this repository also builds a
    provider, that one of them is with it.

    The names in a pact come from the consumer tests, the names the tasks ask the broker
    about from the settings; when they differ, verify and can-i-deploy would look for pacts
    that were never published under those names.

    Args:
        pacts:
            The pact files with their decoded content.

        consumer:
            The configured consumer (`pipeline.consumer`).

        provider:
            The configured provider (`pipeline.provider`), if this repository builds one.

    Raises:
        PipelineError:
            Naming the file and the names that do not match.
    """
    for path, pact in pacts:
        if _name_of(pact, "consumer") != consumer:
            msg = (
                f"{path.name} is {_name_of(pact, 'consumer')}'s pact with "
                f"{_name_of(pact, 'provider')}, but pipeline.consumer is {consumer!r}: rename "
                "the consumer in the consumer tests too, or set pipeline.consumer to match"
            )
            raise PipelineError(msg)
    if provider is not None and not any(
        _name_of(pact, "provider") == provider for _, pact in pacts
    ):
        found = ", ".join(sorted({_name_of(pact, "provider") for _, pact in pacts}))
        msg = (
            f"no pact in the pacts directory is with pipeline.provider {provider!r} (they are "
            f"with {found}): rename the provider in the consumer tests too, or set "
            "pipeline.provider to match"
        )
        raise PipelineError(msg)


def publish(
    pacts: Sequence[tuple[Path, JsonObject]],
    broker: BrokerClient,
    revision: Revision,
    out: Output,
    *,
    tags: Sequence[str] = (),
    build_url: str | None = None,
) -> None:
    """Publish pacts to the broker, one request per consumer, printing its notices.

    Args:
        pacts:
            The pacts (see [`collect_pacts`][pact_pipeline.stages.publish.collect_pacts]).

        broker:
            The broker client.

        revision:
            The consumer version and branch.

        out:
            Where to print the broker's notices.

        tags:
            Extra tags for the consumer version.

        build_url:
            The CI build that produced the pacts.

    Raises:
        PipelineError:
            If the broker refuses; a 409 (changed content under an unchanged version)
            says how to get a new version.
    """
    requests = publish_requests(
        pacts,
        version=revision.version,
        branch=revision.branch,
        tags=tags,
        build_url=build_url,
    )
    for body in requests:
        names = ", ".join(contract["providerName"] for contract in body["contracts"])
        out.info(
            f"publishing {body['pacticipantName']} {revision.version} (branch {revision.branch}) "
            f"pacts with {names}"
        )
        try:
            answer = broker.publish_contracts(body)
        except BrokerRequestError as error:
            if error.status == _CONFLICT:
                msg = (
                    f"{error} — the pact content changed but version {revision.version} did not: "
                    "commit the change (a new version), or run `invoke fake-ci` for a unique one"
                )
                raise StageFailed(msg) from None
            raise
        print_notices(answer, out)


def print_notices(answer: JsonObject, out: Output) -> None:
    """Print the broker's `notices` (or the older `logs`) from a publish answer.

    Args:
        answer:
            The broker's answer.

        out:
            Where to print.
    """
    notices: list[Any] = answer.get("notices") or []
    if notices:
        for notice in notices:
            if isinstance(notice, dict):
                out.notice(str(notice.get("type", "info")), str(notice.get("text", "")))
        return
    for log in answer.get("logs") or []:
        if isinstance(log, dict):
            out.notice(str(log.get("level", "info")), str(log.get("message", "")))


def _name_of(pact: JsonObject, role: str) -> str:
    party = pact.get(role)
    name = party.get("name") if isinstance(party, dict) else None
    return name if isinstance(name, str) else ""


def _shown(settings: Settings) -> str:
    """The pacts directory as the user knows it (relative to the repository)."""
    try:
        return f"{settings.pacts_dir.relative_to(settings.root)}/"
    except ValueError:
        return f"{settings.pacts_dir}/"
