"""The ProductService HTTP API.

Two read-only routes, as in the Pact workshop: ``GET /products`` and
``GET /product/{id}``. Both require a fresh bearer timestamp (see [`provider.auth`][]).

Run it on its own with::

    uvicorn provider.app:app --port 8080

The module-level [`app`][] exists only for that command; code and tests build their own
instance with [`create_app`][] so that each gets its own repository.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from provider.auth import NotAuthorizedError, require_fresh_token
from provider.models import NotFoundResponse, Product, UnauthorizedResponse
from provider.repository import ProductRepository


class ProductNotFoundError(Exception):
    """Raised by a route when the requested product does not exist."""


def get_repository(request: Request) -> ProductRepository:
    """FastAPI dependency returning the repository of the app serving the request.

    Routes read the repository from ``app.state`` rather than from a closure so that
    tests can swap it with ``app.dependency_overrides`` if they need to.

    Args:
        request: The current request.

    Returns:
        The app's [`ProductRepository`][provider.repository.ProductRepository].
    """
    repository: ProductRepository = request.app.state.repository
    return repository


async def _unauthorized(_request: Request, _exc: Exception) -> JSONResponse:
    """Answer 401 in the workshop's shape, plus the RFC 6750 challenge header."""
    return JSONResponse(
        status_code=401,
        content=UnauthorizedResponse().model_dump(),
        headers={"WWW-Authenticate": "Bearer"},
    )


async def _not_found(_request: Request, _exc: Exception) -> JSONResponse:
    """Answer 404 in the workshop's shape."""
    return JSONResponse(status_code=404, content=NotFoundResponse().model_dump())


def create_app(repository: ProductRepository | None = None) -> FastAPI:
    """Build a ProductService application.

    Args:
        repository: Where products come from. Defaults to a new repository holding
            [`DEFAULT_PRODUCTS`][provider.repository.DEFAULT_PRODUCTS]; pass your own to
            seed data in tests or from provider-state handlers.

    Returns:
        The FastAPI application. Its repository is also reachable as
        ``app.state.repository``.
    """
    app = FastAPI(
        title="ProductService",
        version="1.0.0",
        description="Products offered by the bank (the Pact workshop's provider).",
        dependencies=[Depends(require_fresh_token)],
        responses={401: {"model": UnauthorizedResponse, "description": "Missing or stale token"}},
    )
    app.state.repository = repository if repository is not None else ProductRepository()
    app.add_exception_handler(NotAuthorizedError, _unauthorized)
    app.add_exception_handler(ProductNotFoundError, _not_found)

    @app.get("/products", response_model=list[Product], summary="List all products")
    async def list_products(
        repo: ProductRepository = Depends(get_repository),
    ) -> list[Product]:
        """Return every product in the catalogue (possibly none)."""
        return repo.all()

    @app.get(
        "/product/{product_id}",
        response_model=Product,
        summary="Get one product",
        responses={404: {"model": NotFoundResponse, "description": "Unknown product id"}},
    )
    async def get_product(
        product_id: str,
        repo: ProductRepository = Depends(get_repository),
    ) -> Product:
        """Return the product with the given id, or 404."""
        product = repo.get(product_id)
        if product is None:
            raise ProductNotFoundError(product_id)
        return product

    return app


app = create_app()
"""The application ``uvicorn provider.app:app`` serves."""
