"""ProductService: the provider side of the FrontendWebsite → ProductService contract.

The service is a small FastAPI application (see [`provider.app`][provider.app]) backed by
an in-memory repository (see [`provider.repository`][provider.repository]) so that
provider-state handlers can seed it during Pact verification. Everything verification
needs lives in [`provider.verification`][provider.verification]; it is kept out of this
package's import path so that running the service never imports pact.
"""

from __future__ import annotations

from provider.app import create_app
from provider.models import Product
from provider.repository import DEFAULT_PRODUCTS, ProductRepository

__all__ = ["DEFAULT_PRODUCTS", "Product", "ProductRepository", "create_app"]
