"""Helpers for the webhook tests: a real HTTP receiver, a broker that delivers webhooks, and
publishing and polling helpers."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from pact_pipeline.broker.app import create_app
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.settings import Settings
from pact_pipeline.broker.testing import reset_database, simple_pact
from pact_pipeline.serving import serve_app
from tests.broker.broker_support import LOOPBACK_WEBHOOKS, LiveBroker, database_url


class Receiver:
    """A real HTTP endpoint recording every request made to it (any method, any path)."""

    def __init__(self, status: int = 200, body: str = "") -> None:
        self.status = status
        self.body = body
        self.calls: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self.app = FastAPI()

        @self.app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
        async def anything(request: Request, path: str) -> Response:
            content = await request.body()
            with self._lock:
                self.calls.append(
                    {
                        "method": request.method,
                        "path": "/" + path,
                        "headers": dict(request.headers),
                        "body": content.decode(),
                    }
                )
            return Response(self.body, status_code=self.status)

    @contextmanager
    def serving(self) -> Iterator[str]:
        with serve_app(self.app) as url:
            yield url


def wait_for(condition: Callable[[], bool], timeout: float = 10, what: str = "webhook") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for the {what}")
        time.sleep(0.02)


BrokerStarter = Callable[..., LiveBroker]


@pytest.fixture
def webhook_brokers(tmp_path: Path) -> Iterator[BrokerStarter]:
    """Start live brokers that deliver webhooks, on one database for the test:
    ``start(retry=(0.2, 0.2), **settings)``; loopback HTTP targets allowed unless overridden."""
    with ExitStack() as stack:
        url = database_url(tmp_path)
        db = Database(url)
        stack.callback(db.dispose)
        if url.startswith("postgresql"):
            create_app(Settings(database_url=url), database=db, webhooks_enabled=False)
            reset_database(db)

        def start(retry: tuple[float, ...] = (0.2, 0.2), **overrides: Any) -> LiveBroker:
            settings = Settings(database_url=url, **{**LOOPBACK_WEBHOOKS, **overrides})
            app = create_app(
                settings, database=db, webhook_retry_delays=retry, webhook_poll_interval=0.2
            )
            base_url = stack.enter_context(serve_app(app))
            client = stack.enter_context(httpx.Client(base_url=base_url, timeout=30))
            return LiveBroker(base_url, db, client)

        yield start


def publish_body(
    version: str,
    *,
    description: str = "a request",
    branch: str | None = "main",
    merge: bool = False,
    consumer: str = "Foo",
    provider: str = "Bar",
) -> dict[str, Any]:
    content = base64.b64encode(json.dumps(simple_pact(consumer, provider, description)).encode())
    contract: dict[str, Any] = {
        "consumerName": consumer,
        "providerName": provider,
        "specification": "pact",
        "contentType": "application/json",
        "content": content.decode(),
    }
    if merge:
        contract["onConflict"] = "merge"
    body: dict[str, Any] = {
        "pacticipantName": consumer,
        "pacticipantVersionNumber": version,
        "contracts": [contract],
    }
    if branch:
        body["branch"] = branch
    return body


def publish(client: httpx.Client, version: str, **options: Any) -> dict[str, Any]:
    response = client.post("/contracts/publish", json=publish_body(version, **options))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def webhook_body(url: str, events: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "events": [{"name": e} for e in events],
        "request": {
            "method": "POST",
            "url": url,
            "headers": {"Content-Type": "application/json"},
            "body": {
                "pact": "${pactbroker.pactUrl}",
                "version": "${pactbroker.consumerVersionNumber}",
            },
        },
        **extra,
    }


def create_webhook(client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/webhooks", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def triggered(client: httpx.Client, version: str) -> list[dict[str, Any]]:
    response = client.get(f"/pacts/provider/Bar/consumer/Foo/version/{version}/triggered-webhooks")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["_embedded"]["triggeredWebhooks"]
    return items
