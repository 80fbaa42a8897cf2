"""``GET /dashboard`` with the Pact Broker's ``DashboardDecorator`` shape."""

from __future__ import annotations

from collections.abc import Sequence

from pact_pipeline.broker.api.links import Links
from pact_pipeline.broker.api.representations.hal import JSONDict, iso
from pact_pipeline.broker.services.dashboard import DashboardItem

#: The API's dashboard counts no webhooks (the Ruby broker passes it none either).
WEBHOOK_STATUS = "none"


def dashboard(links: Links, items: Sequence[DashboardItem]) -> JSONDict:
    return {"items": [_item(links, item) for item in items]}


def _item(links: Links, item: DashboardItem) -> JSONDict:
    return {
        "consumer": _consumer(links, item),
        "provider": _provider(links, item),
        "pact": {
            "createdAt": iso(item.pact_created_at),
            "_links": {"self": {"href": _pact(links, item)}},
        },
        "pactTags": _tags(links, item.consumer, item.consumer_version, item.pact_tags),
        "latestVerificationResult": _verification(links, item),
        "latestVerificationResultTags": (
            _tags(
                links,
                item.provider,
                item.verification.provider_version,
                item.verification.provider_head_tags,
            )
            if item.verification
            else []
        ),
        "verificationStatus": item.verification_status,
        "webhookStatus": WEBHOOK_STATUS,
        "latestWebhookExecution": None,
        "_links": {
            "pb:webhook-status": {
                "title": f"Status of webhooks for {item.consumer}/{item.provider} pact",
                "href": links.pact_webhooks_status(item.provider, item.consumer),
            }
        },
    }


def _pact(links: Links, item: DashboardItem) -> str:
    return links.pact(item.provider, item.consumer, item.consumer_version)


def _consumer(links: Links, item: DashboardItem) -> JSONDict:
    branches = list(item.consumer_branches)
    return {
        "name": item.consumer,
        "version": {
            "number": item.consumer_version,
            "branch": branches[-1] if branches else None,
            "headBranchNames": branches,
            "_links": {"self": {"href": links.version(item.consumer, item.consumer_version)}},
        },
        "_links": {"self": {"href": links.pacticipant(item.consumer)}},
    }


def _provider(links: Links, item: DashboardItem) -> JSONDict:
    version: JSONDict | None = None
    if item.verification is not None:
        branches = list(item.verification.provider_branches)
        version = {
            "number": item.verification.provider_version,
            "branch": branches[-1] if branches else None,
            "headBranchNames": branches,
        }
    return {
        "name": item.provider,
        "version": version,
        "_links": {"self": {"href": links.pacticipant(item.provider)}},
    }


def _verification(links: Links, item: DashboardItem) -> JSONDict | None:
    if item.verification is None:
        return None
    return {
        "success": item.verification.success,
        "verifiedAt": iso(item.verification.verified_at),
        # The latest-verification URL of the pact, so that a refresh shows a newer one.
        "_links": {"self": {"href": _pact(links, item) + "/verification-results/latest"}},
    }


def _tags(links: Links, pacticipant: str, number: str, names: Sequence[str]) -> list[JSONDict]:
    return [
        {
            "name": name,
            "latest": True,
            "_links": {"self": {"href": links.tag(pacticipant, number, name)}},
        }
        for name in sorted(names)
    ]
