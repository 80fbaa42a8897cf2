"""The "pact as documentation" view model: V2, V3 (HTTP and message) and V4 pacts, and junk.

The V4 pact is written by pact-python (the Pact FFI); the V2 and V3 ones by hand, after the
specification (the V2 one after this repository's FrontendWebsite → ProductService pact)."""

from __future__ import annotations

import json
from itertools import chain
from pathlib import Path
from typing import Any

import pytest
from pact import Pact, match

from pact_pipeline.broker.ui.pact_view import (
    InteractionView,
    PactView,
    ProviderState,
    describe_matcher,
    pact_view,
)

AUTHORIZATION_REGEX = (
    r"^Bearer \d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$"
)


def write_v4_pact(directory: Path) -> dict[str, Any]:
    """A V4 pact written by pact-python: an HTTP interaction, an async and a sync message."""
    pact = Pact("OrderWeb", "OrderService").with_specification("V4")
    (
        pact.upon_receiving("get order")
        .given("an order exists", id=10)
        .with_request("GET", "/orders/10")
        .with_query_parameter("expand", "items")
        .with_header("Accept", "application/json")
        .will_respond_with(200)
        .with_header("Content-Type", "application/json")
        .with_body(
            {
                "id": match.int(min=1, max=99),
                "ref": match.uuid(),
                "total": match.decimal(12.5),
                "tags": match.each_like("a", min=1),
            },
            content_type="application/json",
        )
        .set_key("order-10")
        .set_pending(pending=True)
        .add_text_comment("the order page")
    )
    (
        pact.upon_receiving("order created", interaction="Async")
        .given("an order")
        .with_body({"orderId": match.like(1)}, content_type="application/json")
        .with_metadata({"topic": "orders"})
    )
    (
        pact.upon_receiving("price quote", interaction="Sync")
        .with_body({"sku": "A1"}, content_type="application/json")
        .with_metadata({"queue": "quotes"})
        .will_respond_with()
        .with_body({"price": match.number(9.99)}, content_type="application/json")
    )
    pact.write_file(directory, overwrite=True)
    document: dict[str, Any] = json.loads((directory / "OrderWeb-OrderService.json").read_text())
    return document


#: A V2 pact after this repository's example (``pacts/``), as a V2 consumer would write it.
V2_PACT: dict[str, Any] = {
    "consumer": {"name": "FrontendWebsite"},
    "provider": {"name": "ProductService"},
    "interactions": [
        {
            "description": "get all products",
            "providerState": "products exist",
            "request": {
                "method": "get",
                "path": "/products",
                "query": "type=CREDIT_CARD&type=DEBIT&q=gem visa",
                "headers": {"Authorization": "Bearer 2019-01-14T11:34:18.045Z"},
                "matchingRules": {
                    "$.headers.Authorization": {"match": "regex", "regex": AUTHORIZATION_REGEX}
                },
            },
            "response": {
                "status": 200,
                "headers": {"Content-Type": "application/json; charset=utf-8"},
                "body": [{"id": "09", "type": "CREDIT_CARD", "name": "Gem Visa"}],
                "matchingRules": {
                    "$.body": {"min": 1},
                    "$.body[*].*": {"match": "type"},
                    "$.headers.Content-Type": {"regex": "^application/json"},
                },
            },
        },
        {
            "description": "get product with ID 11",
            "providerState": "product with ID 11 does not exist",
            "request": {"method": "GET", "path": "/product/11"},
            "response": {"status": 404},
        },
    ],
    "metadata": {"pactSpecification": {"version": "2.0.0"}},
}

#: A V3 message pact, as pact-jvm or pact-js V3 write them.
V3_MESSAGE_PACT: dict[str, Any] = {
    "consumer": {"name": "OrderEmails"},
    "provider": {"name": "OrderEvents"},
    "messages": [
        {
            "description": "an order shipped event",
            "providerStates": [
                {"name": "an order exists", "params": {"orderId": 42, "items": 2}},
                {"name": "the courier is known"},
            ],
            "contents": {"orderId": 42, "shippedAt": "2024-05-01", "courier": "DHL"},
            "metaData": {"contentType": "application/json", "topic": "orders.shipped"},
            "matchingRules": {
                "body": {
                    "$.orderId": {"matchers": [{"match": "integer"}], "combine": "AND"},
                    "$.shippedAt": {"matchers": [{"match": "date", "date": "yyyy-MM-dd"}]},
                    "$.courier": {
                        "matchers": [{"match": "regex", "regex": "^[A-Z]+$"}, {"match": "null"}],
                        "combine": "OR",
                    },
                },
                "metadata": {"topic": {"matchers": [{"match": "include", "value": "orders"}]}},
            },
            "generators": {"body": {"$.orderId": {"type": "RandomInt", "min": 1, "max": 9}}},
        },
        {"description": "a plain text ping", "contents": "ping", "metaData": {}},
    ],
    "metadata": {"pact-specification": {"version": "3.0.0"}, "pact-jvm": {"version": "4.6.5"}},
}


@pytest.fixture(scope="module")
def v4_pact(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return write_v4_pact(tmp_path_factory.mktemp("v4"))


def interaction(view: PactView, description: str) -> InteractionView:
    return next(i for i in view.interactions if i.description == description)


def test_v4_pact_parties_specification_and_metadata(v4_pact: dict[str, Any]) -> None:
    view = pact_view(v4_pact)
    assert (view.consumer, view.provider, view.specification) == ("OrderWeb", "OrderService", "4.0")
    assert ("pactSpecification.version", "4.0") in view.metadata
    assert any(name == "pactRust.ffi" for name, _ in view.metadata)
    assert len(view.interactions) == 3


def test_v4_http_interaction(v4_pact: dict[str, Any]) -> None:
    order = interaction(pact_view(v4_pact), "get order")
    assert (order.key, order.kind, order.pending) == ("order-10", "HTTP", True)
    assert order.states == [ProviderState("an order exists", {"id": 10})]
    assert order.comments == ["the order page"]
    request, response = order.parts
    assert (request.title, request.summary) == ("Request", "GET /orders/10?expand=items")
    assert request.headers == [("Accept", "application/json")]
    assert request.body is None
    assert (response.title, response.summary) == ("Response", "200")
    assert response.content_type == "application/json"
    assert response.body is not None
    assert json.loads(response.body) == {"id": None, "ref": None, "tags": ["a"], "total": 12.5}
    assert response.body.startswith('{\n  "')  # pretty-printed, indent 2
    rules = dict(response.matching_rules)
    assert rules["$.body.id"] == "integer"
    assert rules["$.body.ref"].startswith("regex ^([0-9a-f]{8}")
    assert rules["$.body.tags"] == "min 1 (type)"
    assert rules["$.body.total"] == "decimal"
    assert response.generators == [
        ("$.body.id", "RandomInt (max=99, min=1)"),
        ("$.body.ref", "Uuid"),
    ]


def test_v4_asynchronous_message(v4_pact: dict[str, Any]) -> None:
    event = interaction(pact_view(v4_pact), "order created")
    assert event.kind == "Asynchronous message"
    assert event.states == [ProviderState("an order", {})]
    assert event.key == "order-created-an-order-1"
    [message] = event.parts
    assert (message.title, message.summary) == ("Message", "application/json message")
    assert ("topic", "orders") in message.headers
    assert message.body == '{\n  "orderId": 1\n}'
    assert message.matching_rules == [("$.body.orderId", "type")]


def test_v4_synchronous_message(v4_pact: dict[str, Any]) -> None:
    quote = interaction(pact_view(v4_pact), "price quote")
    assert (quote.kind, quote.states, quote.pending) == ("Synchronous message", [], False)
    request, response = quote.parts
    assert (request.title, response.title) == ("Request message", "Response message")
    assert ("queue", "quotes") in request.headers
    assert request.body == '{\n  "sku": "A1"\n}'
    assert response.body == '{\n  "price": 9.99\n}'
    assert response.matching_rules == [("$.body.price", "number")]


def test_v4_several_responses_are_numbered() -> None:
    document = {
        "metadata": {"pactSpecification": {"version": "4.0"}},
        "interactions": [
            {
                "type": "Synchronous/Messages",
                "description": "a quote",
                "request": {"contents": {"content": "q", "contentType": "text/plain"}},
                "response": [{"contents": {"content": {"n": i}}} for i in (1, 2)],
            }
        ],
    }
    titles = [part.title for part in pact_view(document).interactions[0].parts]
    assert titles == ["Request message", "Response message 1", "Response message 2"]


def test_v4_encoded_bodies() -> None:
    def body(contents: dict[str, Any]) -> str | None:
        document = {"interactions": [{"type": "Asynchronous/Messages", "contents": contents}]}
        return pact_view(document).interactions[0].parts[0].body

    png = {"content": "iVBORw==", "contentType": "image/png", "encoded": "base64"}
    assert body(png) == "(encoded: image/png, 4 bytes)"
    as_json = {"content": '{"a": [1]}', "contentType": "application/json", "encoded": "JSON"}
    assert body(as_json) == '{\n  "a": [\n    1\n  ]\n}'
    text = {"content": "plain text", "contentType": "text/plain", "encoded": False}
    assert body(text) == "plain text"


def test_v2_pact_with_provider_state() -> None:
    view = pact_view(V2_PACT)
    assert (view.consumer, view.provider) == ("FrontendWebsite", "ProductService")
    assert view.specification == "2.0.0"
    products, missing = view.interactions
    assert products.kind == "HTTP"
    assert products.states == [ProviderState("products exist", {})]
    assert products.key == "get-all-products-products-exist-0"
    assert missing.key == "get-product-with-id-11-product-with-id-11-does-not-exist-1"
    request, response = products.parts
    assert request.summary == "GET /products?type=CREDIT_CARD&type=DEBIT&q=gem%20visa"
    assert request.headers == [("Authorization", "Bearer 2019-01-14T11:34:18.045Z")]
    assert request.matching_rules == [("header.Authorization", f"regex {AUTHORIZATION_REGEX}")]
    assert response.content_type == "application/json; charset=utf-8"
    assert response.body is not None
    assert json.loads(response.body) == V2_PACT["interactions"][0]["response"]["body"]
    assert response.matching_rules == [
        ("$.body", "min 1 (type)"),
        ("$.body[*].*", "type"),
        ("header.Content-Type", "regex ^application/json"),
    ]
    assert [part.summary for part in missing.parts] == ["GET /product/11", "404"]
    assert missing.parts[1].body is None


def test_v3_message_pact() -> None:
    view = pact_view(V3_MESSAGE_PACT)
    assert view.specification == "3.0.0"
    assert ("pact-jvm.version", "4.6.5") in view.metadata
    shipped, ping = view.interactions
    assert shipped.kind == ping.kind == "Asynchronous message"
    assert shipped.states == [
        ProviderState("an order exists", {"orderId": 42, "items": 2}),
        ProviderState("the courier is known", {}),
    ]
    [message] = shipped.parts
    assert message.summary == "application/json message"
    assert message.headers == [("contentType", "application/json"), ("topic", "orders.shipped")]
    assert message.body is not None
    assert json.loads(message.body)["courier"] == "DHL"
    assert message.matching_rules == [
        ("$.body.orderId", "integer"),
        ("$.body.shippedAt", "date yyyy-MM-dd"),
        ("$.body.courier", "regex ^[A-Z]+$ or null"),
        ("metadata.topic", "include 'orders'"),
    ]
    assert message.generators == [("$.body.orderId", "RandomInt (min=1, max=9)")]
    assert (ping.parts[0].summary, ping.parts[0].body) == ("message", "ping")


def rule(*matchers: dict[str, Any]) -> dict[str, Any]:
    return {"matchers": list(matchers), "combine": "AND"}


def test_v3_http_categories_and_generators() -> None:
    document = {
        "metadata": {"pactSpecificationVersion": "3.0.0"},
        "interactions": [
            {
                "description": "create an order",
                "providerStates": ["a customer"],
                "request": {
                    "method": "POST",
                    "path": "/customers/7/orders",
                    "query": {"dryRun": ["true"], "tag": ["a", "b"]},
                    "headers": {"Accept": "application/json, text/plain"},
                    "body": {"items": [{"sku": "A1"}]},
                    "matchingRules": {
                        "path": rule({"match": "regex", "regex": "/customers/\\d+/orders"}),
                        "query": {"tag": rule({"match": "type", "min": 1, "max": 5})},
                        "body": {"$.items": rule({"match": "type", "min": 1})},
                    },
                    "generators": {
                        "path": {"type": "ProviderState", "expression": "/customers/${id}/orders"}
                    },
                },
                "response": {
                    "status": 201,
                    "matchingRules": {"status": rule({"match": "statusCode", "status": "success"})},
                },
            }
        ],
    }
    view = pact_view(document)
    assert view.specification == "3.0.0"
    order = view.interactions[0]
    assert order.states == [ProviderState("a customer", {})]
    request, response = order.parts
    assert request.summary == "POST /customers/7/orders?dryRun=true&tag=a&tag=b"
    assert request.headers == [("Accept", "application/json, text/plain")]
    assert request.matching_rules == [
        ("path", "regex /customers/\\d+/orders"),
        ("query.tag", "min 1, max 5 (type)"),
        ("$.body.items", "min 1 (type)"),
    ]
    assert request.generators == [("path", "ProviderState /customers/${id}/orders")]
    assert response.matching_rules == [("status", "statusCode (status=success)")]


def test_multi_valued_headers_are_joined() -> None:
    document = {
        "interactions": [
            {
                "type": "Synchronous/HTTP",
                "request": {"method": "GET", "path": "/", "headers": {"Accept": ["a/b", "c/d"]}},
                "response": {"status": 204},
            }
        ]
    }
    assert pact_view(document).interactions[0].parts[0].headers == [("Accept", "a/b, c/d")]


@pytest.mark.parametrize(
    ("matcher", "words"),
    [
        ({"match": "type"}, "type"),
        ({"match": "type", "min": 1}, "min 1 (type)"),
        ({"match": "max", "max": 3}, "max 3 (type)"),
        ({"min": 0}, "min 0 (type)"),
        ({"regex": "^a+$"}, "regex ^a+$"),
        ({"match": "date", "format": "yyyy-MM-dd"}, "date yyyy-MM-dd"),
        ({"match": "timestamp", "timestamp": "yyyy-MM-dd'T'HH:mm"}, "timestamp yyyy-MM-dd'T'HH:mm"),
        ({"match": "time"}, "time"),
        ({"match": "include", "value": "x"}, "include 'x'"),
        ({"match": "number"}, "number"),
        ({"match": "values"}, "values"),
        ({"match": "boolean"}, "boolean"),
        ({"match": "contentType", "value": "image/png"}, "contentType (value=image/png)"),
        (
            {"match": "eachKey", "rules": [{"match": "regex", "regex": "^[a-z]+$"}]},
            "eachKey (regex ^[a-z]+$)",
        ),
        ({"match": "eachValue", "rules": [{"match": "type"}]}, "eachValue (type)"),
        ({"match": "arrayContains", "variants": [{}, {}]}, "arrayContains (2 variants)"),
        ({"match": "semver"}, "semver"),
        ({"match": "someday", "x": "y" * 100}, "someday (x=" + "y" * 59 + "…)"),
        ("not a matcher", "not a matcher"),
    ],
)
def test_matchers_in_words(matcher: Any, words: str) -> None:
    assert describe_matcher(matcher) == words


@pytest.mark.parametrize(
    ("metadata", "version"),
    [
        ({"pactSpecification": {"version": "2.0.0"}}, "2.0.0"),
        ({"pact-specification": {"version": "3.0.0"}}, "3.0.0"),
        ({"pactSpecificationVersion": "1.0.0"}, "1.0.0"),
        ({"pactSpecification": {"version": 4}}, "4"),
        ({}, "unknown"),
        ({"pactSpecification": ["junk"]}, "unknown"),
    ],
)
def test_specification_version(metadata: dict[str, Any], version: str) -> None:
    assert pact_view({"metadata": metadata}).specification == version


# --- junk never raises -------------------------------------------------------------------

JUNK_DOCUMENTS: list[Any] = [
    {},
    [],
    "not a pact",
    None,
    {"consumer": [], "provider": 3, "interactions": {"a": 1}, "metadata": "x"},
    {"interactions": [None, 1, "x", [], {}]},
    {"interactions": [{"request": [], "response": "ok", "providerStates": {"a": 1}}]},
    {"interactions": [{"type": "Synchronous/Messages", "request": 5, "response": {"x": 1}}]},
    {"interactions": [{"type": "Asynchronous/Messages", "contents": {"encoded": "base64"}}]},
    {"interactions": [{"type": "Weird/Plugin", "response": [1, {"contents": []}]}]},
    {"interactions": [{"type": 7, "description": ["d"], "key": {}, "comments": [1, {"a": 2}]}]},
    {"messages": [{"contents": {"content": 1}, "metaData": [1], "matchingRules": [1, 2]}]},
    {
        "metadata": {"pactSpecification": {"version": "4.0"}},
        "interactions": [
            {
                "type": "Synchronous/HTTP",
                "request": {
                    "method": 1,
                    "path": None,
                    "query": {"a": {"b": 1}},
                    "headers": ["x"],
                    "body": {"content": "!!!", "encoded": "base64", "contentType": 3},
                    "matchingRules": {"body": {"$.a": {"matchers": "type"}}, "path": 3},
                    "generators": {"body": [1], "status": {"type": 5}},
                },
                "response": {"status": {"nested": True}, "body": {"content": float("nan")}},
            }
        ],
    },
    {"interactions": [{"request": {"matchingRules": {"$.body": {"match": {"x": 1}}}}}]},
    {"interactions": [{"providerStates": [{"name": None, "params": [1]}, 3, None]}]},
    {"interactions": [{"request": {"body": {1, 2}, "headers": {("a",): "b"}}}]},
    {"interactions": [{"request": {"body": 10**5000, "query": {"n": [10**5000]}}}]},
]


def deeply_nested(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = {"a": [value]}
    return value


def assert_well_typed(view: PactView) -> None:
    """Every field holds what a template expects, whatever the document held."""
    texts = [view.consumer, view.provider, view.specification, *chain(*view.metadata)]
    for item in view.interactions:
        assert item.key and isinstance(item.pending, bool)
        assert all(isinstance(state.params, dict) for state in item.states)
        texts += [item.key, item.kind, item.description, *item.comments]
        texts += [state.name for state in item.states]
        for part in item.parts:
            assert {type(part.body), type(part.content_type)} <= {str, type(None)}
            texts += [part.title, part.summary]
            texts += chain(*part.headers, *part.matching_rules, *part.generators)
    assert all(isinstance(text, str) for text in texts)


@pytest.mark.parametrize("document", JUNK_DOCUMENTS)
def test_junk_never_raises(document: Any) -> None:
    assert_well_typed(pact_view(document))


def test_deeply_nested_values_never_raise() -> None:
    deep = deeply_nested(5000)
    document = {
        "metadata": deep,
        "interactions": [
            {
                "description": "deep",
                "request": {"method": "POST", "path": "/", "body": deep, "headers": {"X": deep}},
                "response": {"status": 200, "matchingRules": {"body": {"$": deep}}},
                "comments": deep,
            }
        ],
        "messages": [{"contents": deep, "metaData": deep, "matchingRules": deep}],
    }
    view = pact_view(document)
    assert_well_typed(view)
    assert view.interactions[0].parts[0].body == "(unprintable value)"
