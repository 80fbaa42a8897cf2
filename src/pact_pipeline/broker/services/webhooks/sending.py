"""Sending one webhook request and writing its log, with every secret redacted.

The log is the Pact Broker's execution log (``webhook_request_logger.rb``): the context, the
request line, headers and body, then the response (its headers and body only when the policy
shows responses) and the outcome.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from pact_pipeline.broker.services.webhooks.redaction import redact, redact_value, sent_headers
from pact_pipeline.broker.services.webhooks.targets import WebhookPolicy, refusal
from pact_pipeline.broker.services.webhooks.templates import RenderedRequest

log = logging.getLogger("broker.webhooks")
USER_AGENT = "Pact Broker (embedded)"
RESPONSE_HIDDEN = (
    "For security purposes, the response details are not logged. To enable response logging, "
    "configure the webhook_host_whitelist property (or PACT_BROKER_WEBHOOK_SHOW_RESPONSE)."
)
SUCCESS_MESSAGE = "Webhook execution succeeded"
FAILURE_MESSAGE = "Webhook execution failed"

_sending = threading.local()


class _QuietWhileSending(logging.Filter):
    """httpx logs each request's full URL at INFO; a webhook URL may hold a secret."""

    def filter(self, record: logging.LogRecord) -> bool:  # noqa: ARG002 - same for all
        return not getattr(_sending, "active", False)


for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).addFilter(_QuietWhileSending())


@dataclass
class AttemptResult:
    """What one attempt sent and got back, redacted: safe to store and show."""

    success: bool
    logs: str
    request: dict[str, Any]
    response: dict[str, Any] | None = None
    error: str | None = None
    refused: bool = False


@dataclass
class ExecutionLog:
    lines: list[str] = field(default_factory=list)

    def add(self, level: str, message: str) -> None:
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.lines.append(f"[{stamp}] {level}: {message}")

    def render(self, hidden: list[str]) -> str:
        return redact("\n".join(self.lines) + "\n", hidden)


def _body_value(content: bytes | None) -> Any:
    if content is None:
        return None
    text = content.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def _shown_request(request: RenderedRequest, hidden: list[str]) -> dict[str, Any]:
    value = {
        "url": request.url,
        "headers": sent_headers(request.headers),
        "body": _body_value(request.body),
    }
    return dict(redact_value(value, hidden))


def not_sent(
    request_shown: dict[str, Any], reason: str, context: dict[str, str], hidden: list[str]
) -> AttemptResult:
    """An attempt refused before sending (a disallowed target, a missing secret)."""
    entry = ExecutionLog()
    entry.add("DEBUG", f"Webhook context {json.dumps(context, sort_keys=True)}")
    entry.add("ERROR", f"Webhook not sent: {reason}")
    entry.add("INFO", FAILURE_MESSAGE)
    return AttemptResult(False, entry.render(hidden), request_shown, error=reason, refused=True)


def send(
    request: RenderedRequest,
    policy: WebhookPolicy,
    *,
    context: dict[str, str],
    hidden: list[str],
) -> AttemptResult:
    """Check the target against the policy, send, and log; never raises for the target's
    failures. ``hidden`` are the values (secrets, password) no output may contain."""
    hidden = [*hidden, *(v for v in (request.password,) if v)]
    hidden += [v for k, v in request.headers.items() if sent_headers({k: v})[k] != v]
    shown = _shown_request(request, hidden)
    reason = refusal(policy, request.method, request.url)
    if reason is not None:
        return not_sent(shown, reason, context, hidden)
    entry = ExecutionLog()
    entry.add("DEBUG", f"Webhook context {json.dumps(context, sort_keys=True)}")
    entry.add("INFO", f"HTTP/1.1 {request.method} {request.url}")
    for name, value in sent_headers(request.headers).items():
        entry.add("INFO", f"{name}: {value}")
    if request.body is not None:
        entry.add("INFO", request.body.decode("utf-8", errors="replace"))
    response, error = _perform(request, policy)
    success = response is not None and response.status_code in policy.success_codes
    shown_response = _log_response(entry, response, error, policy)
    entry.add("INFO", SUCCESS_MESSAGE if success else FAILURE_MESSAGE)
    return AttemptResult(
        success,
        entry.render(hidden),
        shown,
        None if shown_response is None else dict(redact_value(shown_response, hidden)),
        None if error is None else redact(error, hidden),
    )


def _perform(
    request: RenderedRequest, policy: WebhookPolicy
) -> tuple[httpx.Response | None, str | None]:
    auth = (request.username, request.password or "") if request.username else None
    headers = {"User-Agent": USER_AGENT, **request.headers}
    _sending.active = True
    try:
        with httpx.Client(timeout=policy.timeout_seconds, follow_redirects=False) as client:
            response = client.request(
                request.method, request.url, headers=headers, content=request.body, auth=auth
            )
            return response, None
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__} - {exc}"
    except ValueError as exc:  # an URL httpx cannot use
        return None, f"{type(exc).__name__} - {exc}"
    finally:
        _sending.active = False


def _log_response(
    entry: ExecutionLog,
    response: httpx.Response | None,
    error: str | None,
    policy: WebhookPolicy,
) -> dict[str, Any] | None:
    if response is None:
        entry.add("ERROR", f"Error executing webhook: {error}")
        return None
    entry.add("INFO", f"HTTP/1.1 {response.status_code} {response.reason_phrase}")
    if not policy.show_response:
        entry.add("INFO", RESPONSE_HIDDEN)
        return {"status": response.status_code}
    for name, value in response.headers.items():
        entry.add("INFO", f"{name}: {value}")
    text = response.text[:10_000]
    if text:
        entry.add("INFO", text)
    return {
        "status": response.status_code,
        "headers": dict(response.headers),
        "body": _body_value(response.content[:10_000]),
    }
