"""A live broker for the benchmark: ``python -m pact_pipeline.broker serve`` in its own process.

A separate process, not a thread, so the load generator and the broker do not share one GIL:
on a 2-core machine each gets a core, as a CI client and a broker would.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import httpx

START_TIMEOUT = 60.0


def free_port() -> int:
    """A TCP port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_broker(database_url: str) -> Iterator[str]:
    """Run a broker over ``database_url`` until the block exits.

    Args:
        database_url: The seeded database.

    Yields:
        The broker's base URL.
    """
    port = free_port()
    # No auth or other settings leak in from the caller's environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PACT_BROKER_")}
    command = [sys.executable, "-m", "pact_pipeline.broker", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--database-url", database_url, "--log-level", "warning"]
    base_url = f"http://127.0.0.1:{port}"
    # The broker's log goes to a file: it is only worth reading when the broker fails.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=log)
        try:
            _wait_until_up(base_url, process, log)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(base_url: str, process: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            tail = log.read().decode(errors="replace")[-2000:]
            msg = f"the broker exited with {process.returncode} before it served:\n{tail}"
            raise RuntimeError(msg)
        try:
            if httpx.get(f"{base_url}/diagnostic/status/heartbeat", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    msg = f"the broker did not answer within {START_TIMEOUT:.0f} s"
    raise RuntimeError(msg)
