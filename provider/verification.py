"""What Pact provider verification of ProductService needs.

Provider verification replays every interaction of a consumer's pact against the real
service and checks the responses. Three things about ProductService make that more than
"start the app and point a `Verifier` at it", and this module owns all three so that
the local tests and the pipeline's ``verify`` stage share one implementation:

1.  **The app must run in this process.** pact-python runs Python provider-state
    handlers in a callback server inside the verifying process, and the handlers seed
    the app's in-memory [`ProductRepository`][provider.repository.ProductRepository].
    So [`serve`][] runs uvicorn in a daemon thread, not in a subprocess.
2.  **Provider states seed the repository.** [`state_handlers`][] maps each state the
    FrontendWebsite pact uses to a handler that replaces the catalogue on ``setup`` and
    restores the default one on ``teardown``.
3.  **Auth tokens expire.** A pact records ``Authorization: Bearer <timestamp>`` from
    the day the consumer tests ran; replayed later it is stale and the service rightly
    answers 401. The Pact workshop fixes this with a verifier *request filter*, which
    pact-python 4 does not have (and ``Verifier.add_custom_header`` would add the header
    to the "no auth token" interactions too). [`FreshAuthorizationMiddleware`][] does the
    same job inside the served app: it refreshes a present ``Authorization`` header and
    leaves an absent one absent, so the 401 interactions still hold.

Typical use, for a broker source::

    with running_provider() as provider:
        verifier = provider.verifier()
        verifier.broker_source(broker_url)  # or .add_source(path_or_url)
        verifier.verify()  # raises RuntimeError on failure; see verifier.output()

and for local pact files, [`verify_local_pacts`][] does all of that and reports a
[`VerificationResult`][] instead of raising.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

import uvicorn
from pact import Verifier
from starlette.types import ASGIApp, Receive, Scope, Send

from provider.app import create_app
from provider.models import Product
from provider.repository import DEFAULT_PRODUCTS, ProductRepository

PROVIDER_NAME = "ProductService"
"""The pacticipant name consumers use for this service in their pacts."""

DEFAULT_STARTUP_TIMEOUT = 10.0
"""Seconds [`serve`][] waits for uvicorn to accept connections."""

StateAction = Literal["setup", "teardown"]


class StateHandler(Protocol):
    """A provider-state handler in the form pact-python 4 calls for a dict of states.

    pact-python passes arguments **by name** (``pact._util.apply_args``), so the
    parameters must be called ``action`` and ``parameters``.
    """

    def __call__(self, action: StateAction, parameters: dict[str, Any] | None) -> None:
        """Set up (``action == "setup"``) or tear down the state."""


AppFactory = Callable[[ProductRepository], ASGIApp]
"""Builds the app under test around a repository; [`create_app`][provider.app.create_app]
by default. A different factory lets a test verify a variant of the service."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class FreshAuthorizationMiddleware:
    """ASGI middleware replacing a present ``Authorization`` header with a fresh token.

    This is the Pact workshop's verifier request filter, moved into the app because
    pact-python 4 has no request filter. Use it only when serving for verification:
    it deliberately defeats the expiry check.
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
            if any(name == b"authorization" for name, _ in headers):
                fresh = f"Bearer {self.clock().isoformat()}".encode("latin-1")
                scope = dict(scope)
                scope["headers"] = [
                    (name, fresh if name == b"authorization" else value) for name, value in headers
                ]
        await self.app(scope, receive, send)


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


@contextmanager
def serve(
    app: ASGIApp,
    host: str = "127.0.0.1",
    *,
    startup_timeout: float = DEFAULT_STARTUP_TIMEOUT,
) -> Iterator[str]:
    """Run an ASGI app with uvicorn in a daemon thread of this process.

    The listening socket is bound before uvicorn starts (to port 0), so there is no
    window in which another process can take the port between choosing and using it.

    Args:
        app: The ASGI application.
        host: Interface to listen on. The verifier must be given the same host.
        startup_timeout: Seconds to wait for the server to be ready.

    Yields:
        The base URL, e.g. ``http://127.0.0.1:54321``.

    Raises:
        RuntimeError: If the server stopped or was not ready within ``startup_timeout``
            (for example because the app's lifespan startup failed).
    """
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit TCP_NODELAY from the listening socket. uvicorn sets it
    # only on sockets it binds itself; without it, Nagle's algorithm holds back each
    # response's body behind its headers until the client's delayed ACK (~40 ms).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, 0))
    port: int = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_config=None,  # leave the host process's logging configuration alone
        log_level="warning",
        access_log=False,
        lifespan="auto",
        ws="none",
    )
    server = uvicorn.Server(config)
    failure: list[BaseException] = []

    def run() -> None:
        # uvicorn exits a failed startup with sys.exit(); keep it (and anything else)
        # from escaping the thread so the caller can report it instead.
        try:
            server.run(sockets=[sock])
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=run, name=f"uvicorn-{host}:{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive():
                cause = failure[0] if failure else None
                msg = f"uvicorn stopped before serving on {host}:{port}"
                raise RuntimeError(msg) from cause
            if time.monotonic() > deadline:
                msg = f"uvicorn was not ready on {host}:{port} after {startup_timeout}s"
                raise RuntimeError(msg)
            time.sleep(0.01)
        url_host = f"[{host}]" if ":" in host else host
        yield f"http://{url_host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=startup_timeout)
        sock.close()


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


def make_verifier(
    base_url: str,
    *,
    repository: ProductRepository,
    name: str = PROVIDER_NAME,
) -> Verifier:
    """Create a Verifier for a served ProductService, with its state handlers.

    Add the pacts to check (``add_source`` or ``broker_source``) and, in CI, publishing
    options; then call ``verify()``.

    Args:
        base_url: Where the app is served (from [`serve`][]).
        repository: The repository of that app, for the state handlers.
        name: Provider name as it appears in the pacts.

    Returns:
        The configured Verifier. Its host is taken from ``base_url``, because
        pact-python rejects a transport URL whose host differs from the Verifier's.

    Raises:
        ValueError: If ``base_url`` has no host.
    """
    host = urlsplit(base_url).hostname
    if not host:
        msg = f"base_url has no host: {base_url!r}"
        raise ValueError(msg)
    return (
        Verifier(name, host=host)
        .add_transport(url=base_url)
        .state_handler(state_handlers(repository), teardown=True)
    )


@dataclass(frozen=True)
class RunningProvider:
    """A ProductService being served for verification (see [`running_provider`][]).

    Attributes:
        base_url: Where it is served.
        repository: Its repository, which the state handlers seed.
    """

    base_url: str
    repository: ProductRepository

    def verifier(self, name: str = PROVIDER_NAME) -> Verifier:
        """Create a Verifier for this provider; see [`make_verifier`][]."""
        return make_verifier(self.base_url, repository=self.repository, name=name)


@contextmanager
def running_provider(
    app_factory: AppFactory = create_app,
    *,
    host: str = "127.0.0.1",
) -> Iterator[RunningProvider]:
    """Serve a fresh ProductService for verification.

    Args:
        app_factory: Builds the service around a new repository.
        host: Interface to listen on.

    Yields:
        The running provider; it stops when the block exits.
    """
    repository = ProductRepository()
    with serve(verification_app(repository, app_factory), host) as base_url:
        yield RunningProvider(base_url=base_url, repository=repository)


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
    with running_provider(app_factory) as provider:
        verifier = provider.verifier(name).add_source(source)
        try:
            verifier.verify()
        except RuntimeError:
            passed = False
        else:
            passed = True
        output = str(verifier.output(strip_ansi=True))
        results = verifier.results
    if passed and not results.get("interactionResults"):
        # The verifier passes when it finds nothing to verify (even with
        # set_error_on_empty_pact); a contract check that checked nothing is a failure.
        passed = False
        output += f"No interactions for provider {name!r} found in {source}\n"
    return VerificationResult(passed=passed, output=output, results=results)
