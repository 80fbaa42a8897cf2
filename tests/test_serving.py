"""Serving an ASGI app in-process, and building a verifier for a served provider."""

from __future__ import annotations

import time

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from pact_pipeline.errors import ConfigurationError
from pact_pipeline.serving import free_port, serve_app
from pact_pipeline.verifier import ServedProvider, load_adapter, make_verifier


async def hello(request: Request) -> JSONResponse:
    return JSONResponse({"hello": request.url.path})


APP = Starlette(routes=[Route("/hello", hello)])


def test_serve_app_runs_the_app_until_the_block_ends() -> None:
    with serve_app(APP) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{base_url}/hello").json() == {"hello": "/hello"}

    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base_url}/hello")


def test_serve_app_answers_without_the_nagle_stall() -> None:
    """Without TCP_NODELAY on the socket serve_app() binds, every response waited for the
    client's delayed ACK: ~44 ms a request instead of well under one. The fastest of a few
    keep-alive requests is compared with half that stall, far from either side's noise."""
    with serve_app(APP) as base_url, httpx.Client(base_url=base_url) as client:
        client.get("/hello")  # connect, warm up
        fastest = min(_elapsed(client, "/hello") for _ in range(8))

    assert fastest < 0.02, f"fastest of 8 requests took {fastest * 1000:.1f} ms"


def _elapsed(client: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    client.get(path)
    return time.perf_counter() - started


async def failing_startup(scope: Scope, receive: Receive, send: Send) -> None:
    """An ASGI app whose lifespan start-up fails."""
    assert scope["type"] == "lifespan"
    await receive()
    await send({"type": "lifespan.startup.failed", "message": "database unreachable"})


def test_serve_app_reports_an_app_that_cannot_start() -> None:
    with pytest.raises(RuntimeError, match="stopped before serving"), serve_app(failing_startup):
        pytest.fail("serve_app() should not yield")


def test_free_port_is_bindable() -> None:
    port = free_port()

    with serve_app(APP):
        assert 0 < port < 65536


def test_a_verifier_needs_a_served_host() -> None:
    with pytest.raises(ConfigurationError, match="has no host"):
        make_verifier("Api", ServedProvider(base_url="/products", state_handlers={}))


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("provider.verification", "must be 'module:function'"),
        ("no_such_module_here:serve", "cannot import the provider adapter"),
        ("provider.verification:no_such_function", "is not a function in provider.verification"),
    ],
)
def test_a_provider_adapter_that_cannot_load_is_named(spec: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        load_adapter(spec)
