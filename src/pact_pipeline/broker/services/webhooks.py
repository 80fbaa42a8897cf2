"""Webhooks: their definitions, the events that trigger them and their delivery.

Delivery happens after the triggering transaction commits, on a small thread pool, with
bounded retries; every attempt is logged in ``webhook_executions`` so failures are visible.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from sqlalchemy import event
from sqlalchemy.orm import Session

from pact_pipeline.broker import repository as repo
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.errors import NotFoundError, invalid
from pact_pipeline.broker.models import (
    DeployedVersion,
    Pacticipant,
    PactPublication,
    Verification,
    Version,
    Webhook,
    WebhookExecution,
    new_uuid,
)
from pact_pipeline.broker.services.pacticipants import require_pacticipant

R = TypeVar("R")
log = logging.getLogger("broker.webhooks")

EVENTS = (
    "contract_published",
    "contract_content_changed",
    "contract_requiring_verification_published",
    "provider_verification_published",
    "provider_verification_succeeded",
    "provider_verification_failed",
)
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
DELIVERY_TIMEOUT_SECONDS = 15.0
RETRY_DELAYS_SECONDS = (1.0, 5.0, 15.0)


@dataclass(frozen=True)
class WebhookData:
    request: dict[str, Any]
    events: tuple[str, ...] = ("contract_content_changed",)
    description: str | None = None
    consumer_name: str | None = None
    consumer_label: str | None = None
    provider_name: str | None = None
    provider_label: str | None = None
    enabled: bool = True


def _require(session: Session, uuid: str) -> Webhook:
    webhook = repo.find_webhook(session, uuid)
    if webhook is None:
        msg = f"No webhook with UUID {uuid} found"
        raise NotFoundError(msg)
    return webhook


def _pacticipant(session: Session, name: str | None, role: str) -> Pacticipant | None:
    if name is None:
        return None
    pacticipant = repo.find_pacticipant(session, name)
    if pacticipant is None:
        raise invalid(f"{role}.name", f"No pacticipant with name '{name}' found")
    return pacticipant


def _apply(session: Session, webhook: Webhook, data: WebhookData) -> None:
    webhook.description = data.description
    webhook.consumer = _pacticipant(session, data.consumer_name, "consumer")
    webhook.provider = _pacticipant(session, data.provider_name, "provider")
    webhook.consumer_label = data.consumer_label
    webhook.provider_label = data.provider_label
    webhook.enabled = data.enabled
    webhook.events = list(data.events)
    webhook.request = data.request


def create_webhook(
    db: Database,
    data: WebhookData,
    present: Callable[[Webhook], R],
    *,
    uuid: str | None = None,
) -> R:
    with db.write() as session:
        webhook = Webhook(uuid=uuid or new_uuid())
        _apply(session, webhook, data)
        session.add(webhook)
        session.flush()
        return present(webhook)


def upsert_webhook(
    db: Database, uuid: str, data: WebhookData, present: Callable[[Webhook, bool], R]
) -> R:
    with db.write() as session:
        webhook = repo.find_webhook(session, uuid)
        created = webhook is None
        if webhook is None:
            webhook = Webhook(uuid=uuid)
            _apply(session, webhook, data)
            session.add(webhook)
        else:
            _apply(session, webhook, data)
            repo.touch(webhook)
        session.flush()
        return present(webhook, created)


def get_webhook(db: Database, uuid: str, present: Callable[[Webhook], R]) -> R:
    with db.read() as session:
        return present(_require(session, uuid))


def execute_webhook(db: Database, uuid: str, params: dict[str, str]) -> tuple[bool, str]:
    """Send a webhook's request now with ``params`` (no event happened); returns (success,
    log text). The request goes out after the transaction, as deliveries do."""
    delivery = get_webhook(db, uuid, lambda webhook: build_delivery(webhook, "test", params))
    return send(delivery)


def list_webhooks(
    db: Database,
    present: Callable[[Sequence[Webhook]], R],
    *,
    consumer_name: str | None = None,
    provider_name: str | None = None,
) -> R:
    with db.read() as session:
        consumer = require_pacticipant(session, consumer_name) if consumer_name else None
        provider = require_pacticipant(session, provider_name) if provider_name else None
        webhooks = repo.list_webhooks(
            session,
            consumer_id=consumer.id if consumer else None,
            provider_id=provider.id if provider else None,
        )
        return present(webhooks)


def list_executions(
    db: Database, uuid: str, present: Callable[[Webhook, Sequence[WebhookExecution]], R]
) -> R:
    """A webhook's delivery attempts, newest first, so failures are visible."""
    with db.read() as session:
        webhook = _require(session, uuid)
        executions = repo.executions_of_webhook(session, webhook)
        return present(webhook, executions)


def delete_webhook(db: Database, uuid: str) -> None:
    with db.write() as session:
        session.delete(_require(session, uuid))


def require_pacticipants_exist(db: Database, names: Sequence[str]) -> None:
    with db.read() as session:
        for name in names:
            require_pacticipant(session, name)


# --- templates and delivery ----------------------------------------------------------------------


def render_template(value: Any, params: dict[str, str]) -> Any:
    """Replace ``${pactbroker.X}`` placeholders in strings, recursively."""
    if isinstance(value, str):
        for key, replacement in params.items():
            value = value.replace("${pactbroker." + key + "}", replacement)
        return value
    if isinstance(value, list):
        return [render_template(item, params) for item in value]
    if isinstance(value, dict):
        return {k: render_template(v, params) for k, v in value.items()}
    return value


@dataclass
class Delivery:
    webhook_id: int | None
    event_name: str
    method: str
    url: str
    headers: dict[str, str]
    body: Any
    auth: tuple[str, str] | None = None
    logs: list[str] = field(default_factory=list)


def build_delivery(webhook: Webhook, event_name: str, params: dict[str, str]) -> Delivery:
    request = webhook.request or {}
    headers = {
        str(k): str(render_template(v, params)) for k, v in (request.get("headers") or {}).items()
    }
    auth = None
    if request.get("username"):
        auth = (str(request["username"]), str(request.get("password", "")))
    return Delivery(
        webhook_id=webhook.id,
        event_name=event_name,
        method=str(request.get("method", "POST")).upper(),
        url=str(render_template(request.get("url", ""), params)),
        headers=headers,
        body=render_template(request.get("body"), params),
        auth=auth,
    )


def send(delivery: Delivery, *, client: httpx.Client | None = None) -> tuple[bool, str]:
    """Send one webhook request; returns (success, log text)."""
    content: bytes | None
    if delivery.body is None:
        content = None
    elif isinstance(delivery.body, str):
        content = delivery.body.encode()
    else:
        content = json.dumps(delivery.body).encode()
    own = client is None
    http = client or httpx.Client(timeout=DELIVERY_TIMEOUT_SECONDS)
    try:
        response = http.request(
            delivery.method,
            delivery.url,
            headers=delivery.headers,
            content=content,
            auth=delivery.auth,
        )
        ok = 200 <= response.status_code < 300
        text = f"{delivery.method} {delivery.url} -> {response.status_code}\n{response.text[:2000]}"
        return ok, text
    except httpx.HTTPError as exc:
        return False, f"{delivery.method} {delivery.url} -> error: {exc}"
    finally:
        if own:
            http.close()


class WebhookDispatcher:
    """Queues deliveries in the triggering session and sends them once it commits."""

    def __init__(
        self, db: Database, *, retry_delays: Sequence[float] = RETRY_DELAYS_SECONDS
    ) -> None:
        self.db = db
        self.retry_delays = tuple(retry_delays)
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="webhook")
        self._lock = threading.Lock()
        self._closed = False

    def enqueue(self, session: Session, deliveries: Sequence[Delivery]) -> None:
        if not deliveries:
            return
        pending: list[Delivery] = session.info.setdefault("webhook_deliveries", [])
        if not pending:
            event.listen(session, "after_commit", self._after_commit, once=True)
        pending.extend(deliveries)

    def _after_commit(self, session: Session) -> None:
        deliveries = session.info.pop("webhook_deliveries", [])
        with self._lock:
            if self._closed:
                return
            for delivery in deliveries:
                self._pool.submit(self._deliver, delivery)

    def _deliver(self, delivery: Delivery) -> None:
        attempts = (0.0, *self.retry_delays)
        for attempt, delay in enumerate(attempts, start=1):
            if delay:
                time.sleep(delay)
            ok, text = send(delivery)
            self._record(delivery, ok, f"attempt {attempt}: {text}")
            if ok:
                return

    def _record(self, delivery: Delivery, ok: bool, text: str) -> None:
        try:
            with self.db.write() as session:
                session.add(
                    WebhookExecution(
                        webhook_id=delivery.webhook_id,
                        event_name=delivery.event_name,
                        success=ok,
                        logs=text,
                    )
                )
        except Exception:  # a log write must never kill the delivery thread
            log.exception("could not record webhook execution")

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)


def matching_webhooks(
    session: Session, event_name: str, consumer: Pacticipant, provider: Pacticipant
) -> list[Webhook]:
    consumer_labels = {label.name for label in consumer.labels}
    provider_labels = {label.name for label in provider.labels}
    result = []
    for webhook in repo.enabled_webhooks(session):
        if event_name not in (webhook.events or []):
            continue
        if webhook.consumer_id is not None and webhook.consumer_id != consumer.id:
            continue
        if webhook.provider_id is not None and webhook.provider_id != provider.id:
            continue
        if webhook.consumer_label is not None and webhook.consumer_label not in consumer_labels:
            continue
        if webhook.provider_label is not None and webhook.provider_label not in provider_labels:
            continue
        result.append(webhook)
    return result


def status_strings(success: bool | None) -> dict[str, str]:
    if success is None:
        return {
            "githubVerificationStatus": "pending",
            "bitbucketVerificationStatus": "INPROGRESS",
            "azureDevOpsVerificationStatus": "pending",
            "gitlabVerificationStatus": "pending",
        }
    if success:
        return {
            "githubVerificationStatus": "success",
            "bitbucketVerificationStatus": "SUCCESSFUL",
            "azureDevOpsVerificationStatus": "succeeded",
            "gitlabVerificationStatus": "success",
        }
    return {
        "githubVerificationStatus": "failure",
        "bitbucketVerificationStatus": "FAILED",
        "azureDevOpsVerificationStatus": "failed",
        "gitlabVerificationStatus": "failed",
    }


def pact_params(
    pub: PactPublication, pact_url: str, verification: Verification | None, verification_url: str
) -> dict[str, str]:
    consumer_version: Version = pub.consumer_version
    params = {
        "consumerName": pub.consumer.name,
        "providerName": pub.provider.name,
        "consumerVersionNumber": consumer_version.number,
        "consumerVersionTags": ", ".join(t.name for t in consumer_version.tags),
        "consumerVersionBranch": ", ".join(
            bv.branch.name for bv in consumer_version.branch_versions
        ),
        "consumerLabels": ", ".join(label.name for label in pub.consumer.labels),
        "providerLabels": ", ".join(label.name for label in pub.provider.labels),
        "pactUrl": pact_url,
        "verificationResultUrl": verification_url,
        "buildUrl": consumer_version.build_url or "",
        "providerVersionNumber": "",
        "providerVersionTags": "",
        "providerVersionBranch": "",
        "providerVersionDescriptions": "",
        "currentlyDeployedProviderVersionNumber": "",
    }
    if verification is not None:
        provider_version = verification.provider_version
        params["providerVersionNumber"] = provider_version.number
        params["providerVersionTags"] = ", ".join(t.name for t in provider_version.tags)
        params["providerVersionBranch"] = ", ".join(
            bv.branch.name for bv in provider_version.branch_versions
        )
        params["buildUrl"] = verification.build_url or ""
    params.update(status_strings(None if verification is None else verification.success))
    return params


def deploy_for_tag(session: Session, version: Version, tag: str) -> None:
    """Tagging a version with an environment's name records a deployment there (legacy tags)."""
    environment = repo.find_environment_by_name(session, tag)
    if environment is None:
        return
    for current in repo.currently_deployed_to_target(
        session, environment, version.pacticipant, None
    ):
        if current.version_id == version.id:
            return
    session.add(
        DeployedVersion(
            version_id=version.id,
            pacticipant_id=version.pacticipant_id,
            environment_id=environment.id,
        )
    )
