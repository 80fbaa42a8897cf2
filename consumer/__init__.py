"""FrontendWebsite's API layer: a typed client of ProductService.

This is production code and knows nothing about Pact; the contract tests in
``tests/consumer`` exercise it against a Pact mock server.
"""

from __future__ import annotations

from consumer.client import (
    Product,
    ProductClient,
    ProductServiceError,
    TokenFactory,
    UnauthorizedError,
    iso_timestamp_token,
)

__all__ = [
    "Product",
    "ProductClient",
    "ProductServiceError",
    "TokenFactory",
    "UnauthorizedError",
    "iso_timestamp_token",
]
