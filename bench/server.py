"""A live broker for the benchmark: ``python -m pact_pipeline.broker serve`` in its own process.

A separate process, not a thread, so the load generator and the broker do not share one GIL:
on a 2-core machine each gets a core, as a CI client and a broker would.

With ``gc_log``, the broker runs as ``python -m bench.server serve ...``: the same command
line and the same ``main``, after hooking :data:`gc.callbacks` to write every collection that
pauses the process for at least :data:`GC_LOG_MIN_SECONDS` to the log (start on the
system-wide monotonic clock that :func:`time.perf_counter` reads, duration, generation), so
the benchmark can tell which timed requests a collection landed in. One worker only: uvicorn's
workers are new interpreters that do not run this hook.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from pact_pipeline.launcher import BROKER_MODULE, BrokerProcess, broker_command, start_broker
from pact_pipeline.serving import free_port

START_TIMEOUT = 60.0
#: Collections shorter than this are not logged: they cannot make a tail (and writing each
#: of the many tiny young-generation collections would cost more than they do).
GC_LOG_MIN_SECONDS = 0.0001
GC_LOG_ENV = "BENCH_GC_LOG"
#: This module, run instead of the broker's when collections are logged.
PROBE_MODULE = "bench.server"
REPOSITORY = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class GcPause:
    """One garbage collection in the broker process."""

    start: float  # time.perf_counter() (CLOCK_MONOTONIC: the same clock in every process)
    seconds: float
    generation: int

    @property
    def end(self) -> float:
        return self.start + self.seconds


def read_gc_log(path: Path) -> list[GcPause]:
    """The collections a probed broker logged (none if it logged nothing)."""
    if not path.exists():
        return []
    pauses = []
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 3 and not line.startswith("#"):
            pauses.append(GcPause(float(parts[0]), float(parts[1]), int(parts[2])))
    return pauses


def broker_argv(
    port: int, database_url: str, *, workers: int = 1, probe_gc: bool = False
) -> list[str]:
    """The broker's command line (``launcher.broker_command``), run through this module's
    probe if ``probe_gc`` (one worker only)."""
    command = broker_command(
        port=port, database_url=database_url, workers=workers, log_level="warning"
    )
    if probe_gc:
        if workers != 1:
            msg = "the garbage-collection probe runs in one worker only"
            raise ValueError(msg)
        module = command.index(BROKER_MODULE)
        command[module] = PROBE_MODULE
    return command


@contextmanager
def live_broker(
    database_url: str, *, workers: int = 1, gc_log: Path | None = None
) -> Iterator[str]:
    """Run a broker over ``database_url`` until the block exits.

    Args:
        database_url: The seeded database.
        workers: uvicorn worker processes (more than one wants PostgreSQL).
        gc_log: Log the broker's garbage collections to this file (one worker only).

    Yields:
        The broker's base URL.
    """
    with running_broker(database_url, workers=workers, gc_log=gc_log) as broker:
        yield broker.url


@contextmanager
def running_broker(
    database_url: str, *, workers: int = 1, gc_log: Path | None = None
) -> Iterator[BrokerProcess]:
    """:func:`live_broker`, yielding the process (its ``process.pid`` leads the group of
    the broker and its workers)."""
    port = free_port()
    command = broker_argv(port, database_url, workers=workers, probe_gc=gc_log is not None)
    # No auth or other settings leak in from the caller's environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PACT_BROKER_")}
    if gc_log is not None:
        env[GC_LOG_ENV] = str(gc_log)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(REPOSITORY), *filter(None, [env.get("PYTHONPATH")])]
        )
    # The broker's log goes to a file: it is only worth reading when the broker fails.
    with tempfile.TemporaryDirectory() as logs:
        url = f"http://127.0.0.1:{port}"
        broker = start_broker(
            command, url=url, log=Path(logs) / "broker.log", env=env, timeout=START_TIMEOUT
        )
        try:
            yield broker
        finally:
            broker.stop(timeout=15)


def _install_gc_probe(path: str) -> TextIO:
    sink = Path(path).open("a", buffering=1)  # noqa: SIM115 - open for the process's life
    started = [0.0]
    totals: dict[int, list[float]] = {}

    def callback(phase: str, info: dict[str, Any]) -> None:
        now = time.perf_counter()
        if phase == "start":
            started[0] = now
            return
        seconds = now - started[0]
        generation = int(info.get("generation", -1))
        total = totals.setdefault(generation, [0.0, 0.0])
        total[0] += 1
        total[1] += seconds
        if seconds >= GC_LOG_MIN_SECONDS:
            sink.write(f"{started[0]:.6f} {seconds:.6f} {generation}\n")

    def summary() -> None:
        for generation, (count, seconds) in sorted(totals.items()):
            sink.write(f"# generation {generation}: {count:.0f} collections, {seconds:.6f} s\n")
        sink.close()

    gc.callbacks.append(callback)
    atexit.register(summary)
    return sink


def _probe_main() -> int:
    from pact_pipeline.broker.__main__ import main

    path = os.environ.get(GC_LOG_ENV)
    if path:
        _install_gc_probe(path)
    return main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(_probe_main())
