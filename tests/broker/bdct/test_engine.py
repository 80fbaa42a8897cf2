"""The comparison engine's contract: parsing, results and their JSON form, robustness."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from pact_pipeline.broker.bdct import (
    ENGINE_VERSION,
    Comparison,
    ContractDocumentError,
    Finding,
    compare,
    comparison_from_json,
    comparison_to_json,
    documents,
    parse_contract,
)
from tests.broker.bdct.cases import Http, I, S, at, get, oas, oas31, obj, ref, v2, v3, v4

DOCUMENT = oas(
    {
        "/products/{id}": get(
            obj(id=I, name=S),
            parameters=[{"name": "id", "in": "path", "required": True, "schema": I}],
        )
    }
)
CONTRACT = parse_contract(json.dumps(DOCUMENT))


def _finding(**overrides: Any) -> Finding:
    fields: dict[str, Any] = {
        "code": "response.body.incompatible",
        "message": "Response body is incompatible with the response body schema in the spec file: "
        "must be integer",
        "type": "error",
        "interaction": "a request for product 10",
        "interaction_state": "product 10 exists",
        "mock_location": "[root].interactions[0].response.body.id",
        "spec_location": "[root].paths./products/{id}.get.responses.200.content.application/json"
        ".schema.properties.id.type",
        "path_name": "/products/{id}",
        "path_method": "get",
        "value": "10",
    }
    return Finding(**{**fields, **overrides})


# --- results and their JSON form ---------------------------------------------------------------


def test_the_json_form_is_pactflows_and_round_trips_exactly() -> None:
    comparison = Comparison(
        (
            _finding(type="warning", code="request.query.unknown", value=["a", "b"]),
            _finding(),
            _finding(
                spec_location=None, path_name=None, path_method=None, value={"nested": [1, None]}
            ),
        )
    )
    data = comparison_to_json(comparison)
    assert data["success"] is False
    assert [e["code"] for e in data["errors"]] == ["response.body.incompatible"] * 2
    assert data["warnings"][0]["mockDetails"] == {
        "interactionDescription": "a request for product 10",
        "interactionState": "product 10 exists",
        "location": "[root].interactions[0].response.body.id",
        "value": ["a", "b"],
    }
    assert set(data["errors"][0]["specDetails"]) == {"location", "pathMethod", "pathName"}
    restored = comparison_from_json(json.loads(json.dumps(data)))
    assert restored == comparison
    assert comparison_to_json(restored) == data


def test_a_real_comparison_round_trips() -> None:
    pact = v3(
        Http("GET", "/products/1", query={"x": ["1"]}, response_body={"id": "1", "colour": "red"})
    )
    comparison = compare(CONTRACT, pact)
    assert len(comparison.errors) == 2 and len(comparison.warnings) == 1
    assert (
        comparison_from_json(json.loads(json.dumps(comparison_to_json(comparison)))) == comparison
    )


def test_errors_come_before_warnings() -> None:
    warning, error = _finding(type="warning"), _finding()
    assert Comparison((warning, error)).findings == (error, warning)
    assert Comparison((warning,)).success and not Comparison((error,)).success


def test_summary_names_the_first_error_its_field_and_the_interaction() -> None:
    assert Comparison(()).summary() == "compatible"
    assert Comparison((_finding(type="warning"),)).summary() == "compatible"
    extra = _finding(
        message="Response body is incompatible ...: must NOT have additional properties - colour",
        mock_location="[root].interactions[0].response.body.colour",
    )
    assert Comparison((extra, _finding())).summary() == (
        "2 errors: Response body is incompatible ...: must NOT have additional properties - colour "
        "(interaction 'a request for product 10')"
    )
    assert Comparison((_finding(),)).summary() == (
        "1 error: Response body is incompatible with the response body schema in the spec file: "
        "must be integer at response.body.id (interaction 'a request for product 10')"
    )


def test_engine_version_is_a_string() -> None:
    assert isinstance(ENGINE_VERSION, str) and ENGINE_VERSION


def test_findings_carry_interaction_state_and_operation() -> None:
    pact = v3(
        Http("GET", "/products/1", response_body={"colour": "red"}, states=("a", "b")),
        Http("GET", "/products/2", response_body={"colour": "red"}, description="plain"),
    )
    first, second = compare(CONTRACT, pact).findings
    assert (first.interaction_state, second.interaction_state) == ("a, b", "[none]")
    assert second.interaction == "plain"
    assert (first.path_name, first.path_method, first.value) == ("/products/{id}", "get", "red")
    v2_state = compare(
        CONTRACT, v2(Http("GET", "/products/1", response_body={"colour": 1}, states=("s",)))
    ).findings[0]
    assert v2_state.interaction_state == "s"


# --- parsing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "application/yaml",
        "application/yml",
        "application/x-yaml",
        "text/yaml",
        None,
        "application/yaml; charset=utf-8",
    ],
)
def test_yaml_content_types(content_type: str | None) -> None:
    text = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n"
    assert parse_contract(text, content_type).problem is None


def test_json_bytes_and_sniffing() -> None:
    text = json.dumps(DOCUMENT)
    for content, kind in (
        (text, "application/json"),
        (text.encode(), None),
        ("\ufeff" + text, None),
    ):
        assert parse_contract(content, kind).problem is None


@pytest.mark.parametrize(
    ("content", "content_type", "reason"),
    [
        ("{not json", "application/json", "not valid JSON"),
        ("a: [unclosed", "application/yaml", "not valid YAML"),
        ("- a\n- b\n", None, "a list, not a mapping"),
        ("", None, "empty"),
        ("just text", None, "a str, not a mapping"),
        (b"\xff\xfe\x00bad", None, "not UTF-8"),
        ("[" * 100_000, "application/json", "not valid JSON"),
        (
            "a: &a [x]\n"
            + "".join(
                f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
                for p, c in zip("abcdefghi", "bcdefghij", strict=True)
            ),
            None,
            "nodes",
        ),
    ],
)
def test_text_that_is_not_a_mapping_raises(
    content: str | bytes, content_type: str | None, reason: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A lower budget makes the alias bomb stop sooner; real documents stay far below both.
    monkeypatch.setattr(documents, "MAX_NODES", 50_000)
    with pytest.raises(ContractDocumentError, match=reason):
        parse_contract(content, content_type)


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        (
            {
                "openapi": "3.0.3",
                "info": {"title": "t", "version": "1"},
                "paths": {"/a": get(ref("Missing"))},
            },
            "Missing",
        ),
        (
            {
                "openapi": "3.0.3",
                "info": {"title": "t", "version": "1"},
                "paths": {"/a": get({"$ref": "https://example.test/s.json"})},
            },
            "external $ref",
        ),
        (
            {
                "openapi": "3.0.3",
                "info": {"title": "t", "version": "1"},
                "paths": {"/a/{id}": get(S)},
            },
            "Path parameter 'id'",
        ),
        ({"swagger": "1.2", "info": {}}, "not OpenAPI"),
    ],
)
def test_invalid_documents_give_one_spec_invalid_error_per_comparison(
    document: dict[str, Any], problem: str
) -> None:
    contract = parse_contract(json.dumps(document))
    assert contract.problem is not None and problem in contract.problem
    for pact in (v2(Http("GET", "/a")), {"interactions": "garbage"}, {}):
        (finding,) = compare(contract, pact).findings
        assert (
            finding.code == "spec.invalid"
            and finding.type == "error"
            and problem in finding.message
        )


def test_recursive_schemas_compare() -> None:
    tree = obj(name=S, children={"type": "array", "items": ref("Tree")})
    contract = parse_contract(json.dumps(oas31({"/tree": get(ref("Tree"))}, {"Tree": tree})))
    body = {"name": "a", "children": [{"name": "b", "children": [{"name": "c", "leaf": True}]}]}
    (finding,) = compare(contract, v4(Http("GET", "/tree", response_body=body))).findings
    assert finding.mock_location == at(0, "response.body.children.0.children.0.leaf")


# --- robustness --------------------------------------------------------------------------------

GARBAGE: list[Any] = [
    {},
    {"interactions": None},
    {"interactions": "x"},
    {"interactions": [None, 1, "x", [], {}]},
    {"interactions": [{"request": {"method": 1, "path": "/a"}, "response": {"status": 200}}]},
    {"interactions": [{"request": {"method": "GET", "path": None}, "response": {"status": 200}}]},
    {
        "interactions": [
            {"request": {"method": "GET", "path": "/products/1"}, "response": {"status": "abc"}}
        ]
    },
    {
        "interactions": [
            {"request": {"method": "GET", "path": "/products/1"}, "response": {"status": 99}}
        ]
    },
    {
        "interactions": [
            {"request": {"method": "GET", "path": "/products/1"}, "response": {"status": True}}
        ]
    },
    {
        "interactions": [
            {
                "request": {"method": "GET", "path": "/products/1", "headers": ["x"], "query": 5},
                "response": {"status": 200, "headers": 3, "body": {"id": 1}},
            }
        ]
    },
    {
        "interactions": [
            {
                "request": {
                    "method": "GET",
                    "path": "/products/1",
                    "query": {"a": [None, 1, {"b": 2}]},
                },
                "response": {"status": 200, "body": [[[[]]]]},
            }
        ]
    },
    {
        "metadata": {"pactSpecification": {"version": "4.0"}},
        "interactions": [
            {
                "type": "Synchronous/HTTP",
                "request": {"method": "GET", "path": "/products/1"},
                "response": {
                    "status": 200,
                    "body": {
                        "content": "!!!",
                        "contentType": "application/json",
                        "encoded": "base64",
                    },
                },
            }
        ],
    },
    {"metadata": "x", "interactions": [{"type": 3, "request": {}, "response": []}]},
    {
        "interactions": [
            {
                "request": {"method": "GET", "path": "/products/1"},
                "response": {
                    "status": 200,
                    "headers": {"Content-Type": ";;;"},
                    "body": {"id": {"pact:matcher:type": "type"}},
                },
            }
        ]
    },
    {
        "interactions": [
            {"request": {"method": "GET", "path": "/products/%zz?x"}, "response": {"status": 200}}
        ]
    },
]


@pytest.mark.parametrize("pact", GARBAGE, ids=[f"garbage-{i}" for i in range(len(GARBAGE))])
def test_garbage_pacts_never_raise(pact: Any) -> None:
    comparison = compare(CONTRACT, pact)
    json.dumps(comparison_to_json(comparison))


def test_a_missing_request_is_a_clear_error() -> None:
    (finding,) = compare(
        CONTRACT, {"interactions": [{"description": "d", "response": {"status": 200}}]}
    ).findings
    assert finding.code == "pact.interaction.invalid"
    assert finding.message == "Interaction cannot be compared: the interaction has no request"


def _random_json(rng: random.Random, depth: int = 0) -> Any:
    choice = rng.randrange(9 if depth < 4 else 5)
    leaves: list[Any] = [
        None,
        True,
        rng.randint(-5, 700),
        "/products/1",
        "GET",
        200,
        "application/json",
        1.5,
    ]
    if choice < 5:
        return rng.choice(leaves)
    keys = [
        "request",
        "response",
        "method",
        "path",
        "status",
        "headers",
        "query",
        "body",
        "type",
        "content",
        "interactions",
        "Content-Type",
        "id",
    ]
    if choice < 7:
        return {rng.choice(keys): _random_json(rng, depth + 1) for _ in range(rng.randrange(5))}
    return [_random_json(rng, depth + 1) for _ in range(rng.randrange(4))]


def test_random_pacts_never_raise() -> None:
    rng = random.Random(14)
    for _ in range(400):
        interaction = {
            "request": {"method": "GET", "path": "/products/1", **_maybe(rng)},
            "response": {"status": 200, **_maybe(rng)},
        }
        for pact in (
            {"interactions": [interaction]},
            {"interactions": _random_json(rng)},
            {"interactions": [_random_json(rng)]},
        ):
            json.dumps(comparison_to_json(compare(CONTRACT, pact)))


def _maybe(rng: random.Random) -> dict[str, Any]:
    return {
        k: _random_json(rng, 1)
        for k in rng.sample(["headers", "query", "body", "status", "method"], rng.randrange(3))
    }
