"""A publication whose content is not a pact is refused with a 400 naming the problem, before
anything is stored; every valid pact (V2, V3 HTTP and messages, V4 with plugins) is accepted."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

import pytest

from pact_pipeline.broker.testing import simple_pact
from tests.broker.broker_support import InProcessBroker

PUT_PATH = "/pacts/provider/Bar/consumer/Foo/version/1"
CONFORMANCE_PACTS = sorted((Path(__file__).parents[2] / "conformance" / "pacts").glob("*.json"))


def pact(**changes: Any) -> dict[str, Any]:
    """A valid V2 pact between Foo and Bar, with top-level keys replaced (None: removed)."""
    document = simple_pact("Foo", "Bar")
    for key, value in changes.items():
        if value is None:
            document.pop(key, None)
        else:
            document[key] = value
    return document


def interaction(**changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = copy.deepcopy(simple_pact("Foo", "Bar")["interactions"][0])
    for key, value in changes.items():
        if value is None:
            item.pop(key, None)
        else:
            item[key] = value
    return item


V4 = {"pactSpecification": {"version": "4.0"}}

BAD: list[Any] = [
    pytest.param(pact(interactions={"a": 1}), "interactions", "must be an array", id="not-a-list"),
    pytest.param(
        pact(interactions=None), "interactions", "is missing", id="no-interactions-or-messages"
    ),
    pytest.param(pact(interactions=["x"]), "interactions[0]", "must be an object", id="item"),
    pytest.param(
        pact(interactions=[interaction(request=None)]),
        "interactions[0].request",
        "is missing",
        id="no-request",
    ),
    pytest.param(
        pact(interactions=[interaction(response="200")]),
        "interactions[0].response",
        "must be an object",
        id="response-not-object",
    ),
    pytest.param(
        pact(interactions=[interaction(request={"path": "/"})]),
        "interactions[0].request.method",
        "is missing",
        id="no-method",
    ),
    pytest.param(
        pact(interactions=[interaction(), interaction(request={"method": "GET", "path": 3})]),
        "interactions[1].request.path",
        "must be a string",
        id="path-not-string",
    ),
    pytest.param(
        pact(metadata=V4, interactions=[interaction()]),
        "interactions[0].type",
        "is missing",
        id="v4-no-type",
    ),
    pytest.param(
        pact(metadata=V4, interactions=[interaction(type="Synchronous/Carrier-Pigeon")]),
        "interactions[0].type",
        "must be one of",
        id="v4-unknown-type",
    ),
    pytest.param(
        pact(interactions=None, messages="hello"), "messages", "must be an array", id="messages"
    ),
    pytest.param(
        pact(interactions=None, messages=[1]), "messages[0]", "must be an object", id="message"
    ),
    pytest.param(pact(consumer="Foo"), "consumer", "must be an object", id="consumer-string"),
    pytest.param(pact(provider={"name": 7}), "provider.name", "must be a string", id="name"),
    pytest.param(pact(provider={}), "provider.name", "is missing", id="provider-without-name"),
]


def assert_nothing_stored(broker: InProcessBroker) -> None:
    assert broker.client.get(PUT_PATH).status_code == 404
    assert broker.client.get("/pacticipants/Foo").status_code == 404
    assert broker.client.get("/pacticipants").json()["_embedded"]["pacticipants"] == []


def errors_at(body: dict[str, Any], field: str) -> list[str]:
    errors: dict[str, list[str]] = body["errors"]
    assert field in errors, errors
    return errors[field]


@pytest.mark.parametrize(("document", "field", "message"), BAD)
def test_a_put_of_a_non_pact_is_a_400_naming_the_field(
    api: InProcessBroker, document: dict[str, Any], field: str, message: str
) -> None:
    response = api.client.put(PUT_PATH, json=document)
    assert response.status_code == 400, response.text
    assert any(message in m for m in errors_at(response.json(), field))
    assert_nothing_stored(api)


def publication(*documents: dict[str, Any]) -> dict[str, Any]:
    return {
        "pacticipantName": "Foo",
        "pacticipantVersionNumber": "1",
        "branch": "main",
        "contracts": [
            {
                "consumerName": "Foo",
                "providerName": "Bar",
                "specification": "pact",
                "contentType": "application/json",
                "content": base64.b64encode(json.dumps(document).encode()).decode(),
            }
            for document in documents
        ],
    }


@pytest.mark.parametrize(("document", "field", "message"), BAD)
def test_a_published_non_pact_is_a_400_naming_the_field(
    api: InProcessBroker, document: dict[str, Any], field: str, message: str
) -> None:
    response = api.client.post("/contracts/publish", json=publication(pact(), document))
    assert response.status_code == 400, response.text
    found = errors_at(response.json(), f"contracts.content.{field}")
    assert any(message in m and m.endswith("(at index 1)") for m in found), found
    assert_nothing_stored(api)


def test_content_names_must_match_the_path(api: InProcessBroker) -> None:
    response = api.client.put(PUT_PATH, json=pact(consumer={"name": "Other"}))
    assert response.status_code == 400
    assert "consumer.name" in response.json()["errors"]
    assert_nothing_stored(api)


V3_MESSAGES = {
    "consumer": {"name": "Foo"},
    "provider": {"name": "Bar"},
    "messages": [
        {
            "description": "an order event",
            "providerStates": [{"name": "an order exists"}],
            "contents": {"id": 1},
            "metaData": {"contentType": "application/json"},
        }
    ],
    "metadata": {"pactSpecification": {"version": "3.0.0"}},
}
V4_MIXED = {
    "consumer": {"name": "Foo"},
    "provider": {"name": "Bar"},
    "interactions": [
        {
            "type": "Synchronous/HTTP",
            "description": "a request",
            "key": "a1",
            "pending": True,
            "comments": {"text": ["written by hand"]},
            "request": {"method": "GET", "path": "/orders"},
            "response": {"status": 200},
        },
        {
            "type": "Asynchronous/Messages",
            "description": "an event",
            "contents": {"content": {"id": 1}, "contentType": "application/json"},
        },
        {
            "type": "Synchronous/Messages",
            "description": "a gRPC call (plugin)",
            "interactionMarkup": {"markup": "```protobuf\n...\n```", "markupType": "COMMON_MARK"},
            "pluginConfiguration": {"protobuf": {"service": "Orders/Get"}},
            "request": {"contents": {"content": "AAEC", "contentType": "application/protobuf"}},
            "response": [{"contents": {"content": "", "contentType": "application/protobuf"}}],
            "transport": "grpc",
        },
    ],
    "metadata": {
        "pactSpecification": {"version": "4.0"},
        "plugins": [{"name": "protobuf", "version": "0.3.0"}],
    },
}
GOOD = [
    pytest.param(pact(), id="v2"),
    pytest.param(pact(interactions=[]), id="no-interactions-yet"),
    pytest.param(pact(consumer=None, provider=None), id="names-from-the-path"),
    pytest.param(
        pact(
            interactions=[interaction(providerStates=[{"name": "s", "params": {"id": 1}}])],
            metadata={"pactSpecification": {"version": "3.0.0"}},
        ),
        id="v3-http",
    ),
    pytest.param(V3_MESSAGES, id="v3-messages"),
    pytest.param(V4_MIXED, id="v4-http-messages-plugins"),
]


@pytest.mark.parametrize("document", GOOD)
def test_valid_pacts_are_accepted_by_put(api: InProcessBroker, document: dict[str, Any]) -> None:
    response = api.client.put(PUT_PATH, json=document)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("document", GOOD)
def test_valid_pacts_are_accepted_by_publish(
    api: InProcessBroker, document: dict[str, Any]
) -> None:
    response = api.client.post("/contracts/publish", json=publication(document))
    assert response.status_code == 200, response.text
    assert api.client.get(PUT_PATH).status_code == 200


@pytest.mark.parametrize("path", CONFORMANCE_PACTS, ids=lambda p: p.stem)
def test_the_conformance_pacts_are_accepted(api: InProcessBroker, path: Path) -> None:
    document = json.loads(path.read_text())
    consumer, provider = document["consumer"]["name"], document["provider"]["name"]
    url = f"/pacts/provider/{provider}/consumer/{consumer}/version/1.0.0".replace(" ", "%20")
    response = api.client.put(url, json=document)
    assert response.status_code == 201, response.text
