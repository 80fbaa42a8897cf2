"""What webhooks did: the deliveries a pact or a verification triggered, their logs, and a
pact's webhook status (the Pact Broker's routes of the same names)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse

from pact_pipeline.broker.api.deps import DB, LinksDep
from pact_pipeline.broker.api.http import RawPathRoute, hal
from pact_pipeline.broker.api.representations import triggered_webhook as repr_
from pact_pipeline.broker.errors import NotFoundError
from pact_pipeline.broker.services.webhooks import WebhookPolicy, history

router = APIRouter(route_class=RawPathRoute, tags=["webhooks"])


def _schedule_length(request: Request) -> int:
    policy: WebhookPolicy = request.app.state.webhook_policy
    return len(policy.retry_schedule)


@router.get("/pacts/provider/{provider}/consumer/{consumer}/version/{number}/triggered-webhooks")
def pact_triggered_webhooks(
    request: Request, provider: str, consumer: str, number: str, db: DB, links: LinksDep
) -> Response:
    body = history.for_publication(
        db,
        provider,
        consumer,
        number,
        _schedule_length(request),
        lambda items: repr_.triggered_list(
            links,
            items,
            links.pact_triggered_webhooks(provider, consumer, number),
            "Webhooks triggered by the publication of the pact",
        ),
    )
    return hal(request, body)


@router.get(
    "/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}"
    "/verification-results/{number}/triggered-webhooks"
)
def verification_triggered_webhooks(
    request: Request, provider: str, consumer: str, sha: str, number: str, db: DB, links: LinksDep
) -> Response:
    if not number.isdigit():
        raise NotFoundError(f"No verification result {number} for pact version {sha}")
    body = history.for_verification(
        db,
        provider,
        consumer,
        sha,
        int(number),
        _schedule_length(request),
        lambda items: repr_.triggered_list(
            links,
            items,
            links.verification(provider, consumer, sha, int(number)) + "/triggered-webhooks",
            "Webhooks triggered by the publication of the verification result",
        ),
    )
    return hal(request, body)


@router.get("/triggered-webhooks/{uuid}/logs")
def triggered_webhook_logs(request: Request, uuid: str, db: DB, links: LinksDep) -> Response:
    """The delivery's logs: plain text (every attempt), or JSON when asked for."""
    accept = request.headers.get("accept", "")
    if "json" in accept and "text/plain" not in accept:
        body = history.logs(
            db,
            uuid,
            _schedule_length(request),
            lambda view: repr_.logs(links, view, links.triggered_webhook_logs(uuid)),
        )
        return hal(request, body)
    text = history.logs(db, uuid, _schedule_length(request), repr_.logs_text)
    return PlainTextResponse(text)


@router.get("/pacts/provider/{provider}/consumer/{consumer}/webhooks/status")
def pact_webhooks_status(
    request: Request, provider: str, consumer: str, db: DB, links: LinksDep
) -> Response:
    body = history.status(
        db,
        provider,
        consumer,
        _schedule_length(request),
        lambda items: repr_.status(
            links, items, provider, consumer, links.pact_webhooks_status(provider, consumer)
        ),
    )
    return hal(request, body)
