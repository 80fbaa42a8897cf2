"""In-memory product storage.

The service has no database: products live in a [`ProductRepository`][] that is created
per application. Keeping it a small object (rather than a module-level dict) lets each
test, and each provider-state handler during Pact verification, seed exactly the data an
interaction expects without leaking into other applications in the same process.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from provider.models import Product

DEFAULT_PRODUCTS: tuple[Product, ...] = (
    Product(id="09", type="CREDIT_CARD", name="Gem Visa", version="v1"),
    Product(id="10", type="CREDIT_CARD", name="28 Degrees", version="v1"),
    Product(id="11", type="PERSONAL_LOAN", name="MyFlexiPay", version="v2"),
)
"""The catalogue the service starts with (the Pact workshop's three products)."""


class ProductRepository:
    """A thread-safe, replaceable collection of products keyed by id.

    During verification the app is served by uvicorn in one thread while pact's state
    callback server seeds the repository from another, so every access takes a lock.
    """

    def __init__(self, products: Iterable[Product] | None = None) -> None:
        """Create a repository.

        Args:
            products: Initial contents; defaults to [`DEFAULT_PRODUCTS`][] so that a
                freshly started service has the workshop catalogue.
        """
        self._lock = threading.Lock()
        self._products: dict[str, Product] = {}
        self.replace(DEFAULT_PRODUCTS if products is None else products)

    def all(self) -> list[Product]:
        """Return every product, in insertion order.

        Returns:
            A new list, so callers may not mutate the repository through it.
        """
        with self._lock:
            return list(self._products.values())

    def get(self, product_id: str) -> Product | None:
        """Look up one product.

        Args:
            product_id: The product's id.

        Returns:
            The product, or ``None`` if no product has that id.
        """
        with self._lock:
            return self._products.get(product_id)

    def replace(self, products: Iterable[Product]) -> None:
        """Replace the whole catalogue, which is what provider states need.

        Args:
            products: The new contents. A later product with the same id as an earlier
                one wins.
        """
        new = {product.id: product for product in products}
        with self._lock:
            self._products = new

    def reset(self) -> None:
        """Restore [`DEFAULT_PRODUCTS`][], undoing whatever a provider state seeded."""
        self.replace(DEFAULT_PRODUCTS)
