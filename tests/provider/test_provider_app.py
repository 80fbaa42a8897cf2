"""Unit tests of ProductService's routes and its timestamp authentication.

Requests go through httpx's ASGI transport rather than Starlette's ``TestClient``, which
in this Starlette release warns (an error under our pytest settings) unless ``httpx2`` is
installed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from provider.app import app as module_app
from provider.app import create_app
from provider.auth import CLOCK_SKEW, MAX_TOKEN_AGE, is_fresh, parse_timestamp_token
from provider.models import Product
from provider.repository import DEFAULT_PRODUCTS, ProductRepository

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def bearer(moment: datetime | None = None) -> dict[str, str]:
    stamp = (moment or datetime.now(UTC)).isoformat()
    return {"Authorization": f"Bearer {stamp}"}


class AppClient:
    """A synchronous way to send one request at a time to an ASGI app, in process."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def get(self, path: str, headers: Mapping[str, str] | None = None) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                return await http.get(path, headers=headers)

        return asyncio.run(send())


@pytest.fixture
def repository() -> ProductRepository:
    return ProductRepository()


@pytest.fixture
def client(repository: ProductRepository) -> AppClient:
    return AppClient(create_app(repository))


def test_lists_every_product_with_all_fields(client: AppClient) -> None:
    response = client.get("/products", headers=bearer())

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == [
        {"id": "09", "type": "CREDIT_CARD", "name": "Gem Visa", "version": "v1"},
        {"id": "10", "type": "CREDIT_CARD", "name": "28 Degrees", "version": "v1"},
        {"id": "11", "type": "PERSONAL_LOAN", "name": "MyFlexiPay", "version": "v2"},
    ]


def test_gets_one_product(client: AppClient) -> None:
    response = client.get("/product/11", headers=bearer())

    assert response.status_code == 200
    assert response.json() == {
        "id": "11",
        "type": "PERSONAL_LOAN",
        "name": "MyFlexiPay",
        "version": "v2",
    }


def test_unknown_product_is_404(client: AppClient) -> None:
    response = client.get("/product/99", headers=bearer())

    assert response.status_code == 404
    assert response.json() == {"message": "Product not found"}


def test_serves_the_repository_it_was_given(
    client: AppClient, repository: ProductRepository
) -> None:
    repository.replace([Product(id="42", type="MORTGAGE", name="Home", version="v9")])

    assert client.get("/products", headers=bearer()).json() == [
        {"id": "42", "type": "MORTGAGE", "name": "Home", "version": "v9"}
    ]
    assert client.get("/product/10", headers=bearer()).status_code == 404


def test_empty_repository_lists_nothing() -> None:
    response = AppClient(create_app(ProductRepository([]))).get("/products", headers=bearer())

    assert response.status_code == 200
    assert response.json() == []


def test_module_app_serves_the_default_catalogue() -> None:
    response = AppClient(module_app).get("/products", headers=bearer())

    assert [p["id"] for p in response.json()] == ["09", "10", "11"]


@pytest.mark.parametrize("path", ["/products", "/product/10", "/product/99"])
@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="missing"),
        pytest.param(bearer(datetime.now(UTC) - timedelta(hours=2)), id="stale"),
        pytest.param(bearer(datetime.now(UTC) + timedelta(hours=1)), id="future"),
        pytest.param({"Authorization": "Bearer yesterday"}, id="malformed"),
        pytest.param({"Authorization": "Bearer "}, id="empty"),
        pytest.param({"Authorization": datetime.now(UTC).isoformat()}, id="no-scheme"),
        pytest.param({"Authorization": "Basic dXNlcjpwYXNz"}, id="basic"),
    ],
)
def test_rejects_requests_without_a_fresh_token(
    client: AppClient, path: str, headers: dict[str, str]
) -> None:
    response = client.get(path, headers=headers)

    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized"}
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("2019-01-14T11:34:18.045Z", id="javascript-toISOString"),
        pytest.param(datetime.now(UTC).isoformat(), id="python-isoformat"),
        pytest.param(datetime.now(UTC).replace(tzinfo=None).isoformat(), id="naive-utc"),
    ],
)
def test_accepts_iso_8601_formats(token: str) -> None:
    parsed = parse_timestamp_token(token)

    assert parsed is not None
    assert parsed.tzinfo is not None
    assert is_fresh(token, now=parsed + timedelta(minutes=5))


def test_scheme_is_case_insensitive(client: AppClient) -> None:
    stamp = datetime.now(UTC).isoformat()

    assert client.get("/products", headers={"Authorization": f"bearer {stamp}"}).status_code == 200


@pytest.mark.parametrize(
    ("issued", "fresh"),
    [
        (NOW, True),
        (NOW - MAX_TOKEN_AGE, True),
        (NOW - MAX_TOKEN_AGE - timedelta(seconds=1), False),
        (NOW + CLOCK_SKEW, True),
        (NOW + CLOCK_SKEW + timedelta(seconds=1), False),
    ],
)
def test_freshness_window(issued: datetime, fresh: bool) -> None:
    assert is_fresh(issued.isoformat(), now=NOW) is fresh


def test_repository_reset_restores_defaults() -> None:
    repository = ProductRepository([])

    repository.reset()

    assert repository.all() == list(DEFAULT_PRODUCTS)
    assert repository.get("10") == DEFAULT_PRODUCTS[1]
