"""What operators watch: ``/metrics`` (the Pact Broker's JSON counts, or Prometheus text),
``/dashboard`` and ``/diagnostic/status/dependencies``."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from pact_pipeline.broker.api.prometheus import (
    JSON,
    OPENMETRICS,
    PROMETHEUS_TEXT,
    metrics_media_type,
)
from pact_pipeline.broker.app import create_app
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.settings import Settings
from pact_pipeline.broker.testing import TestData
from pact_pipeline.serving import serve_app
from tests.broker.broker_support import (
    LOOPBACK_WEBHOOKS,
    InProcessBroker,
    InProcessFactory,
    LiveBroker,
    database_url,
)
from tests.broker.test_broker_webhooks import Receiver, create_webhook, publish, wait_for

#: Prometheus 2.x/3.x's scrape ``Accept`` header (``scrape_protocols`` defaults).
PROMETHEUS_ACCEPT = (
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;"
    "q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
)
#: The top-level fields of the Ruby broker's ``Metrics::Service#metrics``.
RUBY_FIELDS = {
    "interactions",
    "pacticipants",
    "integrations",
    "pactPublications",
    "pactVersions",
    "pactRevisionsPerConsumerVersion",
    "verificationResults",
    "verificationResultsPerPactVersion",
    "pacticipantVersions",
    "webhooks",
    "tags",
    "triggeredWebhooks",
    "webhookExecutions",
    "matrix",
    "environments",
    "deployedVersions",
    "releasedVersions",
}


@pytest.fixture
def seeded(api: InProcessBroker) -> InProcessBroker:
    td = TestData(api.db).create_consumer("Foo").create_provider("Bar")
    td.create_consumer_version("1", branch="main", tags=("prod",)).random_pact()
    td.revise_pact().create_verification("p1", branch="main", success=False)
    td.create_verification("p2", branch="main")
    td.create_consumer_version("2", branch="main", tags=("prod", "dev")).random_pact()
    td.create_consumer("Baz").create_consumer_version("7").random_pact()
    td.create_environment("prod").deploy("Baz", "7", "prod")
    td.create_webhook()
    return api


def scrape(client: TestClient | httpx.Client, accept: str = PROMETHEUS_ACCEPT) -> list[Sample]:
    response = client.get("/metrics", headers={"Accept": accept})
    assert response.status_code == 200, response.text
    text = response.text
    if "openmetrics" in response.headers["content-type"]:
        # The text-format parser reads OpenMetrics too once the EOF marker is dropped.
        text = text.replace("# EOF\n", "")
    return [s for family in text_string_to_metric_families(text) for s in family.samples]


def value(samples: list[Sample], name: str, **labels: str) -> float:
    found = [s.value for s in samples if s.name == name and labels.items() <= s.labels.items()]
    assert found, f"no sample {name} {labels}"
    return sum(found)


def test_json_counts_match_the_seeded_data_with_ruby_field_names(seeded: InProcessBroker) -> None:
    response = seeded.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/hal+json")
    body = response.json()
    assert set(body) == RUBY_FIELDS
    assert body["pacticipants"] == {"count": 3, "withMainBranchSetCount": 2}
    assert body["integrations"] == {"count": 2}
    assert body["pactPublications"]["count"] == 4
    assert body["pactVersions"] == {"count": 4}
    # Foo 1 has two revisions; Foo 2 and Baz 7 one each.
    assert body["pactRevisionsPerConsumerVersion"] == {"distribution": {"1": 2, "2": 1}}
    verifications = body["verificationResults"]
    assert (verifications["count"], verifications["successCount"]) == (2, 1)
    assert (verifications["failureCount"], verifications["distinctCount"]) == (1, 2)
    assert verifications["first"] <= verifications["last"]
    assert body["verificationResultsPerPactVersion"] == {"distribution": {"2": 1}}
    assert body["pacticipantVersions"]["count"] == 5
    assert body["pacticipantVersions"]["withBranchCount"] == 4
    assert body["tags"] == {"count": 3, "distinctCount": 2, "distinctWithPacticipantCount": 2}
    assert body["webhooks"] == {"count": 1}
    assert body["matrix"] == {"count": -1}
    assert body["environments"] == {"count": 1}
    assert body["deployedVersions"]["currentlyDeployedCount"] == 1
    assert body["releasedVersions"] == {"count": 0, "currentlySupportedCount": 0}
    assert body["interactions"]["latestInteractionsCount"] == 2


def test_the_index_link_resolves(seeded: InProcessBroker) -> None:
    href = seeded.client.get("/").json()["_links"]["pb:metrics"]["href"]
    assert seeded.client.get(href).json()["integrations"] == {"count": 2}


@pytest.mark.parametrize(
    ("accept", "kind"),
    [
        ("", JSON),
        ("*/*", JSON),
        ("application/hal+json", JSON),
        ("application/json, text/plain;q=0.5", JSON),
        ("text/plain;version=0.0.4", PROMETHEUS_TEXT),
        ("text/plain", PROMETHEUS_TEXT),
        ("application/openmetrics-text", OPENMETRICS),
        (PROMETHEUS_ACCEPT, OPENMETRICS),
        ("application/openmetrics-text;q=0.2, text/plain;version=0.0.4", PROMETHEUS_TEXT),
    ],
)
def test_negotiation(accept: str, kind: str) -> None:
    assert metrics_media_type(accept) == kind


def test_prometheus_text_has_latency_by_route_template_pool_and_counts(
    seeded: InProcessBroker,
) -> None:
    client = seeded.client
    for path in ("/pacticipants/Foo", "/pacticipants/Baz", "/pacticipants/Nobody", "/nowhere"):
        client.get(path)
    response = client.get("/metrics", headers={"Accept": "text/plain;version=0.0.4"})
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = scrape(client, "text/plain;version=0.0.4")
    latency = "pact_broker_http_request_duration_seconds_count"
    routes = {s.labels["route"] for s in samples if s.name == latency}
    assert "/pacticipants/{name}" in routes
    assert "unmatched" in routes
    assert not any(name in route for route in routes for name in ("Foo", "Baz", "Nobody"))
    assert value(samples, latency, route="/pacticipants/{name}", status="2xx") == 2
    assert value(samples, latency, route="/pacticipants/{name}", status="4xx") == 1
    assert value(samples, "pact_broker_integrations") == 2
    assert value(samples, "pact_broker_pacticipant_versions") == 5
    assert value(samples, "pact_broker_db_pool_size") >= 1
    assert value(samples, "pact_broker_db_pool_checked_out") >= 0
    assert value(samples, "pact_broker_webhook_deliveries_total", outcome="success") == 0


def test_openmetrics_for_prometheus_and_a_registry_per_app(
    in_process_broker: InProcessFactory,
) -> None:
    first, second = in_process_broker(), in_process_broker()
    first.client.get("/pacticipants")
    response = first.client.get("/metrics", headers={"Accept": PROMETHEUS_ACCEPT})
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.endswith("# EOF\n")
    latency = "pact_broker_http_request_duration_seconds_count"
    assert value(scrape(first.client), latency, route="/pacticipants") == 1
    assert not [s for s in scrape(second.client) if s.labels.get("route") == "/pacticipants"]


@pytest.fixture
def delivering_broker(tmp_path: Path) -> Iterator[LiveBroker]:
    url = database_url(tmp_path)
    if url.startswith("postgresql"):
        pytest.skip("delivery counts are checked on SQLite")
    db = Database(url)
    app = create_app(
        Settings(database_url=url, **LOOPBACK_WEBHOOKS),
        database=db,
        webhook_retry_delays=(0.05,),
        webhook_poll_interval=0.05,
    )
    with serve_app(app) as base_url, httpx.Client(base_url=base_url, timeout=30) as client:
        yield LiveBroker(base_url, db, client)
    db.dispose()


def test_webhook_deliveries_are_counted_by_outcome(delivering_broker: LiveBroker) -> None:
    broker = delivering_broker
    deliveries = "pact_broker_webhook_deliveries_total"
    ok, failing = Receiver(), Receiver(status=500)
    with serve_app(ok.app) as ok_url, serve_app(failing.app) as failing_url:
        create_webhook(broker, f"{ok_url}/hook", ["contract_published"])
        create_webhook(broker, f"{failing_url}/hook", ["contract_published"])
        publish(broker, "1")
        # The failing target is tried once, retried once, then given up on.
        wait_for(lambda: value(scrape(broker.client), deliveries, outcome="failure") == 1)
    samples = scrape(broker.client)
    assert value(samples, deliveries, outcome="success") == 1
    assert value(samples, deliveries, outcome="retry") == 1
    assert (len(ok.calls), len(failing.calls)) == (1, 2)


def test_dashboard_shape_and_integration_filter(seeded: InProcessBroker) -> None:
    response = seeded.client.get("/dashboard")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(i["consumer"]["name"], i["provider"]["name"]) for i in items] == [
        ("Baz", "Bar"),
        ("Foo", "Bar"),
    ]
    baz, foo = items
    assert baz["verificationStatus"] == "never"
    assert baz["latestVerificationResult"] is None
    assert baz["provider"]["version"] is None
    assert foo["consumer"]["version"]["number"] == "2"
    assert foo["consumer"]["version"]["headBranchNames"] == ["main"]
    assert [t["name"] for t in foo["pactTags"]] == ["dev", "prod"]
    assert foo["pact"]["_links"]["self"]["href"].endswith(
        "/pacts/provider/Bar/consumer/Foo/version/2"
    )
    assert foo["webhookStatus"] == "none"
    assert "pb:webhook-status" in foo["_links"]
    only = seeded.client.get("/dashboard/provider/Bar/consumer/Foo").json()["items"]
    assert [i["consumer"]["name"] for i in only] == ["Foo"]
    assert len(seeded.client.get("/dashboard?pageNumber=1&pageSize=1").json()["items"]) == 1
    assert seeded.client.get("/dashboard?size=zero").status_code == 400


def test_dashboard_shows_the_latest_pacts_verification(api: InProcessBroker) -> None:
    td = TestData(api.db).create_consumer("Foo").create_provider("Bar")
    td.create_consumer_version("1").random_pact().create_verification("9", branch="main")
    td.create_provider_version("9", tags=("prod",))
    item = api.client.get("/dashboard").json()["items"][0]
    assert item["verificationStatus"] == "success"
    assert item["provider"]["version"] == {
        "number": "9",
        "branch": "main",
        "headBranchNames": ["main"],
    }
    assert [t["name"] for t in item["latestVerificationResultTags"]] == ["prod"]
    assert item["latestVerificationResult"]["_links"]["self"]["href"].endswith(
        "/pacts/provider/Bar/consumer/Foo/version/1/verification-results/latest"
    )


def test_dependencies_ok(api: InProcessBroker) -> None:
    response = api.client.get("/diagnostic/status/dependencies")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and body["database"] == {"ok": True}
    assert body["_links"]["self"]["href"].endswith("/diagnostic/status/dependencies")


def test_dependencies_fail_when_the_database_is_gone(tmp_path: Path) -> None:
    folder = tmp_path / "database"
    url = f"sqlite:///{folder / 'broker.sqlite'}"
    app = create_app(Settings(database_url=url), webhooks_enabled=False)
    with TestClient(app) as client:
        assert client.get("/diagnostic/status/dependencies").status_code == 200
        app.state.db.dispose()  # close the pooled connections to the file...
        shutil.rmtree(folder)  # ...and remove it with its folder: no new connection opens
        response = client.get("/diagnostic/status/dependencies")
    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert "OperationalError" in body["error"]
    assert body["database"]["ok"] is False
    assert body["database"]["error"]["message"] == body["error"]


def test_dependencies_need_credentials_unlike_the_heartbeat(
    in_process_broker: InProcessFactory,
) -> None:
    broker = in_process_broker(basic_auth_username="u", basic_auth_password="p")
    assert broker.client.get("/diagnostic/status/heartbeat").status_code == 200
    assert broker.client.get("/diagnostic/status/dependencies").status_code == 401
    assert broker.client.get("/metrics").status_code == 401
    assert broker.client.get("/metrics", auth=("u", "p")).status_code == 200
