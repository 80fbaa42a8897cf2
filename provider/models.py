"""Pydantic models of what ProductService returns.

They are the single description of the wire format: FastAPI validates every response
against them and publishes them in the OpenAPI schema, so a change here is a change to
the contract that consumers' pacts check.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Product(BaseModel):
    """A financial product offered to customers.

    Frozen so that a product handed out by the repository cannot be changed behind its
    back by a route or a test.

    Attributes:
        id: Stable identifier, a zero-padded string such as ``"09"``.
        type: Product category, e.g. ``"CREDIT_CARD"`` or ``"PERSONAL_LOAN"``.
        name: Marketing name shown to customers.
        version: Revision of the product definition, e.g. ``"v1"``.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    type: str
    name: str
    version: str


class UnauthorizedResponse(BaseModel):
    """Body of a 401 answer; the shape is the workshop's ``{"error": "Unauthorized"}``."""

    error: str = "Unauthorized"


class NotFoundResponse(BaseModel):
    """Body of a 404 answer; the shape is the workshop's ``{"message": "Product not found"}``."""

    message: str = "Product not found"
