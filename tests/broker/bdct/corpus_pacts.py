"""Corpus: pact versions and shapes (V1-V4, matchers, messages, encodings, malformed)."""

from __future__ import annotations

import base64
from typing import Any

from tests.broker.bdct.cases import Case, Http, I, S, at, get, oas, oas31, obj, v2, v3, v4

PRODUCT = obj(["id"], id=I, name=S, tags={"type": "array", "items": obj(label=S)})
DOCUMENT = oas31({"/products/1": get(PRODUCT)})


def _matcher(value: Any, kind: str = "type", **extra: Any) -> dict[str, Any]:
    return {"pact:matcher:type": kind, "value": value, **extra}


def _product(body: Any) -> Http:
    return Http("GET", "/products/1", response_body=body)


MESSAGE = {
    "type": "Asynchronous/Messages",
    "description": "a product event",
    "contents": {
        "content": {"anything": "goes"},
        "contentType": "application/json",
        "encoded": False,
    },
}
SYNC_MESSAGE = {
    "type": "Synchronous/Messages",
    "description": "a product query over a queue",
    "request": {"contents": {"content": {"id": 1}}},
    "response": [{"contents": {"content": {"unrelated": True}}}],
}


def _with_rules(pact: dict[str, Any], index: int, rules: dict[str, Any]) -> dict[str, Any]:
    pact["interactions"][index]["response"]["matchingRules"] = rules
    return pact


def _base64_body() -> dict[str, Any]:
    pact = v4(_product({"id": 1}))
    encoded = base64.b64encode(b'{"id": 1, "secret": true}').decode()
    pact["interactions"][0]["response"]["body"] = {
        "content": encoded,
        "contentType": "application/json",
        "encoded": "base64",
    }
    return pact


V1 = {
    "consumer": {"name": "Web"},
    "provider": {"name": "Products"},
    "interactions": [
        {
            "description": "a v1 request",
            "provider_state": "product 1 exists",
            "request": {"method": "get", "path": "/products/1", "query": "debug=1"},
            "response": {
                "status": 200,
                "headers": {"Content-Type": "application/json"},
                "body": {"id": 1},
            },
        }
    ],
    "metadata": {"pactSpecificationVersion": "1.0.0"},
}

CASES = [
    Case(
        "pact/v4-matcher-embedded-bodies",
        DOCUMENT,
        v4(
            _product({"id": _matcher(1), "tags": _matcher([{"label": _matcher("new")}], min=1)}),
            _product(
                {
                    "id": _matcher(1, "integer"),
                    "tags": _matcher(
                        [{"label": "a", "colour": _matcher("red", "regex", regex="r.*")}]
                    ),
                }
            ),
        ),
        False,
        (
            (
                "response.body.incompatible",
                at(1, "response.body.tags.0.colour"),
                "must NOT have additional properties - colour",
            ),
        ),
    ),
    Case(
        "pact/v4-messages-skipped",
        DOCUMENT,
        v4(MESSAGE, _product({"id": 1}), SYNC_MESSAGE),
        True,
    ),
    Case(
        "pact/v3-matching-rules-example-checked",
        DOCUMENT,
        _with_rules(
            v3(_product({"id": "10"})),
            0,
            {"body": {"$.id": {"combine": "AND", "matchers": [{"match": "type"}]}}},
        ),
        False,
        (("response.body.incompatible", at(0, "response.body.id"), "must be integer"),),
    ),
    Case(
        "pact/v2-matching-rules-example-checked",
        DOCUMENT,
        _with_rules(
            v2(_product({"id": 1, "tags": [{"label": 5}]})),
            0,
            {"$.body.tags": {"min": 1, "match": "type"}},
        ),
        False,
        (("response.body.incompatible", at(0, "response.body.tags.0.label"), "must be string"),),
    ),
    Case(
        "pact/v4-base64-body-decoded",
        DOCUMENT,
        _base64_body(),
        False,
        (
            (
                "response.body.incompatible",
                at(0, "response.body.secret"),
                "must NOT have additional properties - secret",
            ),
        ),
    ),
    Case(
        "pact/v1-lower-case-method-and-query-string",
        oas({"/products/1": get(PRODUCT)}),
        V1,
        True,
        (("request.query.unknown", at(0, "request.query.debug"), "debug"),),
    ),
    Case(
        "pact/interaction-without-response",
        DOCUMENT,
        {
            "interactions": [
                {"description": "broken", "request": {"method": "GET", "path": "/products/1"}}
            ]
        },
        False,
        (
            (
                "pact.interaction.invalid",
                "[root].interactions[0]",
                "the interaction has no response",
            ),
        ),
    ),
]
