"""The body of a webhook (its events, its request, and the consumer and provider it is for),
and the UUIDs clients may choose for one."""

from __future__ import annotations

from typing import Any

from pact_pipeline.broker.api.contracts.checks import (
    MAX_NAME_LENGTH,
    Checker,
    is_url,
    is_webhook_uuid,
)
from pact_pipeline.broker.errors import invalid
from pact_pipeline.broker.services.webhooks import EVENTS, HTTP_METHODS, WebhookData, WebhookPolicy
from pact_pipeline.broker.services.webhooks.targets import method_problem, url_problem


def webhook_uuid(uuid: str) -> str:
    """A UUID a client chose for a new webhook (PUT): 16 to 64 safe characters."""
    if not is_webhook_uuid(uuid):
        raise invalid(
            "uuid", "must be at least 16 characters of letters, numbers, hyphens and underscores"
        )
    return uuid


def webhook_data(
    body: dict[str, Any],
    policy: WebhookPolicy,
    *,
    consumer: str | None = None,
    provider: str | None = None,
) -> WebhookData:
    """The webhook the body describes; ``consumer`` and ``provider`` come from the path when
    the webhook is created under a pacticipant. Its target must be one the ``policy``
    (the scheme, method and host allow-lists) allows."""
    checker = Checker(body)
    description = checker.string("description", blank_ok=True, max_length=1024)
    consumer_name, consumer_label = _party(checker, body, "consumer")
    provider_name, provider_label = _party(checker, body, "provider")
    enabled = checker.boolean("enabled")
    events = _events(checker, body.get("events"))
    request = body.get("request")
    if not isinstance(request, dict):
        checker.add("request", "is missing" if request is None else "must be an object")
    else:
        _check_request(checker, request, policy)
    checker.raise_if_any()
    assert isinstance(request, dict)
    return WebhookData(
        request=request,
        events=tuple(events),
        description=description,
        consumer_name=consumer or consumer_name,
        consumer_label=consumer_label,
        provider_name=provider or provider_name,
        provider_label=provider_label,
        enabled=True if enabled is None else enabled,
    )


def _party(checker: Checker, body: dict[str, Any], role: str) -> tuple[str | None, str | None]:
    """The consumer's or provider's name or label (one of them, or neither)."""
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


def _events(checker: Checker, raw_events: Any) -> list[str]:
    if raw_events is None:
        return ["contract_content_changed"]
    events: list[str] = []
    if not isinstance(raw_events, list) or not raw_events:
        checker.add("events", "must be a non-empty array")
        return events
    for index, item in enumerate(raw_events):
        name = item.get("name") if isinstance(item, dict) else None
        if name not in EVENTS:
            checker.add("events", f"name must be one of {', '.join(EVENTS)} (at index {index})")
        else:
            events.append(name)
    return events


def _check_request(checker: Checker, request: dict[str, Any], policy: WebhookPolicy) -> None:
    """The request the webhook sends: a known and allowed method, a valid URL whose host is no
    template, with an allowed scheme and host (the Pact Broker's ``WebhookRequestContract``)."""
    method = request.get("method")
    if not isinstance(method, str) or method.upper() not in HTTP_METHODS:
        checker.add("request.method", "is not a recognised HTTP method")
    elif (problem := method_problem(policy, method)) is not None:
        checker.add("request.method", problem)
    url = request.get("url")
    if not isinstance(url, str) or not url.strip():
        checker.add("request.url", "is missing")
    else:
        host_part = url.split("://", 1)[-1].split("/", 1)[0]
        if "${" in host_part:
            checker.add("request.url", "cannot have a template parameter in the host")
        elif not is_url(url.replace("${", "").replace("}", "")):
            checker.add("request.url", "is not a valid URL eg. http://example.org")
        elif (problem := url_problem(policy, url)) is not None:
            checker.add("request.url", problem)
    headers = request.get("headers")
    if headers is not None and not isinstance(headers, dict):
        checker.add("request.headers", "must be an object")
    for field in ("username", "password"):
        value = request.get(field)
        if value is not None and not isinstance(value, str):
            checker.add(f"request.{field}", "must be a string")
