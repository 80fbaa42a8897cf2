"""The BDCT benchmark's inputs are what it claims, and it runs."""

from __future__ import annotations

import json
from pathlib import Path

from bench import bdct as bench
from pact_pipeline.broker.bdct import compare, parse_contract


def test_the_inputs() -> None:
    contract = parse_contract(json.dumps(bench.openapi_document()))
    assert contract.problem is None
    assert len(contract.router.operations) == 200
    assert len(bench.largest_scale_pact()["interactions"]) == 5
    assert len(bench.heavy_pact()["interactions"]) == 200
    for pact in (bench.largest_scale_pact(), bench.heavy_pact()):
        comparison = compare(contract, pact)
        assert comparison.findings == (), comparison.summary()


def test_run_and_main(tmp_path: Path) -> None:
    figures = bench.run(1)
    # Figures only: how fast is for the benchmark (BENCHMARKS.md), not for a unit test.
    assert figures["a_p95_ms"] > 0 and figures["a_cold_p95_ms"] > 0
    assert figures["operations"] == 200 and figures["b_interactions"] == 200
    out = tmp_path / "bdct.json"
    assert bench.main(["--rounds", "1", "--json", str(out)]) == 0
    assert set(json.loads(out.read_text())) == set(figures)
