"""Bi-directional contract testing with the official Rust CLI against a live embedded broker:
``pact pactflow publish-provider-contract`` publishes the provider's OpenAPI document and its
self-verification, and ``pact broker can-i-deploy`` then gates a consumer on the comparison of
its pact with that document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.broker.broker_support import LiveBroker, run_pact

pytestmark = pytest.mark.timeout(300)

OPENAPI: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Bar", "version": "1"},
    "paths": {
        "/things/{id}": {
            "get": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "responses": {
                    "200": {
                        "description": "the thing",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}
                        },
                    }
                },
            }
        }
    },
    "components": {
        "schemas": {
            "Thing": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
            }
        }
    },
}


def write_pact(directory: Path, body: dict[str, Any], path: str = "/things/10") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    document = {
        "consumer": {"name": "Foo"},
        "provider": {"name": "Bar"},
        "interactions": [
            {
                "description": "a request for thing 10",
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
    (directory / "Foo-Bar.json").write_text(json.dumps(document))
    return directory


def publish_pact(broker: LiveBroker, directory: Path, version: str) -> None:
    run_pact(
        "broker", "publish", str(directory), "-b", broker.url,
        "--consumer-app-version", version, "--branch", "main",
    )  # fmt: skip


def publish_contract(
    broker: LiveBroker, tmp_path: Path, version: str, *, success: bool = True
) -> str:
    """Publish the OpenAPI document (YAML, the CLI's default content type) as Bar ``version``,
    deployed to test; returns what the CLI printed."""
    contract = tmp_path / "openapi.yaml"
    contract.write_text(yaml.safe_dump(OPENAPI))
    results = tmp_path / "results.txt"
    results.write_text("schemathesis: 40 examples, all checks passed\n")
    result = run_pact(
        "pactflow", "publish-provider-contract", str(contract),
        "-b", broker.url, "--provider", "Bar", "-a", version, "--branch", "main",
        "--verification-success" if success else "--no-verification-success",
        "--verification-results", str(results),
        "--verification-results-content-type", "text/plain",
        "--verification-results-format", "text",
        "--verifier", "schemathesis", "--verifier-version", "4.3",
    )  # fmt: skip
    run_pact(
        "broker", "record-deployment", "-b", broker.url,
        "--pacticipant", "Bar", "--version", version, "--environment", "test",
    )  # fmt: skip
    return result.stdout


def can_i_deploy(broker: LiveBroker, version: str) -> tuple[int, str]:
    result = run_pact(
        "broker", "can-i-deploy", "-b", broker.url,
        "--pacticipant", "Foo", "--version", version, "--to-environment", "test",
        check=False,
    )  # fmt: skip
    return result.returncode, result.stdout + result.stderr


@pytest.fixture
def broker(live_broker: LiveBroker) -> LiveBroker:
    run_pact("broker", "create-environment", "-b", live_broker.url, "--name", "test")
    return live_broker


def test_the_cli_publishes_and_a_compatible_pact_may_deploy(
    broker: LiveBroker, tmp_path: Path
) -> None:
    printed = publish_contract(broker, tmp_path, "p1")
    assert "Published provider contract for Bar version p1" in printed
    contract = broker.client.get("/contracts/provider/Bar/version/p1").json()
    assert yaml.safe_load(contract["content"]) == OPENAPI
    assert contract["contentType"] == "application/yaml"
    assert contract["selfVerificationResults"]["verifier"] == "schemathesis"
    publish_pact(broker, write_pact(tmp_path / "pacts", {"id": 10, "name": "ten"}), "c1")
    code, output = can_i_deploy(broker, "c1")
    assert code == 0, output
    assert "Computer says yes" in output


def test_a_pact_expecting_a_field_the_openapi_lacks_may_not_deploy(
    broker: LiveBroker, tmp_path: Path
) -> None:
    publish_contract(broker, tmp_path, "p1")
    publish_pact(broker, write_pact(tmp_path / "pacts", {"id": 10, "colour": "red"}), "c1")
    code, output = can_i_deploy(broker, "c1")
    assert code != 0, output
    assert "Computer says no" in output
    assert "The cross contract verification between the pact for version c1 of Foo" in output
    assert "colour" in output


def test_a_pact_calling_an_undocumented_path_may_not_deploy(
    broker: LiveBroker, tmp_path: Path
) -> None:
    publish_contract(broker, tmp_path, "p1")
    publish_pact(broker, write_pact(tmp_path / "pacts", {"id": 10}, path="/widgets/10"), "c1")
    code, output = can_i_deploy(broker, "c1")
    assert code != 0, output
    assert "Path or method not defined in spec file: GET /widgets/10" in output


def test_a_failed_self_verification_may_not_deploy(broker: LiveBroker, tmp_path: Path) -> None:
    publish_contract(broker, tmp_path, "p1", success=False)
    publish_pact(broker, write_pact(tmp_path / "pacts", {"id": 10, "name": "ten"}), "c1")
    code, output = can_i_deploy(broker, "c1")
    assert code != 0, output
    assert "self-verification against its contract failed" in output
