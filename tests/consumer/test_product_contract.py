"""Contract tests of FrontendWebsite's ProductService client against a Pact mock server.

Each test runs the real [`ProductClient`][consumer.ProductClient] against a mock server
serving just one interaction, so that a request can only be matched by the interaction
it is meant to exercise. An interaction is added to the module's contract only once the
client has used it successfully; at the end of the module the contract is written to
``pacts/FrontendWebsite-ProductService.json`` (or ``$PACT_DIR``), replacing the previous
file, because ``Pact.write_file`` would otherwise merge stale interactions into it.

A single ``Pact`` cannot serve every test: pact-python 4 locks a pact once its mock
server has started, so later interactions could not be added to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from pact import Pact

from consumer import Product, ProductClient, UnauthorizedError
from tests.consumer.product_service_pact import (
    PACT_FILE_NAME,
    Define,
    default_pact_dir,
    new_pact,
    no_products_exist,
    product_10_exists,
    product_11_does_not_exist,
    product_without_token,
    products_exist,
    products_without_token,
)


@pytest.fixture(scope="module")
def contract(request: pytest.FixtureRequest) -> Iterator[Pact]:
    """The pact this module writes, holding every interaction the client honoured.

    If any test of the module failed, no pact is written and an earlier one is removed:
    a contract the consumer does not itself satisfy must not reach the broker.
    """
    pact = new_pact()
    failures_before = request.session.testsfailed
    yield pact
    directory = default_pact_dir()
    if request.session.testsfailed > failures_before:
        (directory / PACT_FILE_NAME).unlink(missing_ok=True)
        return
    pact.write_file(directory, overwrite=True)


@contextmanager
def product_service(
    contract: Pact, define: Define, *, authenticated: bool = True
) -> Iterator[ProductClient]:
    """Serve one interaction and yield a client of it; record it if the test passes.

    Args:
        contract: The module's contract.
        define: Adds the interaction under test to a pact.
        authenticated: Whether the client sends a token (``False`` models a
            signed-out website).

    Yields:
        A client pointed at the mock server.
    """
    pact = new_pact()
    define(pact)
    with pact.serve() as server:
        if authenticated:
            client = ProductClient(str(server.url))
        else:
            client = ProductClient(str(server.url), token_factory=None)
        with client:
            yield client
    # Reached only if the test body passed and the mock server saw exactly what the
    # interaction expects (leaving `serve()` raises MismatchesError otherwise).
    define(contract)


def test_get_all_products(contract: Pact) -> None:
    with product_service(contract, products_exist) as client:
        products = client.get_products()

    assert products == [Product(id="09", type="CREDIT_CARD", name="Gem Visa")]


def test_get_all_products_when_there_are_none(contract: Pact) -> None:
    with product_service(contract, no_products_exist) as client:
        products = client.get_products()

    assert products == []


def test_get_all_products_without_a_token_is_unauthorized(contract: Pact) -> None:
    with (
        product_service(contract, products_without_token, authenticated=False) as client,
        pytest.raises(UnauthorizedError),
    ):
        client.get_products()


def test_get_product_by_id(contract: Pact) -> None:
    with product_service(contract, product_10_exists) as client:
        product = client.get_product("10")

    assert product == Product(id="10", type="CREDIT_CARD", name="28 Degrees")


def test_get_missing_product_returns_none(contract: Pact) -> None:
    with product_service(contract, product_11_does_not_exist) as client:
        product = client.get_product("11")

    assert product is None


def test_get_product_without_a_token_is_unauthorized(contract: Pact) -> None:
    with (
        product_service(contract, product_without_token, authenticated=False) as client,
        pytest.raises(UnauthorizedError),
    ):
        client.get_product("10")
