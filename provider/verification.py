"""ProductService's provider adapter: what Pact verification of this service needs.

The pipeline verifies a provider through an *adapter* named in the configuration
(`pipeline.provider.adapter: provider.verification:served_for_verification`): a function
returning a context manager that serves the app in this process and yields its base URL and
provider-state handlers ([`ServedProvider`][pact_pipeline.verifier.ServedProvider]). The
pipeline builds and runs the verifier. Three things about ProductService shape the adapter:

1.  **The app runs in this process.** pact-python calls Python provider-state handlers in
    the verifying process, and the handlers seed the app's in-memory
    [`ProductRepository`][provider.repository.ProductRepository]; so the app is served in a
    thread ([`pact_pipeline.serving.serve_app`][pact_pipeline.serving.serve_app]).
2.  **Provider states seed the repository.** [`state_handlers`][] maps each state the
    FrontendWebsite pact uses to a handler that replaces the catalogue on ``setup`` and
    restores the default one on ``teardown``.
3.  **Auth tokens expire.** A pact records ``Authorization: Bearer <timestamp>`` from
    the day the consumer tests ran; replayed later it is stale and the service rightly
    answers 401. The Pact workshop fixes this with a verifier *request filter*, which
    pact-python 4 does not have (and ``Verifier.add_custom_header`` would add the header
    to the "no auth token" interactions too). [`FreshAuthorizationMiddleware`][] does the
    same job inside the served app: it refreshes a present timestamp token and leaves an
    absent or malformed one as it is, so the 401 interactions still hold (and a fuzzer's
    invalid credentials are still refused).

The adapter also yields a fresh token as the headers a client without credentials of its
own sends: the provider contract's self-verification (schemathesis) uses them.

For local pact files, [`verify_local_pacts`][] serves the app, verifies and reports a
[`VerificationResult`][] instead of raising.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from pact_pipeline.serving import serve_app
from pact_pipeline.verifier import (
    ServedProvider,
    StateAction,
    StateHandler,
    make_verifier,
    run,
)
from provider.app import create_app
from provider.auth import parse_timestamp_token
from provider.models import Product
from provider.repository import DEFAULT_PRODUCTS, ProductRepository

PROVIDER_NAME = "ProductService"
"""The pacticipant name consumers use for this service in their pacts."""

AppFactory = Callable[[ProductRepository], ASGIApp]
"""Builds the app under test around a repository; [`create_app`][provider.app.create_app]
by default. A different factory lets a test verify a variant of the service."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class FreshAuthorizationMiddleware:
    """ASGI middleware replacing a present, possibly stale, timestamp token with a fresh one.

    This is the Pact workshop's verifier request filter, moved into the app because
    pact-python 4 has no request filter. Use it only when serving for verification:
    it deliberately defeats the expiry check. Only the expiry: a header that is not
    ``Bearer <timestamp>`` is left as it is, and refused by the service.
    """

    def __init__(self, app: ASGIApp, *, clock: Callable[[], datetime] = _utc_now) -> None:
        """Wrap an app.

        Args:
            app: The ASGI app under verification.
            clock: Source of "now" for the fresh token; injectable for tests.
        """
        self.app = app
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refresh the header of an HTTP request, then hand it to the wrapped app."""
        if scope["type"] == "http":
            headers: list[tuple[bytes, bytes]] = list(scope["headers"])
            if any(name == b"authorization" and _is_timestamp(value) for name, value in headers):
                fresh = f"Bearer {self.clock().isoformat()}".encode("latin-1")
                scope = dict(scope)
                scope["headers"] = [
                    (name, fresh if name == b"authorization" and _is_timestamp(value) else value)
                    for name, value in headers
                ]
        await self.app(scope, receive, send)


def _is_timestamp(header: bytes) -> bool:
    """Whether an ``Authorization`` value is ``Bearer <ISO-8601 timestamp>``, fresh or not."""
    scheme, _, token = header.decode("latin-1").partition(" ")
    return scheme.lower() == "bearer" and parse_timestamp_token(token) is not None


def verification_app(
    repository: ProductRepository, app_factory: AppFactory = create_app
) -> ASGIApp:
    """Build the app to serve for verification: the service plus fresh auth tokens.

    Args:
        repository: The repository the state handlers will seed.
        app_factory: Builds the service around ``repository``.

    Returns:
        The app wrapped in [`FreshAuthorizationMiddleware`][].
    """
    return FreshAuthorizationMiddleware(app_factory(repository))


def _catalogue(
    predicate: Callable[[Product], bool],
) -> Callable[[], Iterable[Product]]:
    return lambda: [product for product in DEFAULT_PRODUCTS if predicate(product)]


PROVIDER_STATES: Mapping[str, Callable[[], Iterable[Product]]] = {
    "products exist": _catalogue(lambda _: True),
    "no products exist": _catalogue(lambda _: False),
    "product with ID 10 exists": _catalogue(lambda p: p.id == "10"),
    "product with ID 11 does not exist": _catalogue(lambda p: p.id != "11"),
}
"""The provider states the FrontendWebsite pact uses, each with the catalogue it means.

Seeding the least data a state promises (e.g. only product 10 for "product with ID 10
exists") shows that an interaction passes because of its state, not by accident."""


def state_handlers(repository: ProductRepository) -> dict[str, StateHandler]:
    """Build provider-state handlers that seed a repository.

    For ``Verifier.state_handler(handlers, teardown=True)``. A state missing from the
    dict fails the interactions that use it, which is what should happen when a consumer
    starts relying on a state the provider does not know.

    Args:
        repository: The repository of the app under verification.

    Returns:
        ``{state: handler}``; each handler replaces the catalogue on ``setup`` and
        restores [`DEFAULT_PRODUCTS`][provider.repository.DEFAULT_PRODUCTS] on
        ``teardown``.
    """

    def handler_for(products: Callable[[], Iterable[Product]]) -> StateHandler:
        def handler(action: StateAction, parameters: dict[str, Any] | None) -> None:
            del parameters  # none of our states is parameterised
            if action == "setup":
                repository.replace(products())
            else:
                repository.reset()

        return handler

    return {state: handler_for(products) for state, products in PROVIDER_STATES.items()}


@contextmanager
def served_for_verification(
    app_factory: AppFactory = create_app, *, host: str = "127.0.0.1"
) -> Iterator[ServedProvider]:
    """Serve a fresh ProductService for verification: the pipeline's provider adapter.

    Args:
        app_factory: Builds the service around a new repository (a variant lets a test
            verify a changed service).
        host: Interface to listen on.

    Yields:
        The served provider, with handlers that seed its repository and a fresh token for
        clients that bring none; it stops when the block exits.
    """
    repository = ProductRepository()
    with serve_app(verification_app(repository, app_factory), host) as base_url:
        yield ServedProvider(
            base_url=base_url,
            state_handlers=state_handlers(repository),
            headers={"Authorization": f"Bearer {_utc_now().isoformat()}"},
        )


@dataclass(frozen=True)
class VerificationResult:
    """Outcome of [`verify_local_pacts`][].

    Attributes:
        passed: Whether every interaction was verified.
        output: The verifier's report, without ANSI colours; on failure it names each
            mismatch (e.g. ``$.name`` missing).
        results: The verifier's JSON results (``Verifier.results``).
    """

    passed: bool
    output: str
    results: dict[str, Any] = field(default_factory=dict)


def verify_local_pacts(
    pact_source: str | Path,
    *,
    app_factory: AppFactory = create_app,
    name: str = PROVIDER_NAME,
) -> VerificationResult:
    """Verify pact files on disk against a freshly served ProductService.

    Unlike ``Verifier.verify()``, a failed verification is returned, not raised, so
    that callers can show or assert on the report.

    Args:
        pact_source: A pact file, or a directory of them (pacts for other providers in
            it are ignored).
        app_factory: Builds the service; pass a variant to check that a change breaks
            (or keeps) the contract.
        name: Provider name as it appears in the pacts.

    Returns:
        The verification result. It has not passed if ``pact_source`` holds no
        interaction for provider ``name``: verifying nothing proves nothing.

    Raises:
        FileNotFoundError: If ``pact_source`` does not exist.
    """
    source = Path(pact_source)
    if not source.exists():
        msg = f"No pact file or directory at {source}"
        raise FileNotFoundError(msg)
    with served_for_verification(app_factory) as served:
        verifier = make_verifier(name, served).add_source(source)
        outcome = run(verifier)
        output = str(verifier.output(strip_ansi=True))
    passed, results = outcome.passed, outcome.results
    if passed and not results.get("interactionResults"):
        # The verifier passes when it finds nothing to verify (even with
        # set_error_on_empty_pact); a contract check that checked nothing is a failure.
        passed = False
        output += f"No interactions for provider {name!r} found in {source}\n"
    return VerificationResult(passed=passed, output=output, results=results)
