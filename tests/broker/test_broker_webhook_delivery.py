"""Webhook deliveries are persisted in the triggering transaction and made by a delivery loop:
fast publishing whatever the receiver does, retries on the schedule, failures visible through
the API, deliveries surviving a SIGKILL, and exactly once across broker processes."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.broker.broker_support import (
    LOOPBACK_WEBHOOKS_ENV,
    POSTGRES_SKIP_REASON,
    broker_process,
    fresh_postgres_database,
    postgres_url,
    start_broker_process,
)
from tests.broker.webhook_support import (
    BrokerStarter,
    Receiver,
    create_webhook,
    publish,
    publish_body,
    triggered,
    wait_for,
    webhook_body,
    webhook_brokers,
)

__all__ = ["webhook_brokers"]


def test_a_delivery_arrives_within_a_second_and_is_recorded(
    webhook_brokers: BrokerStarter,
) -> None:
    broker = webhook_brokers()
    receiver = Receiver()
    with receiver.serving() as url:
        create_webhook(broker.client, webhook_body(f"{url}/hook", ["contract_published"]))
        began = time.monotonic()
        publish(broker.client, "1")
        wait_for(lambda: len(receiver.calls) == 1, timeout=5)
        assert time.monotonic() - began < 1.5, "woken by the commit, not by a poll"
    wait_for(lambda: triggered(broker.client, "1")[0]["status"] == "success")
    [item] = triggered(broker.client, "1")
    assert (item["eventName"], item["attemptsMade"], item["attemptsRemaining"]) == (
        "contract_published",
        1,
        0,
    )
    logs = broker.client.get(item["_links"]["pb:logs"]["href"])
    assert logs.status_code == 200 and "HTTP/1.1 200" in logs.text


def test_a_receiver_that_is_down_neither_slows_nor_fails_publishing_and_is_retried(
    webhook_brokers: BrokerStarter,
) -> None:
    broker = webhook_brokers(retry=(0.3, 0.3))
    receiver = Receiver()
    with receiver.serving() as url:
        pass  # the receiver is gone: its port now refuses connections
    create_webhook(broker.client, webhook_body(f"{url}/hook", ["contract_published"]))
    began = time.monotonic()
    publish(broker.client, "1")
    assert time.monotonic() - began < 1.0
    wait_for(lambda: triggered(broker.client, "1")[0]["status"] == "retrying", what="a retry")
    retrying = triggered(broker.client, "1")[0]
    assert retrying["attemptsMade"] >= 1 and retrying["attemptsRemaining"] >= 1
    status = broker.client.get("/pacts/provider/Bar/consumer/Foo/webhooks/status").json()
    assert status["summary"]["retrying"] == 1
    assert status["_links"]["pb:error-logs"]
    wait_for(lambda: triggered(broker.client, "1")[0]["status"] == "failure", what="failure")
    failed = triggered(broker.client, "1")[0]
    assert (failed["attemptsMade"], failed["attemptsRemaining"]) == (3, 0)
    logs = broker.client.get(
        failed["_links"]["pb:logs"]["href"], headers={"Accept": "application/hal+json"}
    )
    executions = logs.json()["executions"]
    assert [e["success"] for e in executions] == [False, False, False]
    assert all("Error executing webhook" in e["logs"] for e in executions)
    status = broker.client.get("/pacts/provider/Bar/consumer/Foo/webhooks/status").json()
    assert status["summary"] == {"successful": 0, "failed": 1, "retrying": 0, "notRun": 0}


def test_a_receiver_that_recovers_gets_the_retry(webhook_brokers: BrokerStarter) -> None:
    broker = webhook_brokers(retry=(0.3,))
    receiver = Receiver(status=503)
    with receiver.serving() as url:
        create_webhook(broker.client, webhook_body(f"{url}/hook", ["contract_published"]))
        publish(broker.client, "1")
        wait_for(lambda: len(receiver.calls) == 1)
        receiver.status = 200
        wait_for(lambda: len(receiver.calls) == 2)
    wait_for(lambda: triggered(broker.client, "1")[0]["status"] == "success")
    assert triggered(broker.client, "1")[0]["attemptsMade"] == 2


def test_verification_deliveries_are_listed_on_the_verification(
    webhook_brokers: BrokerStarter,
) -> None:
    broker = webhook_brokers()
    receiver = Receiver()
    with receiver.serving() as url:
        create_webhook(
            broker.client, webhook_body(f"{url}/hook", ["provider_verification_published"])
        )
        publish(broker.client, "1")
        pact = broker.client.get("/pacts/provider/Bar/consumer/Foo/version/1").json()
        assert pact["_links"]["pb:triggered-webhooks"]["href"].endswith("/triggered-webhooks")
        result = broker.client.post(
            pact["_links"]["pb:publish-verification-results"]["href"],
            json={"success": True, "providerApplicationVersion": "p1"},
        ).json()
        wait_for(lambda: len(receiver.calls) == 1)
    href = result["_links"]["pb:triggered-webhooks"]["href"]
    wait_for(lambda: broker.client.get(href).json()["_embedded"]["triggeredWebhooks"] != [])
    [item] = broker.client.get(href).json()["_embedded"]["triggeredWebhooks"]
    assert item["eventName"] == "provider_verification_published"
    assert triggered(broker.client, "1") == []


def _broker_env(database: str) -> dict[str, str]:
    return {**LOOPBACK_WEBHOOKS_ENV, "PACT_BROKER_WEBHOOK_RETRY_SCHEDULE": "3"}


def test_a_delivery_awaiting_its_retry_survives_a_sigkill(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'broker.sqlite'}"
    receiver = Receiver(status=503)
    with receiver.serving() as url:
        broker = start_broker_process(database, tmp_path / "1.log", env=_broker_env(database))
        try:
            with httpx.Client(base_url=broker.url, timeout=30) as client:
                create_webhook(client, webhook_body(f"{url}/hook", ["contract_published"]))
                publish(client, "1")
                wait_for(lambda: len(receiver.calls) == 1)
                wait_for(lambda: triggered(client, "1")[0]["status"] == "retrying")
        finally:
            os.kill(broker.process.pid, signal.SIGKILL)
            broker.process.wait(30)
        receiver.status = 200
        with broker_process(database, tmp_path / "2.log", env=_broker_env(database)) as again:
            wait_for(lambda: len(receiver.calls) == 2, timeout=20, what="the retried delivery")
            with httpx.Client(base_url=again.url, timeout=30) as client:
                wait_for(lambda: triggered(client, "1")[0]["status"] == "success")


@pytest.mark.postgres
@pytest.mark.slow
def test_two_brokers_on_one_database_deliver_each_webhook_once(tmp_path: Path) -> None:
    server = postgres_url()
    if server is None:
        pytest.skip(POSTGRES_SKIP_REASON)
    receiver = Receiver()
    count = 20
    with fresh_postgres_database(server) as database, receiver.serving() as url:
        env = _broker_env(database)
        with (
            broker_process(database, tmp_path / "a.log", env=env) as first,
            broker_process(database, tmp_path / "b.log", env=env) as second,
            httpx.Client(timeout=30) as client,
        ):
            body = webhook_body(f"{url}/hook", ["contract_published"])
            assert client.post(f"{first.url}/webhooks", json=body).status_code == 201
            for n in range(count):
                base = (first, second)[n % 2].url
                response = client.post(
                    f"{base}/contracts/publish",
                    json=publish_body(str(n)),
                )
                assert response.status_code == 200, response.text
            wait_for(lambda: len(receiver.calls) >= count, timeout=30, what="every delivery")
            time.sleep(2.5)  # time for any duplicate to arrive (two polls of each broker)
    versions = sorted(
        int(call["body"].split('"version": "')[1].split('"')[0]) for call in receiver.calls
    )
    assert versions == list(range(count))
