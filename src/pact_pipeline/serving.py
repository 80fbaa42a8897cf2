"""Serving an ASGI app in this process, on a free port, for as long as a block runs.

Provider verification needs the app in the verifying process (pact-python calls the provider
state handlers there, and they seed the app's data), so the provider adapters serve their app
with [`serve_app`][pact_pipeline.serving.serve_app]; the broker's tests serve the broker the
same way. One implementation, so every server the project starts itself gets the same
readiness wait, the same clean shutdown and `TCP_NODELAY`.
"""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING

import uvicorn

if TYPE_CHECKING:
    from collections.abc import Iterator

    from starlette.types import ASGIApp

#: Seconds [`serve_app`][pact_pipeline.serving.serve_app] waits for uvicorn to be ready.
DEFAULT_STARTUP_TIMEOUT = 10.0


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that is free on `host` right now.

    For servers that must bind the port themselves (a subprocess); another process may take
    it in between, so in-process servers use [`serve_app`][pact_pipeline.serving.serve_app],
    which keeps the socket it binds.

    Args:
        host:
            The interface.

    Returns:
        The port number.
    """
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def listening_socket(host: str, port: int = 0) -> socket.socket:
    """Bind a socket on `port` (by default a free one) of `host`, ready to hand to uvicorn.

    Accepted connections inherit `TCP_NODELAY` from the listening socket. uvicorn sets it
    only on sockets it binds itself; without it, Nagle's algorithm holds back each response
    body behind its headers until the client's delayed ACK: ~40 ms a request.

    Args:
        host:
            The interface.

        port:
            The port; 0 for a free one.

    Returns:
        The bound socket.
    """
    sock = socket.socket(_family(host))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    return sock


@contextmanager
def serve_app(
    app: ASGIApp,
    host: str = "127.0.0.1",
    *,
    port: int = 0,
    startup_timeout: float = DEFAULT_STARTUP_TIMEOUT,
) -> Iterator[str]:
    """Run an ASGI app with uvicorn in a daemon thread of this process.

    The socket is bound before uvicorn starts, so there is no window in which another
    process can take the port between choosing and using it.

    Args:
        app:
            The ASGI application.

        host:
            The interface to listen on (a verifier must be given the same host).

        port:
            The port to listen on; 0 (the default) for a free one.

        startup_timeout:
            Seconds to wait for the server to be ready.

    Yields:
        The base URL, e.g. `http://127.0.0.1:54321`.

    Raises:
        RuntimeError:
            If the server stopped or was not ready within `startup_timeout` (for example
            because the app's lifespan start-up failed).
    """
    sock = listening_socket(host, port)
    port = sock.getsockname()[1]
    server = _quiet_server(app)
    failure: list[BaseException] = []

    def run() -> None:
        # uvicorn exits a failed start-up with sys.exit(); keep it (and anything else)
        # from escaping the thread so the caller can report it instead.
        try:
            server.run(sockets=[sock])
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=run, name=f"uvicorn-{host}:{port}", daemon=True)
    thread.start()
    try:
        _wait_until_started(server, thread, failure, f"{host}:{port}", startup_timeout)
        url_host = f"[{host}]" if ":" in host else host
        yield f"http://{url_host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=startup_timeout)
        sock.close()


def _quiet_server(app: ASGIApp) -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        log_config=None,  # leave the host process's logging configuration alone
        log_level="warning",
        access_log=False,
        lifespan="auto",
        ws="none",
    )
    return uvicorn.Server(config)


def _wait_until_started(
    server: uvicorn.Server,
    thread: threading.Thread,
    failure: list[BaseException],
    where: str,
    timeout: float,
) -> None:
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive():
            msg = f"uvicorn stopped before serving on {where}"
            raise RuntimeError(msg) from (failure[0] if failure else None)
        if time.monotonic() > deadline:
            msg = f"uvicorn was not ready on {where} after {timeout}s"
            raise RuntimeError(msg)
        time.sleep(0.01)


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET
