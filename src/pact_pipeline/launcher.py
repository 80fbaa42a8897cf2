"""Starting the broker in a process of its own, waiting until it answers, and stopping it.

`python -m pact_pipeline.broker serve` runs as a subprocess in three places: the pipeline's
embedded broker (detached, outliving the task), the broker's tests (several workers, SIGKILL
durability) and the benchmark (so the load generator and the broker do not share a GIL). All
three start it, wait for it and stop it here.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

#: The module that runs the broker.
BROKER_MODULE = "pact_pipeline.broker"
HEARTBEAT_PATH = "/diagnostic/status/heartbeat"
_POLL_INTERVAL = 0.1


def broker_command(
    *,
    port: int,
    database_url: str,
    host: str = "127.0.0.1",
    workers: int = 1,
    log_level: str | None = None,
) -> list[str]:
    """The command line of `python -m pact_pipeline.broker serve`.

    Args:
        port:
            The port.

        database_url:
            The SQLAlchemy URL of its database.

        host:
            The interface.

        workers:
            uvicorn worker processes (PostgreSQL for more than one).

        log_level:
            uvicorn's log level, or `None` for the broker's default.

    Returns:
        The command.
    """
    command = [sys.executable, "-m", BROKER_MODULE, "serve", "--host", host, "--port", str(port)]
    command += ["--database-url", database_url]
    command += ["--workers", str(workers)] if workers != 1 else []
    command += ["--log-level", log_level] if log_level else []
    return command


def start_broker(
    command: list[str],
    *,
    url: str,
    log: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 60.0,
) -> BrokerProcess:
    """Start a broker and wait for its heartbeat; on failure, kill it and say why.

    Raises:
        RuntimeError:
            If it exits or stays silent first, with what it wrote.
    """
    broker = BrokerProcess.start(command, url=url, log=log, env=env)
    try:
        broker.wait_until(lambda: heartbeat_ok(url), timeout=timeout)
    except (BrokerExited, BrokerTimedOut) as error:
        broker.kill()
        msg = f"the broker {error} while starting:\n{broker.output()[-4000:]}"
        raise RuntimeError(msg) from None
    return broker


def heartbeat_ok(url: str, timeout: float = 1.0) -> bool:
    """Whether a broker answers its heartbeat at `url` with a success."""
    try:
        return httpx.get(url + HEARTBEAT_PATH, timeout=timeout).is_success
    except httpx.HTTPError:
        return False


class BrokerExited(RuntimeError):
    """The broker process ended before it answered."""


class BrokerTimedOut(RuntimeError):
    """The broker process did not answer in time."""


@dataclass
class BrokerProcess:
    """A broker subprocess leading its own process group, its output in a log file.

    Attributes:
        url:
            Its base URL.

        process:
            The process.

        log:
            The file its stdout and stderr go to.

        log_start:
            Where in the log this start's output begins (the log may be appended to).
    """

    url: str
    process: subprocess.Popen[bytes]
    log: Path
    log_start: int = 0

    @classmethod
    def start(
        cls,
        command: list[str],
        *,
        url: str,
        log: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> BrokerProcess:
        """Start `command`, appending its output to `log`.

        The process leads a new session, so Ctrl-C on the caller's terminal does not reach it
        and its whole group (uvicorn's workers too) can be signalled at once.
        """
        log_start = log.stat().st_size if log.exists() else 0
        environment = {**(os.environ if env is None else env), "PYTHONUNBUFFERED": "1"}
        with log.open("ab") as sink:
            process = subprocess.Popen(
                command,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env=environment,
            )
        return cls(url=url, process=process, log=log, log_start=log_start)

    def wait_until(self, ready: Callable[[], bool], *, timeout: float) -> None:
        """Wait until `ready()` holds.

        Raises:
            BrokerExited:
                If the process ended first (its message: the exit code).
            BrokerTimedOut:
                If `timeout` seconds passed first.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready():
                return
            code = self.process.poll()
            if code is not None:
                msg = f"exited with code {code}"
                raise BrokerExited(msg)
            time.sleep(_POLL_INTERVAL)
        msg = f"did not answer at {self.url} within {timeout:g}s"
        raise BrokerTimedOut(msg)

    def output(self) -> str:
        """What this start wrote to the log so far."""
        try:
            with self.log.open("rb") as stream:
                stream.seek(self.log_start)
                return stream.read().decode("utf-8", errors="replace")
        except OSError:
            return ""

    def failure_line(self) -> str:
        """The line of this start's output that best explains why it failed, or ""."""
        return failure_line(self.output())

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM the process group, then SIGKILL it if it has not exited in `timeout` s."""
        if self.process.poll() is None and not stop_group(self.process.pid, timeout):
            msg = f"the broker (pid {self.process.pid}) did not stop"
            raise RuntimeError(msg)
        self.process.wait(timeout=timeout)

    def kill(self) -> None:
        """SIGKILL the process group: no shutdown code runs at all."""
        signal_group(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


#: What marks the log line that explains a failed start, best first: an exception's last
#: line ("sqlalchemy.exc.OperationalError: … unable to open database file"), a logged error
#: ("ERROR: [Errno 98] … address already in use"), then anything that sounds like a failure.
#: The shutdown chatter uvicorn logs after the error, and hints such as SQLAlchemy's
#: "(Background on this error at: …)", match none of them.
_EVIDENCE = (
    re.compile(r"^[\w.]*(Error|Exception|Exit)\b[^:]*: \S"),
    re.compile(r"^(ERROR|CRITICAL)\b|\[Errno \d+\]"),
    re.compile(r"\b(error|refused|denied|in use)\b", re.IGNORECASE),
)


def failure_line(output: str) -> str:
    """The line of a failed start's output that best explains the failure.

    Args:
        output:
            What the process wrote.

    Returns:
        The line (at most 200 characters), the last line if none stands out, or "".
    """
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for pattern in _EVIDENCE:
        matching = [line for line in lines if pattern.search(line)]
        if matching:
            return matching[-1][:200]
    return lines[-1][:200] if lines else ""


def signal_group(pid: int, sig: signal.Signals) -> None:
    """Signal the process group that `pid` leads (or the process alone, if not allowed)."""
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        return
    except PermissionError:
        os.kill(pid, sig)


def stop_group(pid: int, timeout: float) -> bool:
    """SIGTERM the group `pid` leads, then SIGKILL it; return whether the leader exited."""
    signal_group(pid, signal.SIGTERM)
    if wait_for_exit(pid, timeout):
        return True
    signal_group(pid, signal.SIGKILL)
    return wait_for_exit(pid, timeout)


def wait_for_exit(pid: int, timeout: float) -> bool:
    """Wait up to `timeout` seconds for process `pid` to end."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(_POLL_INTERVAL)
    return not alive(pid)


def alive(pid: int) -> bool:
    """Whether process `pid` runs (reaping it first if it is our own finished child)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
