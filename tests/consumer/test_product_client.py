"""Unit tests of ProductClient's edge cases that the contract does not cover."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from consumer.client import (
    Product,
    ProductClient,
    ProductServiceError,
    TokenFactory,
    UnauthorizedError,
    iso_timestamp_token,
)

Handler = Callable[[httpx.Request], httpx.Response]


def client_for(
    handler: Handler, token_factory: TokenFactory | None = iso_timestamp_token
) -> ProductClient:
    transport = httpx.MockTransport(handler)
    return ProductClient("http://products.test", token_factory=token_factory, transport=transport)


def test_token_is_a_current_javascript_style_timestamp() -> None:
    token = iso_timestamp_token()

    assert token.endswith("Z")
    issued = datetime.fromisoformat(token)
    assert abs(datetime.now(UTC) - issued) < timedelta(seconds=5)


def test_sends_a_fresh_bearer_token_with_every_request() -> None:
    tokens = iter(["first", "second"])
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("Authorization"))
        return httpx.Response(200, json=[])

    with client_for(handler, token_factory=lambda: next(tokens)) as client:
        client.get_products()
        client.get_products()

    assert seen == ["Bearer first", "Bearer second"]


def test_sends_no_authorization_without_a_token_factory() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert "Authorization" not in request.headers
        return httpx.Response(401, json={"error": "Unauthorized"})

    with client_for(handler, token_factory=None) as client, pytest.raises(UnauthorizedError):
        client.get_products()


def test_ignores_fields_it_does_not_use() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.raw_path == b"/product/a%2Fb"
        return httpx.Response(200, json={"id": "a/b", "type": "T", "name": "N", "new": 1})

    with client_for(handler) as client:
        assert client.get_product("a/b") == Product(id="a/b", type="T", name="N")


@pytest.mark.parametrize(
    "response",
    [
        pytest.param(httpx.Response(500, text="boom"), id="server-error"),
        pytest.param(httpx.Response(200, text="not json"), id="not-json"),
        pytest.param(httpx.Response(200, json={"id": "1"}), id="not-a-list"),
        pytest.param(httpx.Response(200, json=[{"id": 1, "type": "T", "name": "N"}]), id="bad-id"),
        pytest.param(httpx.Response(200, json=["product"]), id="not-an-object"),
    ],
)
def test_unusable_answers_raise_product_service_error(response: httpx.Response) -> None:
    with client_for(lambda _: response) as client, pytest.raises(ProductServiceError):
        client.get_products()


def test_unauthorized_is_a_product_service_error() -> None:
    body = json.dumps({"error": "Unauthorized"})
    with (
        client_for(lambda _: httpx.Response(401, text=body)) as client,
        pytest.raises(ProductServiceError, match="missing or expired token"),
    ):
        client.get_product("10")
