"""Webhook secrets (PactFlow's ``/secrets``): ``${user.NAME}`` is filled in only when a request
is sent, and no API response, delivery log or broker log line ever shows a secret's value or a
webhook's password."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx

from tests.broker.broker_support import LOOPBACK_WEBHOOKS_ENV, broker_process
from tests.broker.webhook_support import (
    BrokerStarter,
    Receiver,
    create_webhook,
    publish,
    triggered,
    wait_for,
    webhook_brokers,
)

__all__ = ["webhook_brokers"]

SECRET = "s3cr3t-Value/with+chars&more"
PASSWORD = "hook-password-42"


def test_secrets_are_created_listed_updated_and_deleted_without_their_value(
    webhook_brokers: BrokerStarter,
) -> None:
    client = webhook_brokers().client
    created = client.post("/secrets", json={"name": "CI_TOKEN", "description": "d", "value": "v1"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert set(body) == {"uuid", "name", "description", "createdAt", "_links"}
    assert body["_links"]["self"]["href"].endswith(f"/secrets/{body['uuid']}")
    duplicate = client.post("/secrets", json={"name": "CI_TOKEN", "value": "v2"})
    assert duplicate.status_code == 409
    assert "v2" not in duplicate.text
    for bad in ({"name": "with space", "value": "x"}, {"name": "N"}, {"name": "N", "value": 5}):
        refused = client.post("/secrets", json=bad)
        assert refused.status_code == 400, bad
    listed = client.get("/secrets").json()
    assert [s["name"] for s in listed["_embedded"]["secrets"]] == ["CI_TOKEN"]
    href = body["_links"]["self"]["href"]
    updated = client.put(href, json={"name": "CI_TOKEN", "description": "new"})
    assert updated.status_code == 200 and updated.json()["description"] == "new"
    assert "v1" not in client.get(href).text + client.get("/secrets").text
    assert client.delete(href).status_code == 204
    assert client.get(href).status_code == 404


def _webhook(url: str) -> dict[str, Any]:
    return {
        "description": "with secrets",
        "events": [{"name": "contract_published"}],
        "request": {
            "method": "POST",
            "url": url + "/hook?key=${user.CI_TOKEN}",
            "headers": {
                "Content-Type": "application/json",
                "X-Custom": "${user.CI_TOKEN}",
                "X-Api-Token": "Bearer ${user.CI_TOKEN}",
            },
            "body": {"token": "${user.CI_TOKEN}", "version": "${pactbroker.consumerVersionNumber}"},
            "username": "ci",
            "password": PASSWORD,
        },
    }


def _forms() -> list[str]:
    basic = base64.b64encode(f"ci:{PASSWORD}".encode()).decode()
    return [SECRET, PASSWORD, basic, httpx.URL("http://x/?k=" + SECRET).query.decode()[2:]]


def _every_response(client: httpx.Client, webhook: dict[str, Any], secret_href: str) -> str:
    uuid = webhook["uuid"]
    seen = [json.dumps(webhook)]
    for path in (
        f"/webhooks/{uuid}",
        "/webhooks",
        f"/webhooks/{uuid}/executions",
        "/secrets",
        secret_href,
        "/pacts/provider/Bar/consumer/Foo/version/1/triggered-webhooks",
        "/pacts/provider/Bar/consumer/Foo/webhooks/status",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        seen.append(response.text)
    for item in triggered(client, "1"):
        href = item["_links"]["pb:logs"]["href"]
        seen.append(client.get(href).text)
        seen.append(client.get(href, headers={"Accept": "application/hal+json"}).text)
    executed = client.post(f"/webhooks/{uuid}/execute")
    assert executed.status_code == 200 and executed.json()["success"] is True
    seen.append(executed.text)
    unsaved = client.post(
        "/webhooks/execute",
        json={k: v for k, v in webhook.items() if k in ("events", "request")}
        | {"request": _webhook(webhook["request"]["url"].split("/hook")[0])["request"]},
    )
    seen.append(unsaved.text)
    return "\n".join(seen)


def test_a_secret_reaches_the_receiver_and_nothing_else(tmp_path: Path) -> None:
    receiver = Receiver(body=f"echo {SECRET}")
    env = {**LOOPBACK_WEBHOOKS_ENV, "PACT_BROKER_WEBHOOK_SHOW_RESPONSE": "true"}
    database = f"sqlite:///{tmp_path / 'broker.sqlite'}"
    with (
        receiver.serving() as url,
        broker_process(database, tmp_path / "broker.log", env=env, log_level="debug") as broker,
        httpx.Client(base_url=broker.url, timeout=30) as client,
    ):
        secret = client.post("/secrets", json={"name": "CI_TOKEN", "value": SECRET})
        assert secret.status_code == 201
        webhook = create_webhook(client, _webhook(url))
        assert webhook["request"]["password"] == "**********"
        published = publish(client, "1")
        wait_for(lambda: len(receiver.calls) == 1)
        call = receiver.calls[0]
        assert call["headers"]["x-custom"] == SECRET
        assert call["headers"]["x-api-token"] == f"Bearer {SECRET}"
        assert call["headers"]["authorization"].startswith("Basic ")
        assert json.loads(call["body"])["token"] == SECRET
        wait_for(lambda: triggered(client, "1")[0]["status"] == "success")
        shown = json.dumps(published) + _every_response(
            client, webhook, secret.json()["_links"]["self"]["href"]
        )
        assert "********" in shown  # the logs were there, redacted
    output = broker.output()
    assert "webhook delivery" in output  # the broker logged the delivery at debug level
    leaked = [form for form in _forms() if form in shown or form in output]
    assert leaked == []


def test_an_unknown_secret_fails_the_delivery_with_a_clear_log(
    webhook_brokers: BrokerStarter,
) -> None:
    broker = webhook_brokers(retry=())
    receiver = Receiver()
    with receiver.serving() as url:
        body = _webhook(url)
        body["request"].pop("password")
        create_webhook(broker.client, body)
        publish(broker.client, "1")
        wait_for(lambda: triggered(broker.client, "1")[0]["status"] == "failure")
    assert receiver.calls == []
    logs = broker.client.get(triggered(broker.client, "1")[0]["_links"]["pb:logs"]["href"]).text
    assert "CI_TOKEN" in logs and "do not exist" in logs
