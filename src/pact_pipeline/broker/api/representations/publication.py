"""The outcome of publishing contracts (``POST /contracts/publish``): the consumer version,
its pacts, and the notices the CLI prints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pact_pipeline.broker.api.links import Links
from pact_pipeline.broker.api.representations.hal import JSONDict, link
from pact_pipeline.broker.services.pacts import (
    Contract,
    PublishCommand,
    PublishOutcome,
    StoredPact,
)

NoticeType = Literal["debug", "info", "success", "warning", "prompt", "error"]


@dataclass(frozen=True)
class Notice:
    type: NoticeType
    text: str


def publish_result(links: Links, outcome: PublishOutcome) -> JSONDict:
    v = outcome.version
    p = v.pacticipant
    notices = publish_notices(links, outcome)
    version_link = link(links.version(p.name, v.number), title="Version", name=v.number)
    return {
        "notices": [{"type": n.type, "text": n.text} for n in notices],
        "logs": [
            {"level": n.type, "message": n.text, "deprecationWarning": "Replaced by notices"}
            for n in notices
        ],
        "_embedded": {
            "pacticipant": {"name": p.name, "_links": {"self": link(links.pacticipant(p.name))}},
            "version": {"number": v.number, "_links": {"self": version_link}},
        },
        "_links": {
            "pb:pacticipant": link(links.pacticipant(p.name), title="Pacticipant", name=p.name),
            "pb:pacticipant-version": link(
                links.version(p.name, v.number), title="Pacticipant version", name=v.number
            ),
            "pb:pacticipant-version-tags": [
                link(links.tag(p.name, v.number, t.name), title="Tag", name=t.name) for t in v.tags
            ],
            "pb:contracts": [
                link(
                    links.pact(s.publication.provider.name, p.name, v.number),
                    title="Pact",
                    name=f"Pact between {p.name} ({v.number}) and {s.publication.provider.name}",
                )
                for s in outcome.pacts
            ],
        },
    }


def publish_notices(links: Links, outcome: PublishOutcome) -> list[Notice]:
    """The version's notice, then each contract's, in the order the contracts were sent
    (the Pact Broker's ``contracts/service.rb`` and ``locale/en.yml`` wording)."""
    command = outcome.command
    notices = [Notice("debug", _version_notice(command, outcome.created_version))]
    for contract, stored in zip(command.contracts, outcome.pacts, strict=True):
        pub = stored.publication
        url = links.pact(pub.provider.name, pub.consumer.name, pub.consumer_version.number)
        notices.extend(_pact_notices(links, command, contract, stored, url))
    return notices


def _version_notice(command: PublishCommand, created: bool) -> str:
    verb = "Created" if created else "Updated"
    parts = [f"{verb} {command.pacticipant_name} version {command.version_number}"]
    if command.branch:
        parts.append(f"with branch {command.branch}")
    if command.tags:
        parts.append(("and " if command.branch else "with ") + f"tags {', '.join(command.tags)}")
    return " ".join(parts)


def _headline(command: PublishCommand, contract: Contract, stored: StoredPact) -> Notice:
    who = f"{command.pacticipant_name} version {command.version_number}"
    provider = contract.provider_name
    if stored.merged:
        return Notice(
            "success",
            f"Pact content merged with existing content for {who} and provider {provider}.",
        )
    if stored.republished_unchanged:
        return Notice(
            "success",
            f"Pact published for {who} and provider {provider} "
            "(republished with no content changes).",
        )
    return Notice("success", f"Pact successfully published for {who} and provider {provider}.")


def _event_notices(links: Links, stored: StoredPact) -> list[Notice]:
    """Every event raised, then one notice per webhook it triggered (or why none was)."""
    notices = []
    if stored.events:
        described = [
            name + (f" ({stored.event_comments[name]})" if name in stored.event_comments else "")
            for name in stored.events
        ]
        notices.append(Notice("debug", "  Events detected: " + ", ".join(described)))
    for triggered in stored.triggered:
        notices.append(
            Notice(
                "debug",
                f'  Webhook "{triggered.description}" triggered for event '
                f"{triggered.event_name}.\n"
                f"    View logs at {links.triggered_webhook_logs(triggered.uuid)}",
            )
        )
    if not stored.triggered and stored.webhooks_configured:
        notices.append(Notice("debug", "  No enabled webhooks found for the detected events"))
    return notices


def _pact_notices(
    links: Links, command: PublishCommand, contract: Contract, stored: StoredPact, url: str
) -> list[Notice]:
    notices = [_headline(command, contract, stored)]
    notices.append(Notice("debug", f"  View the published pact at {url}"))
    notices.extend(_event_notices(links, stored))
    if not command.branch:
        notices.append(
            Notice(
                "warning",
                "  No branch was given: set the consumer version's branch so that providers can "
                "select this pact with mainBranch, branch and matchingBranch selectors.",
            )
        )
    if not stored.webhooks_configured:
        notices.append(
            Notice(
                "prompt",
                "  Next steps:\n    * Configure separate "
                f"{contract.provider_name} pact verification build and webhook to trigger it "
                "when the pact content changes. See https://docs.pact.io/go/webhooks",
            )
        )
    return notices
