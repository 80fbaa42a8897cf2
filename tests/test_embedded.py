"""Starting, reusing and stopping the background broker.

A stand-in `pact_pipeline.broker` package, written into a temporary repository root, plays
the broker: `python -m pact_pipeline.broker serve` there runs it exactly as the pipeline runs
the real one, so these tests exercise the real process handling (detaching, pid file, log,
readiness, stop) without depending on the real broker's start-up time.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pact_pipeline import embedded
from pact_pipeline.errors import EmbeddedBrokerError
from pact_pipeline.launcher import heartbeat_ok
from pact_pipeline.serving import free_port
from pact_pipeline.settings import Settings
from tests.helpers import REPOSITORY

HEARTBEAT_SERVER = """
import argparse, http.server, json, os

parser = argparse.ArgumentParser()
parser.add_argument("command")
parser.add_argument("--host")
parser.add_argument("--port", type=int)
parser.add_argument("--database-url")
args = parser.parse_args()
print("stand-in broker for", args.database_url, flush=True)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"ok": True}).encode()
        self.send_response(200 if self.path == "/diagnostic/status/heartbeat" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Pact-Broker-Instance", os.environ["PACT_BROKER_INSTANCE_ID"])
        self.end_headers()
        self.wfile.write(body)


http.server.HTTPServer((args.host, args.port), Handler).serve_forever()
"""


def stand_in_broker(root: Path, main: str) -> None:
    """Write `pact_pipeline/broker/__main__.py` under `root`: the broker process, which runs
    in `root`, finds it before the real one (this test process has the real one loaded)."""
    package = root / "pact_pipeline" / "broker"
    package.mkdir(parents=True)
    (package.parent / "__init__.py").write_text("", encoding="utf-8")
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "__main__.py").write_text(textwrap.dedent(main), encoding="utf-8")


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    configured = Settings(
        root=tmp_path,
        broker_port=free_port(),
        broker_dir=tmp_path / ".pact-broker",
        broker_start_timeout=10.0,
    )
    yield configured
    embedded.stop(configured)


def test_starts_in_the_background_then_reuses_then_stops(settings: Settings) -> None:
    stand_in_broker(settings.root, HEARTBEAT_SERVER)
    started: list[str] = []

    url = embedded.ensure_running(settings, notify=started.append)
    database, log, pid_file = embedded.paths(settings)
    pid = pid_file.read_text(encoding="utf-8").strip()

    assert url == f"http://127.0.0.1:{settings.broker_port}"
    assert heartbeat_ok(url)
    assert len(started) == 1
    assert f"stand-in broker for sqlite:///{database}" in log.read_text(encoding="utf-8")

    assert embedded.ensure_running(settings, notify=started.append) == url
    assert len(started) == 1, "a running broker is reused, not started again"
    assert pid_file.read_text(encoding="utf-8").strip() == pid

    assert embedded.stop(settings) is True
    assert not heartbeat_ok(url)
    assert not pid_file.exists()
    assert embedded.stop(settings) is False


def test_a_broker_that_crashes_while_starting_points_at_its_log(settings: Settings) -> None:
    stand_in_broker(settings.root, "raise SystemExit('database is corrupt')")

    with pytest.raises(EmbeddedBrokerError) as raised:
        embedded.ensure_running(settings)

    assert str(raised.value) == (
        "the embedded Pact Broker exited with code 1 while starting (database is corrupt); "
        "see .pact-broker/broker.log"
    )


def test_a_broker_that_never_answers_times_out_with_the_log_path(settings: Settings) -> None:
    stand_in_broker(settings.root, "import time\ntime.sleep(60)\n")
    patient = settings.replace(broker_start_timeout=1.0)

    with pytest.raises(EmbeddedBrokerError) as raised:
        embedded.ensure_running(patient)

    assert str(raised.value) == (
        f"the embedded Pact Broker did not answer at http://127.0.0.1:{settings.broker_port} "
        "within 1s; see .pact-broker/broker.log"
    )
    assert embedded.stop(patient) is True, "the hung process is still ours to stop"


def test_stop_never_kills_a_process_that_is_not_our_broker(settings: Settings) -> None:
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        settings.broker_dir.mkdir(parents=True)
        _, _, pid_file = embedded.paths(settings)
        pid_file.write_text(f"{stranger.pid}\n", encoding="utf-8")

        assert embedded.stop(settings) is False
        assert stranger.poll() is None, "the unrelated process is still running"
        assert not pid_file.exists(), "the stale pid file is cleaned up"
    finally:
        stranger.kill()
        stranger.wait()


def test_another_checkouts_broker_on_the_port_is_never_used(settings: Settings) -> None:
    stand_in_broker(settings.root, HEARTBEAT_SERVER)
    other_checkout = settings.replace(broker_dir=settings.root / "other" / ".pact-broker")
    embedded.ensure_running(settings)

    with pytest.raises(EmbeddedBrokerError) as raised:
        embedded.ensure_running(other_checkout)

    message = str(raised.value)
    assert message.startswith(
        f"port {settings.broker_port} is taken by another checkout's embedded Pact Broker (pid "
    )
    assert f"--port {settings.broker_port}" in message, "the holder's command line is named"
    assert message.endswith(
        "not by the embedded broker of other/.pact-broker: stop it, or give this checkout "
        "another port (PACT_PIPELINE_BROKER_PORT, or pipeline.broker_port in invoke.yaml)"
    )
    assert embedded.stop(other_checkout) is False, "the other checkout's broker is not ours"
    assert heartbeat_ok(f"http://127.0.0.1:{settings.broker_port}")


class ForeignBroker(BaseHTTPRequestHandler):
    """A Pact Broker of someone else's (a Docker one, say): a heartbeat, no instance id."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


def test_a_foreign_pact_broker_on_the_port_is_named_not_reused(settings: Settings) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", settings.broker_port), ForeignBroker)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with pytest.raises(EmbeddedBrokerError) as raised:
            embedded.ensure_running(settings)
    finally:
        server.shutdown()
        server.server_close()

    assert str(raised.value).startswith(
        f"port {settings.broker_port} is taken by a Pact Broker that is not this checkout's "
        f"(pid {os.getpid()}: "
    )
    assert not embedded.paths(settings)[2].exists(), "nothing was started"


def test_a_port_held_by_something_else_is_named(settings: Settings) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", settings.broker_port))
        holder.listen()  # accepts connections, never answers them
        with pytest.raises(EmbeddedBrokerError) as raised:
            embedded.ensure_running(settings)

    assert str(raised.value).startswith(
        f"port {settings.broker_port} is taken by a program that is not a Pact Broker (pid "
    )


def test_a_port_it_cannot_bind_is_reported_with_the_bind_error(settings: Settings) -> None:
    """The real broker, started when the port looks free but cannot be bound (the socket
    holding it does not listen): the error quotes uvicorn's reason, not its shutdown chatter."""
    real = settings.replace(root=REPOSITORY, broker_start_timeout=60.0)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", settings.broker_port))
        with pytest.raises(EmbeddedBrokerError) as raised:
            embedded.ensure_running(real)

    message = str(raised.value)
    assert message.startswith("the embedded Pact Broker exited with code ")
    assert "address already in use" in message
    assert "shutdown" not in message.lower()


def test_a_data_directory_that_is_a_file_is_reported(settings: Settings) -> None:
    settings.root.joinpath("data").write_text("not a directory", encoding="utf-8")

    unusable = settings.replace(broker_dir=settings.root / "data" / ".pact-broker")

    with pytest.raises(EmbeddedBrokerError, match=r"cannot use .*data.* as the embedded broker"):
        embedded.ensure_running(unusable)
