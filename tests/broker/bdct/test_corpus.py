"""The comparison corpus: each (OpenAPI document, pact) pair gives exactly the findings
expected, and the expected verdict."""

from __future__ import annotations

import json

import pytest

from pact_pipeline.broker.bdct import compare, parse_contract
from tests.broker.bdct import (
    corpus_pacts,
    corpus_requests,
    corpus_responses,
    corpus_routes,
    corpus_schemas,
)
from tests.broker.bdct.cases import Case, mismatches

CASES = [
    *corpus_routes.CASES,
    *corpus_requests.CASES,
    *corpus_responses.CASES,
    *corpus_schemas.CASES,
    *corpus_pacts.CASES,
]


def test_the_corpus_is_large_and_named_uniquely() -> None:
    assert len(CASES) >= 45
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", [c.param() for c in CASES])
def test_case(case: Case) -> None:
    text = case.document if isinstance(case.document, str) else json.dumps(case.document)
    comparison = compare(parse_contract(text, case.content_type), case.pact)
    assert mismatches(comparison, case.findings) == []
    assert comparison.success is case.success
