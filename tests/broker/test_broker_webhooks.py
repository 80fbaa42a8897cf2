"""Webhooks: events fire after the triggering write commits, templates are filled in, and every
delivery attempt (with retries) is recorded where users can see it."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
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
    """A real HTTP endpoint recording what webhooks send it."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.calls: list[dict[str, Any]] = []
        self.app = FastAPI()

        @self.app.post("/hook")
        async def hook(request: Request) -> Response:
            self.calls.append({"headers": dict(request.headers), "body": await request.body()})
            return Response(status_code=self.status)


@pytest.fixture
def webhook_broker(tmp_path: Path) -> Iterator[LiveBroker]:
    url = database_url(tmp_path)
    db = Database(url)
    app = create_app(
        Settings(database_url=url, **LOOPBACK_WEBHOOKS),
        database=db,
        webhook_retry_delays=(0.05, 0.05),
    )
    if url.startswith("postgresql"):
        reset_database(db)
    with serve_app(app) as base_url, httpx.Client(base_url=base_url, timeout=30) as client:
        yield LiveBroker(base_url, db, client)
    db.dispose()


def wait_for(condition: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting for the webhook")
        time.sleep(0.02)


def create_webhook(broker: LiveBroker, url: str, events: list[str]) -> str:
    response = broker.client.post(
        "/webhooks",
        json={
            "description": "tell CI",
            "events": [{"name": e} for e in events],
            "request": {
                "method": "POST",
                "url": url,
                "headers": {"Content-Type": "application/json"},
                "body": {
                    "pact": "${pactbroker.pactUrl}",
                    "consumer": "${pactbroker.consumerName}",
                    "version": "${pactbroker.consumerVersionNumber}",
                    "providerVersion": "${pactbroker.providerVersionNumber}",
                    "status": "${pactbroker.githubVerificationStatus}",
                },
            },
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["uuid"])


def publish(broker: LiveBroker, version: str, description: str = "a request") -> None:
    content = base64.b64encode(json.dumps(simple_pact("Foo", "Bar", description)).encode())
    response = broker.client.post(
        "/contracts/publish",
        json={
            "pacticipantName": "Foo",
            "pacticipantVersionNumber": version,
            "branch": "main",
            "contracts": [
                {
                    "consumerName": "Foo",
                    "providerName": "Bar",
                    "specification": "pact",
                    "contentType": "application/json",
                    "content": content.decode(),
                }
            ],
        },
    )
    assert response.status_code == 200, response.text


def test_content_changes_and_verifications_fire_with_filled_templates(
    webhook_broker: LiveBroker,
) -> None:
    receiver = Receiver()
    with serve_app(receiver.app) as receiver_url:
        create_webhook(
            webhook_broker,
            f"{receiver_url}/hook",
            ["contract_content_changed", "provider_verification_published"],
        )
        publish(webhook_broker, "1")
        wait_for(lambda: len(receiver.calls) == 1)
        sent = json.loads(receiver.calls[0]["body"])
        assert sent["consumer"] == "Foo" and sent["version"] == "1"
        pact = webhook_broker.client.get(sent["pact"])
        assert pact.status_code == 200, "pactUrl must lead to the pact"
        publish_results = pact.json()["_links"]["pb:publish-verification-results"]["href"]

        publish(webhook_broker, "2")  # same content: no contract_content_changed
        webhook_broker.client.post(
            publish_results, json={"success": True, "providerApplicationVersion": "p1"}
        )
        wait_for(lambda: len(receiver.calls) == 2)
        verified = json.loads(receiver.calls[1]["body"])
        assert (verified["providerVersion"], verified["status"]) == ("p1", "success")
        time.sleep(0.2)
        assert len(receiver.calls) == 2, "unchanged content must not fire a content event"


def test_a_failing_endpoint_is_retried_and_every_attempt_is_visible(
    webhook_broker: LiveBroker,
) -> None:
    receiver = Receiver(status=503)
    with serve_app(receiver.app) as receiver_url:
        uuid = create_webhook(webhook_broker, f"{receiver_url}/hook", ["contract_published"])
        publish(webhook_broker, "1")
        wait_for(lambda: len(receiver.calls) == 3)
        wait_for(
            lambda: (
                len(
                    webhook_broker.client.get(f"/webhooks/{uuid}/executions").json()["_embedded"][
                        "executions"
                    ]
                )
                == 3
            )
        )
    executions = webhook_broker.client.get(f"/webhooks/{uuid}/executions").json()
    attempts = executions["_embedded"]["executions"]
    assert [a["success"] for a in attempts] == [False, False, False]
    assert all("503" in a["logs"] for a in attempts)


def test_a_rolled_back_write_sends_nothing(webhook_broker: LiveBroker) -> None:
    receiver = Receiver()
    with serve_app(receiver.app) as receiver_url:
        create_webhook(webhook_broker, f"{receiver_url}/hook", ["contract_published"])
        publish(webhook_broker, "1", "first")
        wait_for(lambda: len(receiver.calls) == 1)
        # Different content under the same version is refused (409): no event may escape.
        content = base64.b64encode(json.dumps(simple_pact("Foo", "Bar", "changed")).encode())
        refused = webhook_broker.client.post(
            "/contracts/publish",
            json={
                "pacticipantName": "Foo",
                "pacticipantVersionNumber": "1",
                "contracts": [
                    {
                        "consumerName": "Foo",
                        "providerName": "Bar",
                        "specification": "pact",
                        "contentType": "application/json",
                        "content": content.decode(),
                    }
                ],
            },
        )
        assert refused.status_code == 409
        time.sleep(0.3)
        assert len(receiver.calls) == 1


def test_executing_a_webhook_reports_the_targets_answer_without_a_broker_error(
    webhook_broker: LiveBroker,
) -> None:
    for status, success in ((200, True), (500, False)):
        receiver = Receiver(status=status)
        with serve_app(receiver.app) as receiver_url:
            uuid = create_webhook(webhook_broker, f"{receiver_url}/hook", ["contract_published"])
            answer = webhook_broker.client.post(f"/webhooks/{uuid}/execute")
        assert answer.status_code == 200
        assert answer.json()["success"] is success
        assert len(receiver.calls) == 1
