"""The embedded Pact Broker, started in the background when no broker is configured.

When `PACT_BROKER_BASE_URL` is unset, the pipeline runs `python -m broker serve` (this
repository's Pact-Broker-compatible server) on `127.0.0.1:<port>` with a SQLite database in
`.pact-broker/`, detached from the terminal so it outlives the task and the next `invoke`
reuses it: the broker is the pipeline's memory (published pacts, verifications,
deployments), so it must persist across commands. `invoke broker-stop` stops it.

Files in the data directory:

* `broker.sqlite`: the database;
* `broker.log`: the server's stdout and stderr (read it when start-up fails);
* `broker.pid`: the process id, so `stop()` ends exactly the process we started.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from pipeline.errors import EmbeddedBrokerError

if TYPE_CHECKING:
    from collections.abc import Callable

    from pipeline.settings import Settings

HEARTBEAT_PATH = "/diagnostic/status/heartbeat"
_HOST = "127.0.0.1"
_POLL_INTERVAL = 0.2
_STOP_TIMEOUT = 10.0


def local_url(port: int) -> str:
    """Return the embedded broker's base URL for `port`."""
    return f"http://{_HOST}:{port}"


def paths(settings: Settings) -> tuple[Path, Path, Path]:
    """Return the database, log and pid file paths under the data directory."""
    data = settings.broker_dir
    return data / "broker.sqlite", data / "broker.log", data / "broker.pid"


def is_up(url: str, *, timeout: float = 1.0) -> bool:
    """Whether a broker answers its heartbeat at `url`.

    Args:
        url:
            The broker's base URL.

        timeout:
            Seconds to wait for the answer.
    """
    try:
        response = httpx.get(url + HEARTBEAT_PATH, timeout=timeout)
    except httpx.HTTPError:
        return False
    return response.is_success


def ensure_running(
    settings: Settings,
    *,
    notify: Callable[[str], None] | None = None,
) -> str:
    """Return the embedded broker's URL, starting it in the background if it is not up.

    Args:
        settings:
            The settings (port, data directory, start-up timeout, repository root).

        notify:
            Called with a one-line message when a broker is started.

    Returns:
        The broker's base URL.

    Raises:
        EmbeddedBrokerError:
            If the broker exits during start-up or does not answer in time; the message
            points at the log file.
    """
    url = local_url(settings.broker_port)
    if is_up(url):
        return url
    database, log, pid_file = paths(settings)
    settings.broker_dir.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "broker",
        "serve",
        "--host",
        _HOST,
        "--port",
        str(settings.broker_port),
        "--database-url",
        f"sqlite:///{database}",
    ]
    if notify is not None:
        notify(f"starting the embedded Pact Broker at {url} (log: {_shown(log, settings)})")
    with log.open("ab") as log_file:
        process = subprocess.Popen(
            command,
            cwd=settings.root,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            # A new session detaches the broker from the terminal's process group, so
            # Ctrl-C on a task does not kill it and it outlives this `invoke` run.
            start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    pid_file.write_text(f"{process.pid}\n", encoding="utf-8")
    _wait_until_ready(url, process, log, settings)
    return url


def _wait_until_ready(
    url: str, process: subprocess.Popen[bytes], log: Path, settings: Settings
) -> None:
    deadline = time.monotonic() + settings.broker_start_timeout
    while time.monotonic() < deadline:
        if is_up(url, timeout=0.5):
            return
        code = process.poll()
        if code is not None:
            msg = (
                f"the embedded Pact Broker exited with code {code} while starting"
                f"{_last_line(log)}; see {_shown(log, settings)}"
            )
            raise EmbeddedBrokerError(msg)
        time.sleep(_POLL_INTERVAL)
    msg = (
        f"the embedded Pact Broker did not answer at {url} within "
        f"{settings.broker_start_timeout:g}s; see {_shown(log, settings)}"
    )
    raise EmbeddedBrokerError(msg)


def stop(settings: Settings) -> bool:
    """Stop the background broker started by [`ensure_running`][pipeline.embedded.ensure_running].

    Only the process recorded in the pid file is stopped, and only if it still looks like
    our broker (its command line runs `-m broker serve`), so a recycled pid is never killed.

    Args:
        settings:
            The settings (data directory).

    Returns:
        Whether a running broker was stopped.

    Raises:
        EmbeddedBrokerError:
            If the process does not exit after SIGTERM and SIGKILL.
    """
    _, _, pid_file = paths(settings)
    pid = _read_pid(pid_file)
    if pid is None:
        return False
    if not _is_our_broker(pid):
        pid_file.unlink(missing_ok=True)
        return False
    # The broker leads its own session (start_new_session), so its process group id is its
    # pid: signal the group to take uvicorn workers down with it.
    _signal_group(pid, signal.SIGTERM)
    if not _wait_for_exit(pid, _STOP_TIMEOUT):
        _signal_group(pid, signal.SIGKILL)
        if not _wait_for_exit(pid, _STOP_TIMEOUT):
            msg = f"the embedded Pact Broker (pid {pid}) did not stop"
            raise EmbeddedBrokerError(msg)
    pid_file.unlink(missing_ok=True)
    return True


def _read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None


def _is_our_broker(pid: int) -> bool:
    if not _alive(pid):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.exists():
        # No procfs (macOS): trust the pid file, which only we write.
        return True
    try:
        arguments = cmdline.read_bytes().split(b"\0")
    except OSError:
        return False
    return b"broker" in arguments and b"serve" in arguments


def _alive(pid: int) -> bool:
    _reap(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _reap(pid: int) -> None:
    """Collect the exit status if the broker is our own child, so it is not a zombie."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        return
    except PermissionError:
        os.kill(pid, sig)


def _wait_for_exit(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(_POLL_INTERVAL)
    return not _alive(pid)


def _last_line(log: Path) -> str:
    try:
        lines = [
            line
            for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
            if line.strip()
        ]
    except OSError:
        return ""
    return f" ({lines[-1].strip()[:200]})" if lines else ""


def _shown(path: Path, settings: Settings) -> str:
    try:
        return str(path.relative_to(settings.root))
    except ValueError:
        return str(path)
