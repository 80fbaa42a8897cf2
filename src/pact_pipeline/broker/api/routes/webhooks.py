"""Webhooks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from pact_pipeline.broker.api.contracts.paging import Paging
from pact_pipeline.broker.api.contracts.webhooks import webhook_data, webhook_uuid
from pact_pipeline.broker.api.deps import DB, JsonObject, LinksDep
from pact_pipeline.broker.api.http import RawPathRoute, hal
from pact_pipeline.broker.api.representations import webhook as webhook_repr
from pact_pipeline.broker.api.representations.paging import with_page
from pact_pipeline.broker.errors import NotFoundError
from pact_pipeline.broker.events import EventUrls
from pact_pipeline.broker.services import webhooks as svc

router = APIRouter(route_class=RawPathRoute, tags=["webhooks"])


def policy_of(request: Request) -> svc.WebhookPolicy:
    """The allow-lists and delivery settings of this broker."""
    policy: svc.WebhookPolicy = request.app.state.webhook_policy
    return policy


@router.get("/webhooks")
def list_webhooks(request: Request, db: DB, links: LinksDep) -> Response:
    return hal(
        request,
        svc.list_webhooks(db, lambda items: webhook_repr.webhooks(links, items, links.webhooks())),
    )


@router.post("/webhooks")
def create_webhook(request: Request, body: JsonObject, db: DB, links: LinksDep) -> Response:
    rendered = svc.create_webhook(
        db, webhook_data(body, policy_of(request)), lambda w: webhook_repr.webhook(links, w)
    )
    return hal(request, rendered, 201, {"Location": rendered["_links"]["self"]["href"]})


def _scoped_create(
    request: Request,
    body: dict[str, Any],
    db: DB,
    links: LinksDep,
    *,
    consumer: str | None,
    provider: str | None,
) -> Response:
    names = [n for n in (consumer, provider) if n is not None]
    try:
        svc.require_pacticipants_exist(db, names)
    except NotFoundError as exc:
        raise NotFoundError(exc.message) from exc
    rendered = svc.create_webhook(
        db,
        webhook_data(body, policy_of(request), consumer=consumer, provider=provider),
        lambda w: webhook_repr.webhook(links, w),
    )
    return hal(request, rendered, 201, {"Location": rendered["_links"]["self"]["href"]})


@router.post("/webhooks/execute")
def execute_unsaved_webhook(
    request: Request, body: JsonObject, db: DB, links: LinksDep
) -> Response:
    """Run the webhook a body describes (validated as a new one would be), without saving it."""
    data = webhook_data(body, policy_of(request))
    result = svc.execute_unsaved(db, data, EventUrls(links), policy_of(request))
    return hal(request, webhook_repr.execution_result(links, result, None, links.webhook_execute()))


@router.post("/webhooks/provider/{provider}/consumer/{consumer}")
def create_for_pair(
    request: Request, provider: str, consumer: str, body: JsonObject, db: DB, links: LinksDep
) -> Response:
    return _scoped_create(request, body, db, links, consumer=consumer, provider=provider)


@router.post("/webhooks/provider/{provider}")
def create_for_provider(
    request: Request, provider: str, body: JsonObject, db: DB, links: LinksDep
) -> Response:
    return _scoped_create(request, body, db, links, consumer=None, provider=provider)


@router.post("/webhooks/consumer/{consumer}")
def create_for_consumer(
    request: Request, consumer: str, body: JsonObject, db: DB, links: LinksDep
) -> Response:
    return _scoped_create(request, body, db, links, consumer=consumer, provider=None)


@router.get("/webhooks/provider/{provider}")
def list_for_provider(request: Request, provider: str, db: DB, links: LinksDep) -> Response:
    return hal(
        request,
        svc.list_webhooks(
            db,
            lambda items: webhook_repr.webhooks(links, items, str(request.url)),
            provider_name=provider,
        ),
    )


@router.get("/webhooks/consumer/{consumer}")
def list_for_consumer(request: Request, consumer: str, db: DB, links: LinksDep) -> Response:
    return hal(
        request,
        svc.list_webhooks(
            db,
            lambda items: webhook_repr.webhooks(links, items, str(request.url)),
            consumer_name=consumer,
        ),
    )


@router.get("/webhooks/provider/{provider}/consumer/{consumer}")
def list_for_pair(
    request: Request, provider: str, consumer: str, db: DB, links: LinksDep
) -> Response:
    return hal(
        request,
        svc.list_webhooks(
            db,
            lambda items: webhook_repr.webhooks(links, items, str(request.url)),
            consumer_name=consumer,
            provider_name=provider,
        ),
    )


@router.get("/webhooks/{uuid}")
def get_webhook(request: Request, uuid: str, db: DB, links: LinksDep) -> Response:
    return hal(request, svc.get_webhook(db, uuid, lambda w: webhook_repr.webhook(links, w)))


@router.put("/webhooks/{uuid}")
def put_webhook(request: Request, uuid: str, body: JsonObject, db: DB, links: LinksDep) -> Response:
    created, rendered = svc.upsert_webhook(
        db,
        webhook_uuid(uuid),
        webhook_data(body, policy_of(request)),
        lambda w, c: (c, webhook_repr.webhook(links, w)),
    )
    return hal(request, rendered, 201 if created else 200)


@router.delete("/webhooks/{uuid}", status_code=204)
def delete_webhook(uuid: str, db: DB) -> Response:
    svc.delete_webhook(db, uuid)
    return Response(status_code=204)


@router.get("/webhooks/{uuid}/executions")
def webhook_executions(
    request: Request, uuid: str, db: DB, links: LinksDep, page: Paging
) -> Response:
    """Every delivery attempt of a webhook, newest first (what was sent, what came back);
    paged on request."""
    query = request.query_params.multi_items()
    return hal(
        request,
        svc.list_executions_page(
            db,
            uuid,
            lambda w, found: with_page(
                webhook_repr.executions(links, w, found.items),
                found.info,
                links.webhook(w.uuid) + "/executions",
                query,
            ),
            page,
        ),
    )


@router.post("/webhooks/{uuid}/execute")
def execute_webhook(request: Request, uuid: str, db: DB, links: LinksDep) -> Response:
    """Run a webhook now with the newest pact it matches and report what happened.

    The answer is 200 whether or not the target accepted the call: ``success`` says which. (The
    Ruby broker answers 500 for a failing target, which clients take for a broker fault and
    retry.)
    """
    result = svc.execute_saved(db, uuid, EventUrls(links), policy_of(request))
    return hal(
        request,
        webhook_repr.execution_result(links, result, uuid, links.webhook(uuid) + "/execute"),
    )


@router.get("/pacts/provider/{provider}/consumer/{consumer}/webhooks")
def pact_webhooks(
    request: Request, provider: str, consumer: str, db: DB, links: LinksDep
) -> Response:
    """The webhooks for the pact between the pair (as ``/webhooks/provider/P/consumer/C``)."""
    return list_for_pair(request, provider, consumer, db, links)
