"""Webhooks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from pact_pipeline.broker.api.contracts.webhooks import webhook_data, webhook_uuid
from pact_pipeline.broker.api.deps import DB, JsonObject, LinksDep
from pact_pipeline.broker.api.http import RawPathRoute, hal
from pact_pipeline.broker.api.links import Links
from pact_pipeline.broker.api.representations import webhook as webhook_repr
from pact_pipeline.broker.errors import NotFoundError
from pact_pipeline.broker.services import webhooks as svc

router = APIRouter(route_class=RawPathRoute, tags=["webhooks"])


@router.get("/webhooks")
def list_webhooks(request: Request, db: DB, links: LinksDep) -> Response:
    return hal(
        request,
        svc.list_webhooks(db, lambda items: webhook_repr.webhooks(links, items, links.webhooks())),
    )


@router.post("/webhooks")
def create_webhook(request: Request, body: JsonObject, db: DB, links: LinksDep) -> Response:
    rendered = svc.create_webhook(db, webhook_data(body), lambda w: webhook_repr.webhook(links, w))
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
        webhook_data(body, consumer=consumer, provider=provider),
        lambda w: webhook_repr.webhook(links, w),
    )
    return hal(request, rendered, 201, {"Location": rendered["_links"]["self"]["href"]})


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
        db, webhook_uuid(uuid), webhook_data(body), lambda w, c: (c, webhook_repr.webhook(links, w))
    )
    return hal(request, rendered, 201 if created else 200)


@router.delete("/webhooks/{uuid}", status_code=204)
def delete_webhook(uuid: str, db: DB) -> Response:
    svc.delete_webhook(db, uuid)
    return Response(status_code=204)


@router.get("/webhooks/{uuid}/executions")
def webhook_executions(request: Request, uuid: str, db: DB, links: LinksDep) -> Response:
    """Every delivery attempt of a webhook, newest first (what was sent, what came back)."""
    return hal(
        request,
        svc.list_executions(db, uuid, lambda w, items: webhook_repr.executions(links, w, items)),
    )


@router.post("/webhooks/{uuid}/execute")
def execute_webhook(request: Request, uuid: str, db: DB, links: LinksDep) -> Response:
    """Run a webhook now with placeholder data and report what happened.

    The answer is 200 whether or not the target accepted the call: ``success`` says which. (The
    Ruby broker answers 500 for a failing target, which clients take for a broker fault and
    retry.)
    """
    ok, text = svc.execute_webhook(db, uuid, _sample_params(links))
    return hal(request, webhook_repr.execution_outcome(links, uuid, ok, text))


def _sample_params(links: Links) -> dict[str, str]:
    params = {
        key: f"sample-{key}"
        for key in (
            "consumerName",
            "providerName",
            "consumerVersionNumber",
            "providerVersionNumber",
            "consumerVersionTags",
            "providerVersionTags",
            "consumerVersionBranch",
            "providerVersionBranch",
        )
    }
    params["pactUrl"] = links.base + "/pacts/sample"
    params["verificationResultUrl"] = links.base + "/verification-results/sample"
    params.update(svc.status_strings(True))
    return params
