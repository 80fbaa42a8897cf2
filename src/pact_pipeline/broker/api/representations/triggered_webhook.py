"""Triggered webhooks (deliveries), their logs, and a pact's webhook status, shaped as the
Pact Broker's decorators shape them (``triggered_webhook_decorator.rb``,
``triggered_webhook_logs_decorator.rb``, ``pact_webhooks_status_decorator.rb``)."""

from __future__ import annotations

from collections.abc import Sequence

from pact_pipeline.broker.api.links import Links
from pact_pipeline.broker.api.representations.hal import JSONDict, iso, link
from pact_pipeline.broker.services.webhooks.history import LogsView, TriggeredView

SUMMARY_KEYS = (("success", "successful"), ("failure", "failed"), ("retrying", "retrying"))


def triggered(links: Links, item: TriggeredView) -> JSONDict:
    row = item.row
    logs = links.triggered_webhook_logs(row.uuid)
    return {
        "uuid": row.uuid,
        "name": item.description,
        "status": row.status,
        "attemptsMade": row.attempts,
        "attemptsRemaining": item.attempts_remaining,
        "triggerType": row.trigger_type,
        "eventName": row.event_name,
        "triggeredAt": iso(row.created_at),
        "nextAttemptAt": iso(row.next_attempt_at)
        if row.status in ("not_run", "retrying")
        else None,
        "_links": {
            "pb:logs": link(logs, title="Webhook execution logs", name=item.description),
            "logs": link(logs, title="DEPRECATED - Use pb:logs", name=item.description),
            "pb:webhook": link(
                links.webhook(item.webhook_uuid), title="Webhook", name=item.description
            ),
        },
    }


def triggered_list(
    links: Links, items: Sequence[TriggeredView], self_href: str, title: str
) -> JSONDict:
    return {
        "_embedded": {"triggeredWebhooks": [triggered(links, item) for item in items]},
        "_links": {"self": link(self_href, title=title)},
    }


def logs(links: Links, view: LogsView, self_href: str) -> JSONDict:
    row = view.triggered.row
    return {
        "eventName": row.event_name,
        "consumerName": view.consumer_name,
        "providerName": view.provider_name,
        "status": row.status,
        "_embedded": {"triggeredWebhook": {"uuid": row.uuid}},
        "executions": [
            {"success": e.success, "logs": e.logs, "createdAt": iso(e.created_at)}
            for e in view.executions
        ],
        "_links": {
            "self": link(self_href, title="Triggered webhook logs"),
            "pb:webhook": link(links.webhook(view.triggered.webhook_uuid), title="Webhook"),
        },
    }


def logs_text(view: LogsView) -> str:
    """Every attempt's log, oldest first (``text/plain``)."""
    if not view.executions:
        return f"Webhook {view.triggered.row.uuid} has not been executed yet.\n"
    return "\n".join(e.logs for e in view.executions)


def status(
    links: Links, items: Sequence[TriggeredView], provider: str, consumer: str, self_href: str
) -> JSONDict:
    counts: dict[str, int] = {}
    for item in items:
        counts[item.row.status] = counts.get(item.row.status, 0) + 1
    summary = {name: counts.get(status, 0) for status, name in SUMMARY_KEYS}
    summary["notRun"] = counts.get("not_run", 0)
    return {
        "summary": summary,
        "_embedded": {"triggeredWebhooks": [triggered(links, item) for item in items]},
        "_links": {
            "self": link(self_href, title="Webhooks status"),
            "pb:error-logs": [
                link(
                    links.triggered_webhook_logs(item.row.uuid),
                    title="Error logs",
                    name=item.description,
                )
                for item in items
                if item.row.status in ("failure", "retrying")
            ],
            "pb:pact-webhooks": link(
                links.pair_webhooks(provider, consumer),
                title=f"Webhooks for the pact between {consumer} and {provider}",
            ),
            "pb:consumer": link(links.pacticipant(consumer), title="Consumer", name=consumer),
            "pb:provider": link(links.pacticipant(provider), title="Provider", name=provider),
        },
    }
