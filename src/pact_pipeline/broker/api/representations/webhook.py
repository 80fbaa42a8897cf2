"""Webhooks."""

from __future__ import annotations

from collections.abc import Sequence

from pact_pipeline.broker.api.links import Links
from pact_pipeline.broker.api.representations.hal import JSONDict, compact, iso, link
from pact_pipeline.broker.models import Webhook, WebhookExecution
from pact_pipeline.broker.services.webhooks import AttemptResult, display_description
from pact_pipeline.broker.services.webhooks.redaction import template_request


def description(w: Webhook) -> str:
    """The webhook's description, or the Pact Broker's default (``POST example.org``)."""
    return display_description(w.description, w.request or {})


def webhook(links: Links, w: Webhook) -> JSONDict:
    request = template_request(dict(w.request or {}))
    body = compact(
        {
            "uuid": w.uuid,
            "description": description(w),
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
        "self": link(links.webhook(w.uuid), title=description(w)),
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
            links.pair_webhooks(w.provider.name, w.consumer.name),
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
                link(links.webhook(w.uuid), title=description(w), name=w.uuid) for w in items
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


def execution_result(
    links: Links, result: AttemptResult, uuid: str | None, self_href: str
) -> JSONDict:
    """A test execution's outcome, as the Pact Broker's ``WebhookExecutionResultDecorator``:
    what was sent, what came back (when responses are shown), the logs and ``success``."""
    body: JSONDict = {"request": result.request}
    if result.response is not None and len(result.response) > 1:
        body["response"] = result.response
    else:
        body["message"] = (
            "For security purposes, the response details are not logged. To enable response "
            "logging, configure the webhook_host_whitelist property."
        )
        if result.response is not None:
            body["response"] = result.response
    if result.error is not None:
        body["error"] = {"message": result.error}
    body["logs"] = result.logs
    body["success"] = result.success
    relations: JSONDict = {"try-again": link(self_href, title="Execute the webhook again")}
    if uuid:
        relations["webhook"] = link(links.webhook(uuid))
    body["_links"] = relations
    return body
