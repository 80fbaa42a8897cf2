"""HTTP client for ProductService, as used by FrontendWebsite.

The client reads only the fields the website displays (id, type, name) and ignores the
rest, so the provider may add fields, or change ones we do not read (such as
``version``), without breaking us. That tolerance is also what the consumer's pact
promises: it only asks for what [`Product`][] holds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Self
from urllib.parse import quote

import httpx

TokenFactory = Callable[[], str]
"""Returns the bearer token to send with a request."""


def iso_timestamp_token() -> str:
    """Return the current UTC time as the token ProductService expects.

    The format is JavaScript's ``Date.toISOString()`` (``2024-05-01T12:00:00.000Z``),
    which is what the Pact workshop's website sends.

    Returns:
        An ISO-8601 timestamp with millisecond precision and a ``Z`` suffix.
    """
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Product:
    """A product as the website shows it.

    Attributes:
        id: Product id, e.g. ``"10"``.
        type: Product category, e.g. ``"CREDIT_CARD"``.
        name: Display name, e.g. ``"28 Degrees"``.
    """

    id: str
    type: str
    name: str

    @classmethod
    def from_json(cls, data: object) -> Product:
        """Build a product from a decoded JSON object, ignoring fields we do not use.

        Args:
            data: One element of the service's JSON answer.

        Returns:
            The product.

        Raises:
            ProductServiceError: If ``data`` is not an object with string ``id``,
                ``type`` and ``name``.
        """
        if not isinstance(data, Mapping):
            msg = f"Expected a product object, got {type(data).__name__}"
            raise ProductServiceError(msg)
        fields: dict[str, str] = {}
        for key in ("id", "type", "name"):
            value = data.get(key)
            if not isinstance(value, str):
                msg = f"Product field {key!r} should be a string, got {value!r}"
                raise ProductServiceError(msg)
            fields[key] = value
        return cls(**fields)


class ProductServiceError(Exception):
    """ProductService answered something this client cannot use."""


class UnauthorizedError(ProductServiceError):
    """ProductService rejected our credentials (HTTP 401): missing or expired token."""


class ProductClient:
    """Typed access to ProductService's ``/products`` and ``/product/{id}``.

    Use it as a context manager, or call [`close`][ProductClient.close], to release the
    connection pool.
    """

    def __init__(
        self,
        base_url: str,
        *,
        token_factory: TokenFactory | None = iso_timestamp_token,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        """Create a client.

        Args:
            base_url: Root URL of ProductService, e.g. ``http://localhost:8080``.
            token_factory: Called before each request for a fresh bearer token (the
                service rejects tokens older than an hour, so one token cannot be reused
                for long). ``None`` sends no ``Authorization`` header, as a signed-out
                website would.
            timeout: Seconds to wait for the service.
            transport: An httpx transport, e.g. ``httpx.MockTransport`` in unit tests.
        """
        self._token_factory = token_factory
        self._http = httpx.Client(
            base_url=base_url,
            timeout=timeout,
            transport=transport,
            headers={"Accept": "application/json"},
        )

    def __enter__(self) -> Self:
        """Return the client itself."""
        return self

    def __exit__(self, *_exception: object) -> None:
        """Close the client."""
        self.close()

    def close(self) -> None:
        """Close the underlying connection pool."""
        self._http.close()

    def get_products(self) -> list[Product]:
        """Fetch every product.

        Returns:
            The products, possibly none.

        Raises:
            UnauthorizedError: If the service answered 401.
            ProductServiceError: On any other unexpected answer.
        """
        response = self._get("/products")
        self._raise_for_status(response)
        body = self._json(response)
        if not isinstance(body, list):
            msg = f"Expected a list of products, got {type(body).__name__}"
            raise ProductServiceError(msg)
        return [Product.from_json(item) for item in body]

    def get_product(self, product_id: str) -> Product | None:
        """Fetch one product.

        Args:
            product_id: The product's id.

        Returns:
            The product, or ``None`` if the service does not know it (404).

        Raises:
            UnauthorizedError: If the service answered 401.
            ProductServiceError: On any other unexpected answer.
        """
        response = self._get(f"/product/{quote(product_id, safe='')}")
        if response.status_code == httpx.codes.NOT_FOUND:
            return None
        self._raise_for_status(response)
        return Product.from_json(self._json(response))

    def _get(self, path: str) -> httpx.Response:
        headers: dict[str, str] = {}
        if self._token_factory is not None:
            headers["Authorization"] = f"Bearer {self._token_factory()}"
        return self._http.get(path, headers=headers)

    @staticmethod
    def _raise_for_status(response: httpx.Response) -> None:
        if response.status_code == httpx.codes.UNAUTHORIZED:
            msg = f"ProductService refused {response.request.url.path}: missing or expired token"
            raise UnauthorizedError(msg)
        if response.status_code != httpx.codes.OK:
            msg = (
                f"ProductService answered {response.status_code} "
                f"to {response.request.url.path}: {response.text[:200]}"
            )
            raise ProductServiceError(msg)

    @staticmethod
    def _json(response: httpx.Response) -> object:
        try:
            return response.json()
        except ValueError as exc:
            msg = f"ProductService sent invalid JSON for {response.request.url.path}"
            raise ProductServiceError(msg) from exc
