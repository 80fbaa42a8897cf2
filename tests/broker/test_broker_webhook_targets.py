"""Where webhooks may go (the scheme, method and host allow-lists, checked at creation and
again at delivery), their default description, test executions with a real pact, and the
publish notices about events and webhooks."""

from __future__ import annotations

import pytest

from pact_pipeline.broker.services.webhooks.targets import host_allowed
from pact_pipeline.broker.settings import Settings
from tests.broker.broker_support import run_pact
from tests.broker.webhook_support import (
    BrokerStarter,
    Receiver,
    create_webhook,
    publish,
    triggered,
    wait_for,
    webhook_body,
    webhook_brokers,
)

__all__ = ["webhook_brokers"]

PACT_BROKER_DEFAULTS = {
    "webhook_scheme_whitelist": ["https"],
    "webhook_http_method_whitelist": ["POST"],
    "webhook_host_whitelist": [],
}


@pytest.mark.parametrize(
    ("host", "whitelist", "allowed"),
    [
        ("example.org", (), True),
        ("example.org", ("example.org",), True),
        ("evil.org", ("example.org",), False),
        ("api.example.org", ("*.example.org",), True),
        ("a.b.example.org", ("*.example.org",), False),
        ("ci-7.internal", ("/^ci-\\d+\\.internal$/",), True),
        ("127.0.0.1", ("127.0.0.1",), True),
        ("10.1.2.3", ("10.0.0.0/8",), True),
        ("11.1.2.3", ("10.0.0.0/8",), False),
        ("::1", ("::1",), True),
        ("10.1.2.3", ("/10\\..*/",), False),  # an IP address only matches addresses and ranges
    ],
)
def test_host_whitelist_rules_are_the_pact_brokers(
    host: str, whitelist: tuple[str, ...], allowed: bool
) -> None:
    assert host_allowed(host, whitelist) is allowed


def test_settings_come_from_the_environment_as_words(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = Settings()
    assert defaults.retry_schedule == (10, 60, 120, 300, 600, 1200)
    assert (defaults.scheme_whitelist, defaults.method_whitelist) == (("https",), ("POST",))
    assert defaults.host_whitelist == ()
    monkeypatch.setenv("PACT_BROKER_WEBHOOK_RETRY_SCHEDULE", "1, 2 3")
    monkeypatch.setenv("PACT_BROKER_WEBHOOK_SCHEME_WHITELIST", "http https")
    monkeypatch.setenv("PACT_BROKER_WEBHOOK_HOST_WHITELIST", "127.0.0.1 *.example.org /ci/")
    monkeypatch.setenv("PACT_BROKER_WEBHOOK_HTTP_CODE_SUCCESS", "200 204")
    configured = Settings()
    assert configured.retry_schedule == (1, 2, 3)
    assert configured.scheme_whitelist == ("http", "https")
    assert configured.host_whitelist == ("127.0.0.1", "*.example.org", "/ci/")
    assert configured.success_codes == {200, 204}


def test_the_pact_brokers_defaults_refuse_plain_http_and_other_methods(
    webhook_brokers: BrokerStarter,
) -> None:
    client = webhook_brokers(**PACT_BROKER_DEFAULTS).client
    body = webhook_body("http://127.0.0.1:9/hook", ["contract_published"])
    refused = client.post("/webhooks", json=body)
    assert refused.status_code == 400
    assert refused.json()["errors"]["request.url"] == [
        "scheme must be https. See /doc/webhooks#whitelist for more information."
    ]
    body["request"].update(url="https://example.org/hook", method="PUT")
    refused = client.post("/webhooks", json=body)
    assert refused.json()["errors"]["request.method"] == [
        "must be POST. See /doc/webhooks#whitelist for more information."
    ]
    body["request"]["method"] = "POST"
    assert client.post("/webhooks", json=body).status_code == 201


def test_a_host_whitelist_is_enforced_at_creation(webhook_brokers: BrokerStarter) -> None:
    client = webhook_brokers(webhook_host_whitelist=["*.example.org", "10.0.0.0/8"]).client
    refused = client.post(
        "/webhooks", json=webhook_body("http://127.0.0.1/h", ["contract_published"])
    )
    assert refused.status_code == 400
    assert refused.json()["errors"]["request.url"] == [
        'host must be in the whitelist "*.example.org", "10.0.0.0/8". '
        "See /doc/webhooks#whitelist for more information."
    ]
    allowed = client.post(
        "/webhooks", json=webhook_body("http://ci.example.org/h", ["contract_published"])
    )
    assert allowed.status_code == 201


def test_a_target_disallowed_since_creation_is_not_sent(webhook_brokers: BrokerStarter) -> None:
    permissive = webhook_brokers()
    receiver = Receiver()
    with receiver.serving() as url:
        create_webhook(permissive.client, webhook_body(f"{url}/hook", ["contract_published"]))
        # A second broker on the same database, with stricter settings, makes the delivery
        # (the first one's loop is asleep: the commit wakes only the broker that served it).
        strict = webhook_brokers(webhook_host_whitelist=["ci.example.org"])
        publish(strict.client, "1")
        wait_for(lambda: triggered(strict.client, "1")[0]["status"] == "failure")
    assert receiver.calls == []
    [item] = triggered(strict.client, "1")
    assert item["attemptsMade"] == 1
    logs = strict.client.get(item["_links"]["pb:logs"]["href"]).text
    assert "Webhook not sent: url host must be in the whitelist" in logs


def test_a_webhook_without_description_is_described_by_its_request(
    webhook_brokers: BrokerStarter,
) -> None:
    client = webhook_brokers().client
    created = create_webhook(
        client, webhook_body("http://127.0.0.1:9/hook", ["contract_published"])
    )
    assert created["description"] == "POST 127.0.0.1"
    assert created["_links"]["self"]["title"] == "POST 127.0.0.1"
    listed = client.get("/webhooks").json()
    assert listed["_links"]["pb:webhooks"][0]["title"] == "POST 127.0.0.1"


def test_execute_uses_the_newest_matching_pact_with_a_fetchable_url(
    webhook_brokers: BrokerStarter,
) -> None:
    broker = webhook_brokers()
    receiver = Receiver(body='{"received": true}')
    with receiver.serving() as url:
        webhook = create_webhook(broker.client, webhook_body(f"{url}/hook", ["contract_published"]))
        publish(broker.client, "1")
        publish(broker.client, "2", description="changed")
        wait_for(lambda: len(receiver.calls) == 2)
        executed = broker.client.post(webhook["_links"]["pb:execute"]["href"])
        assert executed.status_code == 200
        result = executed.json()
        assert result["success"] is True
        assert set(result) >= {"request", "response", "logs", "success", "_links"}
        assert result["_links"]["webhook"]["href"].endswith(webhook["uuid"])
        sent = result["request"]["body"]
        assert sent["version"] == "2"
        pact = broker.client.get(sent["pact"])
        assert pact.status_code == 200
        assert pact.json()["interactions"][0]["description"] == "changed"
        assert result["response"]["status"] == 200
        unsaved = broker.client.post(
            "/webhooks/execute", json=webhook_body(f"{url}/other", ["contract_published"])
        )
        assert unsaved.status_code == 200 and unsaved.json()["success"] is True
        assert receiver.calls[-1]["path"] == "/other"
    invalid = broker.client.post("/webhooks/execute", json={"request": {"method": "POST"}})
    assert invalid.status_code == 400
    assert len(triggered(broker.client, "2")) == 1, "executions are not deliveries"


def test_execute_without_any_pact_uses_placeholders(webhook_brokers: BrokerStarter) -> None:
    broker = webhook_brokers()
    receiver = Receiver()
    with receiver.serving() as url:
        webhook = create_webhook(broker.client, webhook_body(f"{url}/hook", ["contract_published"]))
        result = broker.client.post(webhook["_links"]["pb:execute"]["href"]).json()
    assert result["success"] is True
    assert result["request"]["body"]["version"] == "placeholder-consumerVersionNumber"


def _texts(result: dict[str, object]) -> list[str]:
    notices = result["notices"]
    assert isinstance(notices, list)
    return [str(n["text"]) for n in notices]


def test_publish_notices_name_every_event_and_each_triggered_webhook(
    webhook_brokers: BrokerStarter,
) -> None:
    broker = webhook_brokers()
    client = broker.client
    first = _texts(publish(client, "1"))
    assert (
        "  Events detected: contract_published, contract_content_changed "
        "(first time pact published)" in first
    )
    assert any("Configure separate Bar pact verification build and webhook" in t for t in first)
    # A provider on its main branch must verify new content: the third event.
    client.put("/pacticipants/Bar/branches/main/versions/p1", json={})
    client.patch("/pacticipants/Bar", json={"mainBranch": "main"})
    receiver = Receiver()
    with receiver.serving() as url:
        webhook = create_webhook(
            client, webhook_body(f"{url}/hook", ["contract_published"], description="tell CI")
        )
        texts = _texts(publish(client, "2", description="changed"))
        wait_for(lambda: len(receiver.calls) == 1)
    assert (
        "  Events detected: contract_published, contract_content_changed (pact content has "
        "changed since the previous version), contract_requiring_verification_published"
    ) in texts
    [uuid] = [t["uuid"] for t in triggered(client, "2")]
    assert (
        f'  Webhook "tell CI" triggered for event contract_published.\n'
        f"    View logs at {broker.url}/triggered-webhooks/{uuid}/logs"
    ) in texts
    assert not any("Configure separate" in t for t in texts)
    merged = _texts(publish(client, "2", description="another", merge=True))
    assert merged[1] == (
        "Pact content merged with existing content for Foo version 2 and provider Bar."
    )
    assert webhook["uuid"]


def test_the_official_cli_creates_updates_and_tests_a_webhook(
    webhook_brokers: BrokerStarter,
) -> None:
    broker = webhook_brokers()
    receiver = Receiver()
    uuid = "cli-webhook-0123456789"
    with receiver.serving() as url:
        for description in ("first", "second"):
            run_pact(
                "broker",
                "create-or-update-webhook",
                f"{url}/hook",
                "-b",
                broker.url,
                "--uuid",
                uuid,
                "-X",
                "POST",
                "-H",
                "Content-Type: application/json",
                "-d",
                '{"v": "${pactbroker.consumerVersionNumber}"}',
                "--description",
                description,
                "--contract-published",
            )
        assert broker.client.get(f"/webhooks/{uuid}").json()["description"] == "second"
        tested = run_pact("broker", "test-webhook", "-b", broker.url, "--uuid", uuid)
        assert tested.returncode == 0
        assert len(receiver.calls) == 1
