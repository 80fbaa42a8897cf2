"""Bi-directional contract testing: is a consumer's pact a valid subset of the provider's
OpenAPI document?

Pure rules, after PactFlow's (its comparison engine's codes, wording and order): no I/O, no
database. Parse a document once with [`parse_contract`][], then [`compare`][] any number of
pacts with it::

    contract = parse_contract(openapi_yaml, "application/yaml")
    comparison = compare(contract, pact)
    comparison.success, comparison.summary(), comparison_to_json(comparison)
"""

from __future__ import annotations

from pact_pipeline.broker.bdct.contract import ProviderContract, parse_contract
from pact_pipeline.broker.bdct.documents import ContractDocumentError, load_document
from pact_pipeline.broker.bdct.engine import ENGINE_VERSION, compare
from pact_pipeline.broker.bdct.findings import (
    Comparison,
    Finding,
    comparison_from_json,
    comparison_to_json,
)

__all__ = [
    "ENGINE_VERSION",
    "Comparison",
    "ContractDocumentError",
    "Finding",
    "ProviderContract",
    "compare",
    "comparison_from_json",
    "comparison_to_json",
    "load_document",
    "parse_contract",
]
