"""Webhooks."""

from __future__ import annotations

from collections.abc import Sequence

from pact_pipeline.broker.api.links import Links, segment
from pact_pipeline.broker.api.representations.hal import JSONDict, compact, iso, link
from pact_pipeline.broker.models import Webhook, WebhookExecution


def webhook(links: Links, w: Webhook) -> JSONDict:
    request = dict(w.request or {})
    if "password" in request:
        request["password"] = "**********"  # noqa: S105 - masking, not a secret
    body = compact(
        {
            "uuid": w.uuid,
            "description": w.description,
            "consumer": compact(
                {"name": w.consumer.name if w.consumer else None, "label": w.consumer_label}
            )
            or None,
            "provider": compact(
                {"name": w.provider.name if w.provider else None, "label": w.provider_label}
            )
            or None,
            "enabled": w.enabled,
            "events": [{"name": e} for e in (w.events or [])],
            "request": request,
            "createdAt": iso(w.created_at),
            "updatedAt": iso(w.updated_at),
        }
    )
    relations: JSONDict = {
        "self": link(links.webhook(w.uuid), title=w.description or "Webhook"),
        "pb:execute": link(
            links.webhook(w.uuid) + "/execute",
            title="Test the execution of the webhook with the latest matching pact or "
            "verification by sending a POST request to this URL",
        ),
        "pb:webhooks": link(links.webhooks(), title="All webhooks"),
    }
    if w.consumer is not None:
        relations["pb:consumer"] = link(
            links.pacticipant(w.consumer.name), title="Consumer", name=w.consumer.name
        )
    if w.provider is not None:
        relations["pb:provider"] = link(
            links.pacticipant(w.provider.name), title="Provider", name=w.provider.name
        )
    if w.consumer is not None and w.provider is not None:
        relations["pb:pact-webhooks"] = link(
            links.url(
                "webhooks",
                "provider",
                segment(w.provider.name),
                "consumer",
                segment(w.consumer.name),
            ),
            title="All webhooks for consumer and provider",
        )
    body["_links"] = relations
    return body


def webhooks(links: Links, items: Sequence[Webhook], self_href: str) -> JSONDict:
    return {
        "_embedded": {"webhooks": [webhook(links, w) for w in items]},
        "_links": {
            "self": link(self_href, title="Webhooks"),
            "pb:webhooks": [
                link(links.webhook(w.uuid), title=w.description or "Webhook", name=w.uuid)
                for w in items
            ],
        },
    }


def executions(links: Links, w: Webhook, items: Sequence[WebhookExecution]) -> JSONDict:
    """A webhook's delivery attempts (what was sent, what came back)."""
    return {
        "_embedded": {
            "executions": [
                {
                    "uuid": e.uuid,
                    "eventName": e.event_name,
                    "success": e.success,
                    "logs": e.logs,
                    "createdAt": iso(e.created_at),
                }
                for e in items
            ]
        },
        "_links": {
            "self": link(links.webhook(w.uuid) + "/executions"),
            "pb:webhook": link(links.webhook(w.uuid)),
        },
    }


def execution_outcome(links: Links, uuid: str, success: bool, logs: str) -> JSONDict:
    """The outcome of running a webhook now with placeholder data."""
    return {"success": success, "logs": logs, "_links": {"webhook": link(links.webhook(uuid))}}
