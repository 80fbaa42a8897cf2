"""The embedded Pact Broker, started in the background when no broker is configured.

When `PACT_BROKER_BASE_URL` is unset, the pipeline runs `python -m pact_pipeline.broker serve` (this
repository's Pact-Broker-compatible server) on `127.0.0.1:<port>` with a SQLite database in
`.pact-broker/`, detached from the terminal so it outlives the task and the next `invoke`
reuses it: the broker is the pipeline's memory (published pacts, verifications,
deployments), so it must persist across commands. `invoke broker-stop` stops it.

Files in the data directory:

* `broker.sqlite`: the database;
* `broker.log`: the server's stdout and stderr (read it when start-up fails);
* `broker.pid`: the process id, so `stop()` ends exactly the process we started;
* `broker.instance`: this data directory's broker identity. The broker reports it in the
  heartbeat's `X-Pact-Broker-Instance` header, so a task reuses a server on the port only
  when it is this checkout's broker, never another checkout's or a Docker Pact Broker.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from pact_pipeline.errors import EmbeddedBrokerError
from pact_pipeline.launcher import (
    BROKER_MODULE,
    HEARTBEAT_PATH,
    BrokerExited,
    BrokerProcess,
    BrokerTimedOut,
    alive,
    broker_command,
    stop_group,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from pact_pipeline.settings import Settings

#: The heartbeat's header naming the broker instance (`broker.settings.INSTANCE_HEADER`; not
#: imported, so the pipeline needs none of the broker's dependencies to talk to one).
INSTANCE_HEADER = "X-Pact-Broker-Instance"
_INSTANCE_VARIABLE = "PACT_BROKER_INSTANCE_ID"
# Webhook allow-lists for a broker on the developer's own machine (only they create webhooks):
# plain HTTP and every usual method, responses shown in the delivery logs. The broker's own
# defaults are the Pact Broker's, for a shared broker (https, POST). Variables already set in
# the environment win.
_CLIENT_VARIABLES = frozenset(
    {"PACT_BROKER_BASE_URL", "PACT_BROKER_BASE_URLS", "PACT_BROKER_TOKEN", "PACT_BROKER_USERNAME"}
    | {"PACT_BROKER_PASSWORD"}
)

LAPTOP_WEBHOOKS = {
    "PACT_BROKER_WEBHOOK_SCHEME_WHITELIST": "http https",
    "PACT_BROKER_WEBHOOK_HTTP_METHOD_WHITELIST": "POST GET PUT PATCH DELETE",
    "PACT_BROKER_WEBHOOK_SHOW_RESPONSE": "true",
}
_HOST = "127.0.0.1"
_STOP_TIMEOUT = 10.0


def local_url(port: int) -> str:
    """Return the embedded broker's base URL for `port`."""
    return f"http://{_HOST}:{port}"


def paths(settings: Settings) -> tuple[Path, Path, Path]:
    """Return the database, log and pid file paths under the data directory."""
    data = settings.broker_dir
    return data / "broker.sqlite", data / "broker.log", data / "broker.pid"


@dataclass(frozen=True)
class Listener:
    """What answers on the broker's port.

    Attributes:
        listening:
            Whether anything accepts connections there.

        answers:
            Whether it answers a Pact Broker heartbeat.

        instance:
            The instance id the broker reports, if any.
    """

    listening: bool
    answers: bool = False
    instance: str | None = None


def probe(url: str, *, timeout: float = 1.0) -> Listener:
    """Ask whatever listens at `url` for a Pact Broker heartbeat.

    Args:
        url:
            The base URL.

        timeout:
            Seconds to wait.

    Returns:
        What listens there.
    """
    try:
        response = httpx.get(url + HEARTBEAT_PATH, timeout=timeout)
    except httpx.ConnectError:
        return Listener(listening=False)
    except httpx.HTTPError:
        return Listener(listening=True)
    return Listener(
        listening=True,
        answers=response.is_success,
        instance=response.headers.get(INSTANCE_HEADER),
    )


def instance_id(settings: Settings) -> str:
    """Return this data directory's broker identity, creating it on first use.

    Args:
        settings:
            The settings (data directory).

    Returns:
        The id the broker started for this directory reports.

    Raises:
        EmbeddedBrokerError:
            If the data directory cannot be created or written.
    """
    path = settings.broker_dir / "broker.instance"
    try:
        if path.is_file():
            existing = path.read_text(encoding="utf-8").strip()
            if existing:
                return existing
        settings.broker_dir.mkdir(parents=True, exist_ok=True)
        created = uuid.uuid4().hex
        path.write_text(created + "\n", encoding="utf-8")
    except OSError as error:
        msg = (
            f"cannot use {_shown(settings.broker_dir, settings)} as the embedded broker's data "
            f"directory ({error.strerror or error}); set PACT_PIPELINE_BROKER_DIR to a directory"
        )
        raise EmbeddedBrokerError(msg) from None
    return created


def serve_command(settings: Settings) -> tuple[list[str], dict[str, str]]:
    """The command and environment that run this checkout's broker in the foreground.

    Args:
        settings:
            The settings (port, data directory).

    Returns:
        The command line and the environment for it.
    """
    database, _, _ = paths(settings)
    command = broker_command(port=settings.broker_port, database_url=f"sqlite:///{database}")
    # PACT_BROKER_BASE_URL is the clients' "use that broker" (and, to the Pact Broker, its own
    # URL): the embedded broker must neither advertise a remote broker's URL nor its token.
    inherited = {k: v for k, v in os.environ.items() if k not in _CLIENT_VARIABLES}
    return command, {**LAPTOP_WEBHOOKS, **inherited, _INSTANCE_VARIABLE: instance_id(settings)}


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
            If the port is held by anything but this checkout's broker, or the broker exits
            during start-up or does not answer in time; the message points at the log file.
    """
    url = local_url(settings.broker_port)
    command, environment = serve_command(settings)
    listener = probe(url)
    if listener.listening:
        if listener.instance == environment[_INSTANCE_VARIABLE]:
            return url
        raise EmbeddedBrokerError(port_taken_message(settings, listener))
    _, log, pid_file = paths(settings)
    if notify is not None:
        notify(f"starting the embedded Pact Broker at {url} (log: {_shown(log, settings)})")
    broker = BrokerProcess.start(command, url=url, log=log, env=environment, cwd=settings.root)
    pid_file.write_text(f"{broker.process.pid}\n", encoding="utf-8")
    expected = environment[_INSTANCE_VARIABLE]
    try:
        broker.wait_until(
            lambda: probe(url, timeout=0.5).instance == expected,
            timeout=settings.broker_start_timeout,
        )
    except BrokerExited as error:
        evidence = broker.failure_line()
        msg = (
            f"the embedded Pact Broker {error} while starting"
            f"{f' ({evidence})' if evidence else ''}; see {_shown(log, settings)}"
        )
        raise EmbeddedBrokerError(msg) from None
    except BrokerTimedOut as error:
        msg = f"the embedded Pact Broker {error}; see {_shown(log, settings)}"
        raise EmbeddedBrokerError(msg) from None
    return url


def port_taken_message(settings: Settings, listener: Listener) -> str:
    """Say what holds the broker's port and how to get past it.

    Args:
        settings:
            The settings (port, data directory).

        listener:
            What answered on the port.

    Returns:
        A one-line message.
    """
    port = settings.broker_port
    if listener.instance:
        what = "another checkout's embedded Pact Broker"
    elif listener.answers:
        what = "a Pact Broker that is not this checkout's"
    else:
        what = "a program that is not a Pact Broker"
    holder = describe_holder(port)
    return (
        f"port {port} is taken by {what}{f' ({holder})' if holder else ''}, not by the "
        f"embedded broker of {_shown(settings.broker_dir, settings)}: stop it, or give this "
        "checkout another port (PACT_PIPELINE_BROKER_PORT, or pipeline.broker_port in "
        "invoke.yaml)"
    )


def describe_holder(port: int) -> str | None:
    """Name the local process listening on TCP `port`, where procfs lets us see it.

    Args:
        port:
            The port.

    Returns:
        E.g. "pid 4242: python -m pact_pipeline.broker serve --port 9292 …", or `None` if unknown.
    """
    inodes = _listening_socket_inodes(port)
    if not inodes:
        return None
    targets = {f"socket:[{inode}]" for inode in inodes}
    for process in Path("/proc").iterdir():
        if not process.name.isdigit():
            continue
        try:
            if any(os.readlink(fd) in targets for fd in (process / "fd").iterdir()):
                words = (process / "cmdline").read_bytes().split(b"\0")
                line = " ".join(word.decode(errors="replace") for word in words if word)
                return f"pid {process.name}: {line[:160]}"
        except OSError:
            continue
    return None


def _listening_socket_inodes(port: int) -> set[str]:
    """The inodes of sockets listening on `port` (`/proc/net/tcp`, state 0A = LISTEN)."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text(encoding="ascii").splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local_port = fields[1].rsplit(":", 1)[-1]
            if fields[3] == "0A" and int(local_port, 16) == port:
                inodes.add(fields[9])
    return inodes


def stop(settings: Settings) -> bool:
    """Stop the background broker started by
    [`ensure_running`][pact_pipeline.embedded.ensure_running].

    Only the process recorded in the pid file is stopped, and only if it still looks like
    our broker (its command line runs `-m pact_pipeline.broker serve`), so a recycled pid is
    never killed.

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
    if not stop_group(pid, _STOP_TIMEOUT):
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
    if not alive(pid):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.exists():
        # No procfs (macOS): trust the pid file, which only we write.
        return True
    try:
        arguments = cmdline.read_bytes().split(b"\0")
    except OSError:
        return False
    return BROKER_MODULE.encode() in arguments and b"serve" in arguments


def _shown(path: Path, settings: Settings) -> str:
    try:
        return str(path.relative_to(settings.root))
    except ValueError:
        return str(path)
