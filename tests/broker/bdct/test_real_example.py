"""The example system's own contracts: ProductService's OpenAPI document (from its FastAPI
app) and FrontendWebsite's pact agree; take away a property the pact reads and they don't."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pact_pipeline.broker.bdct import compare, parse_contract
from provider.app import create_app

ROOT = Path(__file__).parents[3]


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    return create_app().openapi()


@pytest.fixture(scope="module")
def pact(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The pact FrontendWebsite's Pact tests write now (on pact-python's mock server), not a
    file a previous run left behind."""
    directory = tmp_path_factory.mktemp("pacts")
    env = {**os.environ, "PACT_DIR": str(directory), "PACT_DO_NOT_TRACK": "true"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/consumer"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    loaded: dict[str, Any] = json.loads(
        (directory / "FrontendWebsite-ProductService.json").read_text()
    )
    return loaded


def test_the_provider_document_is_compatible_with_the_consumer_pact(
    openapi: dict[str, Any], pact: dict[str, Any]
) -> None:
    contract = parse_contract(json.dumps(openapi), "application/json")
    assert contract.problem is None
    comparison = compare(contract, pact)
    assert comparison.findings == ()
    assert comparison.success and comparison.summary() == "compatible"


def test_removing_a_property_the_pact_reads_is_incompatible_and_named(
    openapi: dict[str, Any], pact: dict[str, Any]
) -> None:
    changed = copy.deepcopy(openapi)
    del changed["components"]["schemas"]["Product"]["properties"]["type"]
    comparison = compare(parse_contract(json.dumps(changed)), pact)
    assert not comparison.success
    locations = {f.mock_location for f in comparison.errors}
    assert locations == {
        "[root].interactions[0].response.body.0.type",
        "[root].interactions[4].response.body.type",
    }
    assert all(
        f.message.endswith("must NOT have additional properties - type") for f in comparison.errors
    )
    assert "must NOT have additional properties - type" in comparison.summary()
    assert "'get all products'" in comparison.summary()


def test_the_provider_document_as_yaml(openapi: dict[str, Any], pact: dict[str, Any]) -> None:
    yaml = pytest.importorskip("yaml")
    contract = parse_contract(yaml.safe_dump(openapi), "application/yaml")
    assert compare(contract, pact).success
