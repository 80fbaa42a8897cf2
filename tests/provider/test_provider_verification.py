"""Provider verification of ProductService against FrontendWebsite's contract.

These tests are real end to end: the pact is built by pact-python from the consumer's
own interaction definitions, the service runs under uvicorn, and pact's Rust verifier
replays every interaction against it over HTTP, calling our state handlers in between.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pact_pipeline.serving import serve_app
from provider.app import create_app
from provider.repository import DEFAULT_PRODUCTS, ProductRepository
from provider.verification import (
    PROVIDER_STATES,
    FreshAuthorizationMiddleware,
    served_for_verification,
    state_handlers,
    verify_local_pacts,
)
from tests.consumer.product_service_pact import PACT_FILE_NAME, write_pact


@pytest.fixture(scope="module")
def pact_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """FrontendWebsite's pact, freshly written to a private directory."""
    path = write_pact(tmp_path_factory.mktemp("pacts"))
    assert path.name == PACT_FILE_NAME
    return path


@pytest.fixture(scope="module")
def pact_json(pact_file: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(pact_file.read_text())
    return document


class RenameField:
    """ASGI middleware renaming a key in JSON responses: a provider-side breaking change."""

    def __init__(self, app: ASGIApp, old: str, new: str) -> None:
        self.app = app
        self.old = old
        self.new = new

    def rename(self, value: object) -> object:
        if isinstance(value, list):
            return [self.rename(item) for item in value]
        if isinstance(value, dict):
            return {(self.new if k == self.old else k): self.rename(v) for k, v in value.items()}
        return value

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        start: Message = {}
        chunks: list[bytes] = []

        async def rewrite(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = json.dumps(self.rename(json.loads(b"".join(chunks)))).encode()
            headers = [(k, v) for k, v in start["headers"] if k != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, rewrite)


def renaming(old: str, new: str) -> Callable[[ProductRepository], ASGIApp]:
    """An app factory for ProductService with the ``old`` field renamed to ``new``."""
    return lambda repository: RenameField(create_app(repository), old, new)


def test_the_contract_has_all_six_interactions(pact_json: dict[str, Any]) -> None:
    assert pact_json["consumer"]["name"] == "FrontendWebsite"
    assert pact_json["provider"]["name"] == "ProductService"
    assert len(pact_json["interactions"]) == 6


def test_every_provider_state_in_the_contract_has_a_handler(pact_json: dict[str, Any]) -> None:
    used = {state["name"] for i in pact_json["interactions"] for state in i["providerStates"]}

    assert used == set(PROVIDER_STATES)


def test_provider_honours_the_contract(pact_file: Path) -> None:
    result = verify_local_pacts(pact_file.parent)

    assert result.passed, result.output
    outcomes = {i["description"]: i["result"] for i in result.results["interactionResults"]}
    assert len(outcomes) == 6
    assert set(outcomes.values()) == {"OK"}


def test_renaming_a_field_the_consumer_reads_breaks_the_contract(pact_file: Path) -> None:
    result = verify_local_pacts(pact_file, app_factory=renaming("name", "title"))

    assert not result.passed
    mismatches = [line for line in result.output.splitlines() if "missing" in line]
    assert mismatches
    assert all("name" in line for line in mismatches), result.output
    failed = {i["description"] for i in result.results["interactionResults"] if i["result"] != "OK"}
    assert failed == {"get all products", "get product with ID 10"}


def test_renaming_a_field_the_consumer_ignores_keeps_the_contract(pact_file: Path) -> None:
    result = verify_local_pacts(pact_file, app_factory=renaming("version", "revision"))

    assert result.passed, result.output


def test_verifier_restores_the_catalogue_after_each_state(pact_file: Path) -> None:
    served: list[ProductRepository] = []

    def app_factory(repository: ProductRepository) -> ASGIApp:
        served.append(repository)
        return create_app(repository)

    result = verify_local_pacts(pact_file, app_factory=app_factory)

    assert result.passed, result.output
    assert served[0].all() == list(DEFAULT_PRODUCTS)


def test_a_directory_without_pacts_for_the_provider_does_not_pass(tmp_path: Path) -> None:
    result = verify_local_pacts(tmp_path)

    assert not result.passed
    assert "No interactions" in result.output


def test_a_missing_pact_source_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        verify_local_pacts(tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("state", "ids"),
    [
        ("products exist", ["09", "10", "11"]),
        ("no products exist", []),
        ("product with ID 10 exists", ["10"]),
        ("product with ID 11 does not exist", ["09", "10"]),
    ],
)
def test_state_handlers_seed_then_restore(state: str, ids: list[str]) -> None:
    repository = ProductRepository()
    handler = state_handlers(repository)[state]

    handler(action="setup", parameters=None)
    assert [p.id for p in repository.all()] == ids

    handler(action="teardown", parameters=None)
    assert repository.all() == list(DEFAULT_PRODUCTS)


def test_fresh_authorization_replaces_a_stale_token_and_keeps_a_missing_one() -> None:
    with serve_app(FreshAuthorizationMiddleware(create_app())) as base_url:
        stale = {"Authorization": "Bearer 2019-01-14T11:34:18.045Z"}
        assert httpx.get(f"{base_url}/products", headers=stale).status_code == 200
        assert httpx.get(f"{base_url}/products").status_code == 401


@pytest.mark.parametrize(
    "header",
    ["Bearer SCHEMATHESIS-INVALID-VALUE", "Basic dXNlcjpwYXNz", "Bearer", "2019-01-14T11:34:18Z"],
)
def test_fresh_authorization_leaves_credentials_that_are_no_token_to_be_refused(
    header: str,
) -> None:
    with serve_app(FreshAuthorizationMiddleware(create_app())) as base_url:
        response = httpx.get(f"{base_url}/products", headers={"Authorization": header})

    assert response.status_code == 401, "only the expiry is defeated, not authentication"


def test_the_adapter_offers_credentials_to_clients_that_bring_none() -> None:
    with served_for_verification() as served:
        response = httpx.get(f"{served.base_url}/products", headers=dict(served.headers))

    assert response.status_code == 200
    assert set(served.headers) == {"Authorization"}
