"""A live broker for the benchmark: ``python -m pact_pipeline.broker serve`` in its own process.

A separate process, not a thread, so the load generator and the broker do not share one GIL:
on a 2-core machine each gets a core, as a CI client and a broker would.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pact_pipeline.launcher import broker_command, start_broker
from pact_pipeline.serving import free_port

START_TIMEOUT = 60.0


@contextmanager
def live_broker(database_url: str) -> Iterator[str]:
    """Run a broker over ``database_url`` until the block exits.

    Args:
        database_url: The seeded database.

    Yields:
        The broker's base URL.
    """
    port = free_port()
    command = broker_command(port=port, database_url=database_url, log_level="warning")
    # No auth or other settings leak in from the caller's environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PACT_BROKER_")}
    # The broker's log goes to a file: it is only worth reading when the broker fails.
    with tempfile.TemporaryDirectory() as logs:
        url = f"http://127.0.0.1:{port}"
        broker = start_broker(
            command, url=url, log=Path(logs) / "broker.log", env=env, timeout=START_TIMEOUT
        )
        try:
            yield broker.url
        finally:
            broker.stop(timeout=15)
