"""The official Pact Broker client's contract, verified against the embedded broker."""

from __future__ import annotations

import json

import pytest

from pact_pipeline.broker.conformance import runner
from pact_pipeline.broker.conformance.states import STATES

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def results() -> dict[str, runner.FileResult]:
    return {result.name: result for result in runner.run()}


@pytest.mark.parametrize("name", list(runner.DEFAULT_FILES))
def test_every_interaction_verifies(results: dict[str, runner.FileResult], name: str) -> None:
    result = results[name]
    assert result.total == runner._interaction_count(runner.PACTS_DIR / name)
    assert result.ok, f"{result.line}\n" + "\n".join(result.failures) + "\n" + result.output[-4000:]


def test_v2_client_pact_needs_no_fixture_corrections(results: dict[str, runner.FileResult]) -> None:
    assert results["Pact Broker Client V2-Pact Broker.json"].corrections == []


def test_older_client_pact_needs_only_its_placeholder_paths_mapped(
    results: dict[str, runner.FileResult],
) -> None:
    assert results["pact_broker_client-pact_broker.json"].corrections == [
        "HAL-relation placeholder paths mapped to the relations' paths"
    ]


def test_every_provider_state_of_the_client_pact_has_a_builder() -> None:
    document = json.loads((runner.PACTS_DIR / "Pact Broker Client V2-Pact Broker.json").read_text())
    states = {i.get("providerState") or "" for i in document["interactions"]}
    assert states <= set(STATES)
    assert len(document["interactions"]) == 67


def test_java_regex_quoting_is_rewritten_with_the_same_meaning() -> None:
    corrections = runner.Corrections([])
    fixed = runner.portable_regexes({"regex": r".*(\/\Qpacts\E\/\Q{provider}\E)$"}, corrections)
    assert fixed["regex"] == r".*(\/pacts\/\{provider\})$"
    assert corrections.applied


def test_pactflow_client_pacts_verify_their_provider_contract_interactions() -> None:
    """The clients' PactFlow pacts: every provider-contract interaction (the index relation,
    the publish and the older PUT) verifies; only the out-of-scope ones fail."""
    for result in runner.run(list(runner.PACTFLOW_FILES)):
        failed = set(result.failures)
        out_of_scope = {f for f in failed if any(d in f for d in runner.PACTFLOW_OUT_OF_SCOPE)}
        assert failed == out_of_scope, f"{result.line}\n{result.output[-4000:]}"
        assert result.verified == result.total - len(out_of_scope) == 5, result.line
