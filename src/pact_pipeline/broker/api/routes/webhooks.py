"""Webhooks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from pact_pipeline.broker.api import decorators as d
from pact_pipeline.broker.api.deps import DB, JsonObject, LinksDep
from pact_pipeline.broker.api.http import RawPathRoute, hal
from pact_pipeline.broker.api.links import Links
from pact_pipeline.broker.api.validation import MAX_NAME_LENGTH, Checker, is_url, is_webhook_uuid
from pact_pipeline.broker.errors import NotFoundError, invalid
from pact_pipeline.broker.services import webhooks as svc

router = APIRouter(route_class=RawPathRoute, tags=["webhooks"])


def _party(checker: Checker, body: dict[str, Any], role: str) -> tuple[str | None, str | None]:
    value = body.get(role)
    if value is None:
        return None, None
    if not isinstance(value, dict):
        checker.add(role, "must be an object")
        return None, None
    name, label = value.get("name"), value.get("label")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        checker.add(f"{role}.name", "cannot be blank")
        name = None
    if label is not None and (not isinstance(label, str) or not label.strip()):
        checker.add(f"{role}.label", "cannot be blank")
        label = None
    for field, text in ((f"{role}.name", name), (f"{role}.label", label)):
        if text is not None and len(text) > MAX_NAME_LENGTH:
            checker.add(field, f"must be at most {MAX_NAME_LENGTH} characters")
    if name is not None and label is not None:
        checker.add(role, "cannot specify both name and label")
    return name, label


def webhook_data(
    body: dict[str, Any], *, consumer: str | None = None, provider: str | None = None
) -> svc.WebhookData:
    checker = Checker(body)
    description = checker.string("description", blank_ok=True, max_length=1024)
    consumer_name, consumer_label = _party(checker, body, "consumer")
    provider_name, provider_label = _party(checker, body, "provider")
    enabled = checker.boolean("enabled")
    events: list[str] = []
    raw_events = body.get("events")
    if raw_events is None:
        events = ["contract_content_changed"]
    elif not isinstance(raw_events, list) or not raw_events:
        checker.add("events", "must be a non-empty array")
    else:
        for index, item in enumerate(raw_events):
            name = item.get("name") if isinstance(item, dict) else None
            if name not in svc.EVENTS:
                checker.add(
                    "events", f"name must be one of {', '.join(svc.EVENTS)} (at index {index})"
                )
            else:
                events.append(name)
    request = body.get("request")
    if not isinstance(request, dict):
        checker.add("request", "is missing" if request is None else "must be an object")
    else:
        method = request.get("method")
        if not isinstance(method, str) or method.upper() not in svc.HTTP_METHODS:
            checker.add("request.method", "is not a recognised HTTP method")
        url = request.get("url")
        if not isinstance(url, str) or not url.strip():
            checker.add("request.url", "is missing")
        else:
            host_part = url.split("://", 1)[-1].split("/", 1)[0]
            if "${" in host_part:
                checker.add("request.url", "cannot have a template parameter in the host")
            elif not is_url(url.replace("${", "").replace("}", "")):
                checker.add("request.url", "is not a valid URL eg. http://example.org")
        headers = request.get("headers")
        if headers is not None and not isinstance(headers, dict):
            checker.add("request.headers", "must be an object")
    checker.raise_if_any()
    assert isinstance(request, dict)
    return svc.WebhookData(
        request=request,
        events=tuple(events),
        description=description,
        consumer_name=consumer or consumer_name,
        consumer_label=consumer_label,
        provider_name=provider or provider_name,
        provider_label=provider_label,
        enabled=True if enabled is None else enabled,
    )


@router.get("/webhooks")
def list_webhooks(request: Request, db: DB, links: LinksDep) -> Response:
    return hal(
        request, svc.list_webhooks(db, lambda s, items: d.webhooks(links, items, links.webhooks()))
    )


@router.post("/webhooks")
def create_webhook(request: Request, body: JsonObject, db: DB, links: LinksDep) -> Response:
    rendered = svc.create_webhook(db, webhook_data(body), lambda s, w: d.webhook(links, w))
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
        lambda s, w: d.webhook(links, w),
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
            lambda s, items: d.webhooks(links, items, str(request.url)),
            consumer_name=consumer,
            provider_name=provider,
        ),
    )


@router.get("/webhooks/{uuid}")
def get_webhook(request: Request, uuid: str, db: DB, links: LinksDep) -> Response:
    return hal(request, svc.get_webhook(db, uuid, lambda s, w: d.webhook(links, w)))


@router.put("/webhooks/{uuid}")
def put_webhook(request: Request, uuid: str, body: JsonObject, db: DB, links: LinksDep) -> Response:
    if not is_webhook_uuid(uuid):
        raise invalid(
            "uuid", "must be at least 16 characters of letters, numbers, hyphens and underscores"
        )
    created, rendered = svc.upsert_webhook(
        db, uuid, webhook_data(body), lambda s, w, c: (c, d.webhook(links, w))
    )
    return hal(request, rendered, 201 if created else 200)


@router.delete("/webhooks/{uuid}", status_code=204)
def delete_webhook(uuid: str, db: DB) -> Response:
    svc.delete_webhook(db, uuid)
    return Response(status_code=204)


@router.get("/webhooks/{uuid}/executions")
def webhook_executions(request: Request, uuid: str, db: DB, links: LinksDep) -> Response:
    """Every delivery attempt of a webhook, newest first (what was sent, what came back)."""

    def present(_s: Any, webhook: Any, executions: Any) -> dict[str, Any]:
        return {
            "_embedded": {
                "executions": [
                    {
                        "uuid": e.uuid,
                        "eventName": e.event_name,
                        "success": e.success,
                        "logs": e.logs,
                        "createdAt": d.iso(e.created_at),
                    }
                    for e in executions
                ]
            },
            "_links": {
                "self": d.link(links.webhook(webhook.uuid) + "/executions"),
                "pb:webhook": d.link(links.webhook(webhook.uuid)),
            },
        }

    return hal(request, svc.list_executions(db, uuid, present))


@router.post("/webhooks/{uuid}/execute")
def execute_webhook(request: Request, uuid: str, db: DB, links: LinksDep) -> Response:
    """Run a webhook now with placeholder data and report what happened.

    The answer is 200 whether or not the target accepted the call: ``success`` says which. (The
    Ruby broker answers 500 for a failing target, which clients take for a broker fault and
    retry.)
    """
    delivery = svc.get_webhook(
        db, uuid, lambda s, w: svc.build_delivery(w, "test", _sample_params(links))
    )
    ok, text = svc.send(delivery)
    body = {"success": ok, "logs": text, "_links": {"webhook": d.link(links.webhook(uuid))}}
    return hal(request, body)


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
