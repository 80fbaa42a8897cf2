"""The resources added for Pact Broker compatibility: their representations (field names,
relations), statuses and 404s for unknown names."""

from __future__ import annotations

from typing import Any

import pytest

from pact_pipeline.broker.testing import TestData, simple_pact
from tests.broker.broker_support import InProcessBroker

HAL = {"Accept": "application/hal+json"}
INTEGRATION = "/pacts/provider/Bar/consumer/Foo"


def get(api: InProcessBroker, path: str, status: int = 200) -> Any:
    response = api.client.get(path, headers=HAL)
    assert response.status_code == status, response.text
    return response.json() if "json" in response.headers["content-type"] else response.text


@pytest.fixture
def seeded(api: InProcessBroker) -> InProcessBroker:
    td = TestData(api.db).create_consumer("Foo").create_provider("Bar")
    td.create_consumer_version("1", branch="main", tags=("prod",)).create_pact(
        simple_pact("Foo", "Bar", "first")
    )
    td.create_verification("100", branch="main")
    td.create_consumer_version("2", branch="main").create_pact(simple_pact("Foo", "Bar", "first"))
    td.create_consumer_version("3", branch="feat").create_pact(simple_pact("Foo", "Bar", "second"))
    td.create_environment("production", uuid="env-1").deploy("Foo", "1", "production")
    return api


def versions_listed(body: dict[str, Any]) -> list[str]:
    return [p["_embedded"]["consumerVersion"]["number"] for p in body["_embedded"]["pacts"]]


@pytest.mark.parametrize(
    ("suffix", "versions"),
    [
        ("/versions", ["3", "2", "1"]),
        ("/tag/prod", ["1"]),
        ("/branch/main", ["2", "1"]),
        ("/branch/main/latest/versions", ["2"]),
        ("/branch/versions", ["2", "1"]),
        ("/branch/latest/versions", ["2"]),
    ],
)
def test_pact_lists_of_one_integration(
    seeded: InProcessBroker, suffix: str, versions: list[str]
) -> None:
    body = get(seeded, INTEGRATION + suffix)
    assert versions_listed(body) == versions
    links = body["_links"]
    assert links["self"]["href"].endswith(INTEGRATION + suffix)
    assert links["pb:consumer"]["name"] == "Foo" and links["pb:provider"]["name"] == "Bar"
    assert [link["href"].rsplit("/", 1)[-1] for link in links["pb:pact-versions"]] == versions
    assert "createdAt" in body["_embedded"]["pacts"][0]


def test_pact_lists_404_for_unknown_names(seeded: InProcessBroker) -> None:
    get(seeded, "/pacts/provider/Bar/consumer/Nobody/versions", 404)
    get(seeded, "/pacts/provider/Nobody/consumer/Foo/tag/prod", 404)


def test_previous_distinct_and_diffs(seeded: InProcessBroker) -> None:
    previous = get(seeded, f"{INTEGRATION}/version/3/previous-distinct")
    assert previous["_links"]["pb:consumer-version"]["name"] == "2"
    get(seeded, f"{INTEGRATION}/version/1/previous-distinct", 404)
    diff = seeded.client.get(f"{INTEGRATION}/version/3/diff/previous-distinct", headers=HAL)
    assert diff.status_code == 200 and diff.headers["content-type"].startswith("text/plain")
    assert "-" in diff.text and "second" in diff.text
    sha_new = get(seeded, f"{INTEGRATION}/version/3")["_links"]["pb:pact-version"]["name"]
    sha_old = get(seeded, f"{INTEGRATION}/version/1")["_links"]["pb:pact-version"]["name"]
    by_sha = get(seeded, f"{INTEGRATION}/pact-version/{sha_new}/diff/pact-version/{sha_old}")
    assert "second" in by_sha
    get(seeded, f"{INTEGRATION}/pact-version/{sha_new}/diff/pact-version/nope", 404)
    assert "second" in get(seeded, f"{INTEGRATION}/version/3/diff/version/1")


def test_provider_states(seeded: InProcessBroker) -> None:
    pact = simple_pact("Foo", "Bar", "third")
    pact["interactions"][0]["providerStates"] = [{"name": "a user", "params": {"id": 1}}]
    pact["interactions"].append({**simple_pact("Foo", "Bar")["interactions"][0]})
    pact["interactions"][1]["providerState"] = "an order"
    TestData(seeded.db).create_consumer("Foo").create_provider("Bar").create_consumer_version(
        "4", branch="main"
    ).create_pact(pact)
    body = get(seeded, "/pacts/provider/Bar/provider-states")
    assert body == {
        "providerStates": [
            {"name": "a user", "params": {"id": 1}, "consumers": ["Foo"]},
            {"name": "an order", "consumers": ["Foo"]},
        ]
    }
    assert get(seeded, "/pacts/provider/Bar/provider-states/branch/feat") == {"providerStates": []}
    assert get(seeded, "/pacts/provider/Bar/provider-states/environment/env-1") == {
        "providerStates": []
    }
    get(seeded, "/pacts/provider/Nobody/provider-states", 404)
    get(seeded, "/pacts/provider/Bar/provider-states/environment/nope", 404)


def test_versions_by_branch_tag_and_environment(seeded: InProcessBroker) -> None:
    def numbers(path: str) -> list[str]:
        body = get(seeded, path)
        assert body["_links"]["pb:pacticipant"]["name"] == "Foo"
        return [v["number"] for v in body["_embedded"]["versions"]]

    assert numbers("/pacticipants/Foo/branches/main/versions") == ["2", "1"]
    assert numbers("/pacticipants/Foo/tags/prod/versions") == ["1"]
    assert numbers("/pacticipants/Foo/environments/env-1/versions") == ["1"]
    get(seeded, "/pacticipants/Foo/branches/nope/versions", 404)
    get(seeded, "/pacticipants/Nobody/tags/prod/versions", 404)
    get(seeded, "/pacticipants/Foo/environments/nope/versions", 404)


def test_delete_branch(seeded: InProcessBroker) -> None:
    assert seeded.client.delete("/pacticipants/Foo/branches/feat").status_code in (200, 204)
    get(seeded, "/pacticipants/Foo/branches/feat", 404)


def test_latest_verification_results_of_a_consumer_version(seeded: InProcessBroker) -> None:
    body = get(seeded, "/verification-results/consumer/Foo/version/1/latest")
    assert body["success"] is True
    assert body["providerSummary"] == {"successful": ["Bar"], "failed": []}
    assert len(body["_embedded"]["verificationResults"]) == 1
    assert "self" in body["_links"]
    unverified = get(seeded, "/verification-results/consumer/Foo/version/3/latest")
    assert unverified["success"] is False and unverified["_embedded"]["verificationResults"] == []
    get(seeded, "/verification-results/consumer/Foo/version/9/latest", 404)


def test_integration_matrix_and_can_i_deploy_shortcuts(seeded: InProcessBroker) -> None:
    matrix = get(seeded, "/matrix/provider/Bar/consumer/Foo")
    assert {"summary", "matrix", "notices", "_links"} <= set(matrix)
    assert len(matrix["matrix"]) == 3
    get(seeded, "/matrix/provider/Bar/consumer/Nobody", 404)
    TestData(seeded.db).create_provider("Bar").create_provider_version("100", tags=("prod",))
    by_tag = get(seeded, "/pacticipants/Foo/latest-version/prod/can-i-deploy/to/prod")
    assert "deployable" in by_tag["summary"]
    assert by_tag["_links"]["pb:badge"]["href"].endswith("/can-i-deploy/to/prod/badge")
    get(seeded, "/pacticipants/Foo/latest-version/nope/can-i-deploy/to/prod", 404)
    path = "/pacticipants/Foo/branches/main/latest-version/can-i-deploy/to-environment/production"
    by_branch = get(seeded, path)
    assert by_branch["_links"]["pb:badge"]["href"].endswith("/production/badge")
    get(seeded, path.replace("production", "nowhere"), 404)


def test_labels_groups_and_relationships(seeded: InProcessBroker) -> None:
    seeded.client.put("/pacticipants/Foo/labels/ui")
    labels = get(seeded, "/labels")
    assert [label["name"] for label in labels["_embedded"]["labels"]] == ["ui"]
    csv = seeded.client.get("/relationships")
    assert csv.headers["content-type"].startswith("text/csv")
    foo, bar = csv.text.splitlines()
    assert foo.split(",")[1:6] == ["Foo", "1", "1", "0", "1"]
    assert foo.split(",")[6] == bar.split(",")[0]
    assert seeded.client.get("/groups/Foo").text == csv.text
    get(seeded, "/groups/Nobody", 404)


def test_delete_all_integrations(seeded: InProcessBroker) -> None:
    assert seeded.client.delete("/integrations").status_code == 204
    assert get(seeded, "/integrations")["_embedded"]["integrations"] == []
    get(seeded, "/pacticipants/Foo")


def test_webhooks_per_provider_consumer_and_pact(seeded: InProcessBroker) -> None:
    TestData(seeded.db).create_consumer("Foo").create_provider("Bar").create_webhook(uuid="w-1")
    for path in (
        "/webhooks/provider/Bar",
        "/webhooks/consumer/Foo",
        "/webhooks/provider/Bar/consumer/Foo",
        f"{INTEGRATION}/webhooks",
    ):
        body = get(seeded, path)
        assert "_links" in body, path
    get(seeded, "/webhooks/provider/Nobody", 404)
    get(seeded, "/webhooks/consumer/Nobody", 404)


def test_relation_docs(api: InProcessBroker) -> None:
    page = api.client.get("/doc/latest-pact-versions?context=index", headers=HAL)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert api.client.get("/doc/no-such-relation", headers=HAL).status_code == 404


def test_latest_verification_of_a_tagged_or_versioned_pact(api: InProcessBroker) -> None:
    td = TestData(api.db).create_consumer("C").create_provider("P")
    td.create_consumer_version("1", tags=("prod",)).create_pact(simple_pact("C", "P", "one"))
    td.create_verification("p1")
    td.create_consumer_version("2").create_pact(simple_pact("C", "P", "two"))
    td.create_verification("p2", success=False)
    base = "/pacts/provider/P/consumer/C"
    tagged = api.client.get(f"{base}/latest/prod/verification-results/latest")
    versioned = api.client.get(f"{base}/version/2/verification-results/latest")
    assert tagged.status_code == 200 and tagged.json()["success"] is True
    assert tagged.json()["providerApplicationVersion"] == "p1"
    assert versioned.status_code == 200 and versioned.json()["success"] is False
    missing = api.client.get(f"{base}/latest/nope/verification-results/latest")
    assert missing.status_code == 404
    assert "No verification results found" in missing.json()["error"]
