"""FrontendWebsite's expectations of ProductService, as Pact interactions.

The interactions live here, apart from the tests that exercise them, so that the
provider's tests can build the very same pact (into a temporary directory) without
depending on the consumer tests having run first.

The expectations use matchers rather than literal values wherever the website does not
care about the exact value: the provider may return any product with string ``id``,
``type`` and ``name``, any fresh ``Authorization`` timestamp is acceptable, and the
content type only has to be JSON (FastAPI sends ``application/json`` without the
workshop's ``; charset=utf-8``).

Every interaction has its own description: given the workshop's two "get all products"
interactions (same description, different states), the Pact FFI (0.5.x) kept only one.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from pact import Pact, match

CONSUMER = "FrontendWebsite"
PROVIDER = "ProductService"
PACT_FILE_NAME = f"{CONSUMER}-{PROVIDER}.json"

AUTHORIZATION = match.regex(
    "Bearer 2019-01-14T11:34:18.045Z",
    regex=r"^Bearer \d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$",
)
"""Any ``Bearer <ISO-8601 timestamp>``; the example is the workshop's."""

JSON_CONTENT_TYPE = match.regex(
    "application/json", regex=r"^application/json(\s*;\s*charset=utf-8)?$"
)

PRODUCT_09 = {"id": "09", "type": "CREDIT_CARD", "name": "Gem Visa"}
PRODUCT_10 = {"id": "10", "type": "CREDIT_CARD", "name": "28 Degrees"}

Define = Callable[[Pact], None]
"""Adds one interaction to a pact."""


def new_pact() -> Pact:
    """Return an empty FrontendWebsite → ProductService pact (V4 specification)."""
    return Pact(CONSUMER, PROVIDER).with_specification("V4")


def products_exist(pact: Pact) -> None:
    """GET /products with a token, when there are products → a non-empty list."""
    (
        pact.upon_receiving("get all products")
        .given("products exist")
        .with_request("GET", "/products")
        .with_header("Authorization", AUTHORIZATION)
        .will_respond_with(200)
        .with_header("Content-Type", JSON_CONTENT_TYPE)
        .with_body(match.each_like(PRODUCT_09), content_type="application/json")
    )


def no_products_exist(pact: Pact) -> None:
    """GET /products with a token, when there are none → an empty list."""
    (
        pact.upon_receiving("get all products when there are none")
        .given("no products exist")
        .with_request("GET", "/products")
        .with_header("Authorization", AUTHORIZATION)
        .will_respond_with(200)
        .with_header("Content-Type", JSON_CONTENT_TYPE)
        # A JSON string: pact-python's with_body() type only admits objects and matchers.
        .with_body("[]", content_type="application/json")
    )


def products_without_token(pact: Pact) -> None:
    """GET /products without a token → 401."""
    (
        pact.upon_receiving("get all products with no auth token")
        .given("products exist")
        .with_request("GET", "/products")
        .will_respond_with(401)
    )


def product_10_exists(pact: Pact) -> None:
    """GET /product/10 with a token → that product."""
    (
        pact.upon_receiving("get product with ID 10")
        .given("product with ID 10 exists")
        .with_request("GET", "/product/10")
        .with_header("Authorization", AUTHORIZATION)
        .will_respond_with(200)
        .with_header("Content-Type", JSON_CONTENT_TYPE)
        .with_body(match.like(PRODUCT_10), content_type="application/json")
    )


def product_11_does_not_exist(pact: Pact) -> None:
    """GET /product/11 with a token, when it does not exist → 404."""
    (
        pact.upon_receiving("get product with ID 11")
        .given("product with ID 11 does not exist")
        .with_request("GET", "/product/11")
        .with_header("Authorization", AUTHORIZATION)
        .will_respond_with(404)
    )


def product_without_token(pact: Pact) -> None:
    """GET /product/10 without a token → 401."""
    (
        pact.upon_receiving("get product by ID 10 with no auth token")
        .given("product with ID 10 exists")
        .with_request("GET", "/product/10")
        .will_respond_with(401)
    )


INTERACTIONS: tuple[Define, ...] = (
    products_exist,
    no_products_exist,
    products_without_token,
    product_10_exists,
    product_11_does_not_exist,
    product_without_token,
)
"""Every interaction of the contract, in the order the consumer tests define them."""


def default_pact_dir() -> Path:
    """Where the consumer tests write the pact: ``$PACT_DIR``, else the repo's ``pacts/``."""
    configured = os.environ.get("PACT_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "pacts"


def write_pact(directory: Path) -> Path:
    """Write the whole contract into ``directory``, replacing any earlier file.

    Args:
        directory: Destination; created if missing.

    Returns:
        The pact file's path.
    """
    pact = new_pact()
    for define in INTERACTIONS:
        define(pact)
    pact.write_file(directory, overwrite=True)
    return directory / PACT_FILE_NAME
