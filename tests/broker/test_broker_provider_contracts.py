"""Provider contracts (bi-directional contract testing) through the broker's API: publishing
an OpenAPI document with its self-verification, reading it back, and can-i-deploy and the
matrix answering on the comparison of each pact with it."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from pact_pipeline.broker.models import ContractComparison
from tests.broker.broker_support import InProcessBroker

THING_SCHEMA = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
}


def openapi(schema: dict[str, Any] | None = None, path: str = "/things/{id}") -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Bar", "version": "1"},
        "paths": {
            path: {
                "get": {
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "the thing",
                            "content": {"application/json": {"schema": schema or THING_SCHEMA}},
                        },
                        "404": {"description": "no such thing"},
                    },
                }
            }
        },
    }


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def contract_body(
    version: str,
    document: dict[str, Any] | None = None,
    *,
    success: bool | None = True,
    branch: str | None = "main",
    tags: list[str] | None = None,
) -> dict[str, Any]:
    results: dict[str, Any] = {
        "content": b64("12 examples passed"),
        "contentType": "text/plain",
        "format": "text",
        "verifier": "schemathesis",
        "verifierVersion": "4",
    }
    if success is not None:
        results["success"] = success
    return {
        "pacticipantVersionNumber": version,
        "branch": branch,
        "tags": tags or [],
        "buildUrl": "http://ci/build/1",
        "contract": {
            "content": b64(json.dumps(document or openapi())),
            "contentType": "application/json",
            "specification": "oas",
            "selfVerificationResults": results,
        },
    }


def pact(body: dict[str, Any], path: str = "/things/10") -> dict[str, Any]:
    return {
        "consumer": {"name": "Foo"},
        "provider": {"name": "Bar"},
        "interactions": [
            {
                "description": "a request for thing 10",
                "providerState": "thing 10 exists",
                "request": {"method": "GET", "path": path},
                "response": {
                    "status": 200,
                    "headers": {"Content-Type": "application/json"},
                    "body": body,
                },
            }
        ],
        "metadata": {"pactSpecification": {"version": "2.0.0"}},
    }


def publish_pact(api: InProcessBroker, version: str, document: dict[str, Any]) -> None:
    response = api.client.post(
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
                    "content": b64(json.dumps(document)),
                }
            ],
        },
    )
    assert response.status_code == 200, response.text


def publish_contract(api: InProcessBroker, body: dict[str, Any]) -> dict[str, Any]:
    response = api.client.post("/provider-contracts/provider/Bar/publish", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def can_i_deploy(api: InProcessBroker, version: str) -> dict[str, Any]:
    response = api.client.get(
        "/matrix",
        params={
            "q[][pacticipant]": "Foo",
            "q[][version]": version,
            "latestby": "cvpv",
            "latest": "true",
        },
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_the_index_links_to_publishing_a_provider_contract(api: InProcessBroker) -> None:
    links = api.client.get("/").json()["_links"]
    assert links["pf:publish-provider-contract"] == {
        "href": "http://broker.test/provider-contracts/provider/{provider}/publish",
        "title": "Publish a provider contract (bi-directional contract testing)",
        "templated": True,
    }


def test_publishing_answers_as_pactflow_does(api: InProcessBroker) -> None:
    result = publish_contract(api, contract_body("1", tags=["dev"]))
    assert result["_embedded"]["version"]["number"] == "1"
    assert [t["name"] for t in result["_links"]["pb:pacticipant-version-tags"]] == ["dev"]
    assert result["_links"]["pb:branch-version"]["name"] == "main"
    texts = [n["text"] for n in result["notices"]]
    assert "Created Bar version 1 with branch main and tag dev" in texts
    assert "Published provider contract for Bar version 1 (oas, application/json)" in texts
    version = api.client.get("/pacticipants/Bar/versions/1").json()
    assert [b["name"] for b in version["_embedded"]["branchVersions"]] == ["main"]


def test_the_contract_reads_back_with_its_self_verification(api: InProcessBroker) -> None:
    publish_contract(api, contract_body("1"))
    contract = api.client.get(
        "/contracts/bi-directional/provider/Bar/version/1/provider-contract"
    ).json()
    assert json.loads(contract["content"]) == openapi()
    assert contract["specification"] == "oas"
    assert contract["selfVerificationResults"]["success"] is True
    assert contract["selfVerificationResults"]["verifier"] == "schemathesis"
    assert api.client.get("/contracts/provider/Bar/version/1").json()["sha"] == contract["sha"]


def test_the_older_put_publishes_too(api: InProcessBroker) -> None:
    response = api.client.put(
        "/contracts/provider/Bar/version/7",
        json={
            "content": b64("openapi: 3.0.3\ninfo: {title: Bar, version: '1'}\npaths: {}\n"),
            "contentType": "application/yaml",
            "contractType": "oas",
            "verificationResults": {"success": False, "content": b64("boom"), "verifier": "x"},
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["_links"]["pf:ui"]["href"].endswith("/version/7/provider-contract")
    contract = api.client.get("/contracts/provider/Bar/version/7").json()
    assert contract["contentType"] == "application/yaml"
    assert contract["selfVerificationResults"]["success"] is False


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"contract": {"content": "not base64!"}}, "contract.content", "base64"),
        ({"contract": {"content": b64("[1, 2")}}, "contract.content", "JSON or YAML"),
        ({"contract": None}, "contract", "is missing"),
        ({"pacticipantVersionNumber": None}, "pacticipantVersionNumber", "must be filled"),
        ({"contract": {"specification": "graphql"}}, "contract.specification", "oas"),
        ({"contract": {"contentType": "text/html"}}, "contract.contentType", "application/json"),
        (
            {"contract": {"selfVerificationResults": {"success": "yes"}}},
            "contract.selfVerificationResults.success",
            "boolean",
        ),
        ({"tags": "dev"}, "tags", "array"),
        ({"buildUrl": "not a url"}, "buildUrl", "URL"),
    ],
)
def test_bad_publications_are_refused_naming_the_field(
    api: InProcessBroker, change: dict[str, Any], field: str, message: str
) -> None:
    body = contract_body("1")
    for key, value in change.items():
        if key == "contract" and isinstance(value, dict):
            body["contract"] = {**body["contract"], **value}
        else:
            body[key] = value
    response = api.client.post("/provider-contracts/provider/Bar/publish", json=body)
    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert field in errors, errors
    assert message in " ".join(errors[field])


def test_other_content_for_a_published_version_is_a_conflict(api: InProcessBroker) -> None:
    publish_contract(api, contract_body("1"))
    again = publish_contract(api, contract_body("1", success=False))
    assert "Republished provider contract for Bar version 1 (oas, application/json)" in [
        n["text"] for n in again["notices"]
    ]
    changed = contract_body("1", openapi(path="/other/{id}"))
    response = api.client.post("/provider-contracts/provider/Bar/publish", json=changed)
    assert response.status_code == 409
    assert "Cannot change the provider contract of Bar version 1" in response.json()["error"]


def test_a_compatible_pact_may_deploy_on_the_comparison(api: InProcessBroker) -> None:
    publish_pact(api, "c1", pact({"id": 10, "name": "ten"}))
    result = publish_contract(api, contract_body("p1"))
    assert "The contract is compatible with the pact for Foo version c1" in [
        n["text"] for n in result["notices"]
    ]
    answer = can_i_deploy(api, "c1")
    assert answer["summary"]["deployable"] is True, answer["summary"]
    [row] = answer["matrix"]
    assert row["verificationType"] == "BDCT"
    assert row["provider"]["version"]["number"] == "p1"
    href = row["verificationResult"]["_links"]["self"]["href"]
    assert href.endswith(
        "/contracts/bi-directional/provider/Bar/version/p1/consumer/Foo/version/c1"
        "/cross-contract-verification-results"
    )
    results = api.client.get(href).json()
    assert results["summary"] == {"success": True}
    assert results["crossContractVerificationResults"]["results"]["errors"] == []


def test_a_pact_expecting_a_field_the_contract_lacks_may_not_deploy(api: InProcessBroker) -> None:
    publish_contract(api, contract_body("p1"))
    publish_pact(api, "c1", pact({"id": 10, "name": "ten", "colour": "red"}))
    answer = can_i_deploy(api, "c1")
    assert answer["summary"]["deployable"] is False
    reason = answer["summary"]["reason"]
    assert (
        "The cross contract verification between the pact for version c1 of Foo and the oas "
        "for the latest version of Bar (p1) failed: 1 error: Response body is incompatible with "
        "the response body schema in the spec file: must NOT have additional properties - colour"
    ) in reason
    [row] = answer["matrix"]
    results = api.client.get(row["verificationResult"]["_links"]["self"]["href"]).json()
    [error] = results["crossContractVerificationResults"]["results"]["errors"]
    assert error["code"] == "response.body.incompatible"
    assert error["mockDetails"]["location"] == "[root].interactions[0].response.body.colour"


def test_a_pact_calling_an_undocumented_path_may_not_deploy(api: InProcessBroker) -> None:
    publish_contract(api, contract_body("p1"))
    publish_pact(api, "c1", pact({"id": 10}, path="/widgets/10"))
    answer = can_i_deploy(api, "c1")
    assert answer["summary"]["deployable"] is False
    assert "Path or method not defined in spec file: GET /widgets/10" in answer["summary"]["reason"]


def test_a_failed_self_verification_blocks_a_compatible_pact(api: InProcessBroker) -> None:
    publish_contract(api, contract_body("p1", success=False))
    publish_pact(api, "c1", pact({"id": 10}))
    answer = can_i_deploy(api, "c1")
    assert answer["summary"]["deployable"] is False
    assert "self-verification against its contract failed" in answer["summary"]["reason"]


def test_no_contract_and_no_verification_is_unknown(api: InProcessBroker) -> None:
    publish_pact(api, "c1", pact({"id": 10}))
    answer = can_i_deploy(api, "c1")
    assert answer["summary"]["deployable"] is None
    [row] = answer["matrix"]
    assert row["verificationType"] is None


def test_comparisons_are_made_once_per_pact_and_contract_content(api: InProcessBroker) -> None:
    publish_pact(api, "c1", pact({"id": 10}))
    publish_contract(api, contract_body("p1"))
    publish_contract(api, contract_body("p2"))  # same content: the same comparison
    publish_pact(api, "c2", pact({"id": 10}))  # same content: the same pact version
    for version in ("c1", "c2"):
        assert can_i_deploy(api, version)["summary"]["deployable"] is True
    with api.db.read() as session:
        count = session.scalar(select(func.count()).select_from(ContractComparison))
    assert count == 1


def test_a_comparison_a_matrix_computed_is_kept(api: InProcessBroker) -> None:
    # The contract is published on a feature branch, which no eager comparison covers.
    publish_contract(api, contract_body("p1", branch="feat"))
    publish_contract(api, contract_body("p2", openapi(path="/other/{id}"), branch="main"))
    publish_pact(api, "c1", pact({"id": 10}))
    with api.db.read() as session:
        before = session.scalar(select(func.count()).select_from(ContractComparison))
    answer = api.client.get(
        "/matrix", params={"q[][pacticipant]": "Foo", "q[][version]": "c1", "latestby": "cvpv"}
    ).json()
    outcomes = {
        r["provider"]["version"]["number"]: r["verificationResult"]["success"]
        for r in answer["matrix"]
    }
    assert outcomes == {"p1": True, "p2": False}
    with api.db.read() as session:
        after = session.scalar(select(func.count()).select_from(ContractComparison))
    assert (before, after) == (1, 2)


def test_a_verification_and_a_comparison_by_one_provider_version_both_count(
    api: InProcessBroker,
) -> None:
    publish_pact(api, "c1", pact({"id": 10}))
    publish_contract(api, contract_body("p1"))
    sha = api.client.get("/pacts/provider/Bar/consumer/Foo/version/c1").json()["_links"][
        "pb:publish-verification-results"
    ]["href"]
    response = api.client.post(sha, json={"success": False, "providerApplicationVersion": "p1"})
    assert response.status_code == 201, response.text
    answer = can_i_deploy(api, "c1")
    kinds = sorted(
        (r["verificationType"], r["verificationResult"]["success"]) for r in answer["matrix"]
    )
    assert kinds == [("BDCT", True), ("CDCT", False)]
    assert answer["summary"]["deployable"] is False


def test_a_breaking_contract_may_not_deploy_where_its_consumers_run(api: InProcessBroker) -> None:
    """The provider's side: a new contract dropping a field a deployed consumer's pact uses."""
    assert (
        api.client.post("/environments", json={"name": "prod", "production": True}).status_code
        == 201
    )
    env = api.client.get("/environments").json()["_embedded"]["environments"][0]["uuid"]
    publish_pact(api, "c1", pact({"id": 10, "name": "ten"}))
    deployed = api.client.post(
        f"/pacticipants/Foo/versions/c1/deployed-versions/environment/{env}", json={}
    )
    assert deployed.status_code == 201, deployed.text
    without_name = {"type": "object", "properties": {"id": {"type": "integer"}}}
    result = publish_contract(api, contract_body("p2", openapi(without_name)))
    assert any(
        n["type"] == "error" and "incompatible with the pact for Foo version c1" in n["text"]
        for n in result["notices"]
    ), result["notices"]
    answer = api.client.get(
        "/can-i-deploy", params={"pacticipant": "Bar", "version": "p2", "environment": "prod"}
    ).json()
    assert answer["summary"]["deployable"] is False
    assert (
        "The cross contract verification between the pact for the version of Foo currently "
        "in prod (c1) and the oas for version p2 of Bar failed"
    ) in answer["summary"]["reason"]
    assert "must NOT have additional properties - name" in answer["summary"]["reason"]
