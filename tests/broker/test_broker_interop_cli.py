"""The official Rust clients (``pact broker`` and ``pact verifier`` from pact-python-cli) drive a
live embedded broker through a release story, and the broker answers as the Pact Broker's rules
say it must."""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.broker.broker_support import PACT_BIN, LiveBroker, run_pact

pytestmark = pytest.mark.timeout(300)


def pact_document(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "consumer": {"name": "Foo"},
        "provider": {"name": "Bar"},
        "interactions": [
            {
                "description": "a request for a thing",
                "request": {"method": "GET", "path": "/thing"},
                "response": {
                    "status": 200,
                    "headers": {"Content-Type": "application/json"},
                    "body": fields,
                },
            }
        ],
        "metadata": {"pactSpecification": {"version": "2.0.0"}},
    }


def write_pact(directory: Path, fields: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "Foo-Bar.json"
    path.write_text(json.dumps(pact_document(fields)))
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def stub_provider(pact_file: Path) -> Iterator[int]:
    """A provider stand-in: ``pact stub`` serving the responses of a pact."""
    port = free_port()
    process = subprocess.Popen(
        [PACT_BIN, "stub", "-f", str(pact_file), "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        else:
            pytest.fail("pact stub did not start")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def verify(
    broker: LiveBroker, port: int, version: str, *, branch: str = "main"
) -> subprocess.CompletedProcess[str]:
    return run_pact(
        "verifier",
        "-b",
        broker.url,
        "-n",
        "Bar",
        "--hostname",
        "127.0.0.1",
        "--port",
        str(port),
        "--publish",
        "--provider-version",
        version,
        "--provider-branch",
        branch,
        "--consumer-version-selectors",
        '{"mainBranch": true}',
        "--consumer-version-selectors",
        '{"deployedOrReleased": true}',
        "--enable-pending",
        "--include-wip-pacts-since",
        "2020-01-01",
        "--no-colour",
        check=False,
    )


def can_i_deploy(broker: LiveBroker, *args: str) -> subprocess.CompletedProcess[str]:
    return run_pact("broker", "can-i-deploy", "-b", broker.url, *args, check=False)


def publish(broker: LiveBroker, directory: Path, version: str, branch: str = "main") -> None:
    run_pact(
        "broker",
        "publish",
        str(directory),
        "-b",
        broker.url,
        "--consumer-app-version",
        version,
        "--branch",
        branch,
    )


def test_release_story_with_official_clients(live_broker: LiveBroker, tmp_path: Path) -> None:
    broker = live_broker
    run_pact("broker", "create-environment", "-b", broker.url, "--name", "prod", "--production")
    listed = run_pact("broker", "list-environments", "-b", broker.url)
    assert "prod" in listed.stdout

    v1_dir = tmp_path / "v1"
    v1_pact = write_pact(v1_dir, {"a": 1})
    publish(broker, v1_dir, "1.0.0")

    # A consumer version nobody has verified cannot deploy.
    unverified = can_i_deploy(
        broker, "--pacticipant", "Foo", "--version", "1.0.0", "--to-environment", "prod"
    )
    assert unverified.returncode != 0
    assert "Computer says no" in unverified.stdout

    # ... and --retry-while-unknown polls, then still says no.
    retried = can_i_deploy(
        broker,
        "--pacticipant",
        "Foo",
        "--version",
        "1.0.0",
        "--to-environment",
        "prod",
        "--retry-while-unknown",
        "1",
        "--retry-interval",
        "1",
    )
    assert retried.returncode != 0

    with stub_provider(v1_pact) as port:
        first = verify(broker, port, "p1")
    assert first.returncode == 0, first.stdout + first.stderr

    # The provider deploys, after which the consumer can.
    assert (
        can_i_deploy(
            broker, "--pacticipant", "Bar", "--version", "p1", "--to-environment", "prod"
        ).returncode
        == 0
    )
    run_pact(
        "broker",
        "record-deployment",
        "-b",
        broker.url,
        "--pacticipant",
        "Bar",
        "--version",
        "p1",
        "--environment",
        "prod",
    )
    yes = can_i_deploy(
        broker, "--pacticipant", "Foo", "--version", "1.0.0", "--to-environment", "prod"
    )
    assert yes.returncode == 0, yes.stdout + yes.stderr
    assert "Computer says yes" in yes.stdout
    as_json = can_i_deploy(
        broker,
        "--pacticipant",
        "Foo",
        "--version",
        "1.0.0",
        "--to-environment",
        "prod",
        "-o",
        "json",
    )
    assert as_json.returncode == 0
    body = json.loads(as_json.stdout)
    assert body["summary"]["deployable"] is True
    run_pact(
        "broker",
        "record-deployment",
        "-b",
        broker.url,
        "--pacticipant",
        "Foo",
        "--version",
        "1.0.0",
        "--environment",
        "prod",
    )

    # A new consumer version whose pact the deployed provider does not satisfy.
    v2_dir = tmp_path / "v2"
    v2_pact = write_pact(v2_dir, {"a": 1, "b": 2})
    publish(broker, v2_dir, "2.0.0")
    with stub_provider(v1_pact) as port:
        pending_failure = verify(broker, port, "p2")
    # The v2 pact is pending for branch main, so its failure does not fail the provider build.
    assert pending_failure.returncode == 0, pending_failure.stdout + pending_failure.stderr
    assert "pending" in (pending_failure.stdout + pending_failure.stderr).lower()

    blocked = can_i_deploy(
        broker, "--pacticipant", "Foo", "--version", "2.0.0", "--to-environment", "prod"
    )
    assert blocked.returncode != 0
    still_ok = can_i_deploy(
        broker, "--pacticipant", "Foo", "--version", "1.0.0", "--to-environment", "prod"
    )
    assert still_ok.returncode == 0

    # A fixed provider verifies it; once that provider is deployed, v2 can go.
    with stub_provider(v2_pact) as port:
        fixed = verify(broker, port, "p3")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert (
        can_i_deploy(
            broker, "--pacticipant", "Foo", "--version", "2.0.0", "--to-environment", "prod"
        ).returncode
        != 0
    )
    assert (
        can_i_deploy(
            broker, "--pacticipant", "Bar", "--version", "p3", "--to-environment", "prod"
        ).returncode
        == 0
    )
    run_pact(
        "broker",
        "record-deployment",
        "-b",
        broker.url,
        "--pacticipant",
        "Bar",
        "--version",
        "p3",
        "--environment",
        "prod",
    )
    assert (
        can_i_deploy(
            broker, "--pacticipant", "Foo", "--version", "2.0.0", "--to-environment", "prod"
        ).returncode
        == 0
    )

    # --latest TAG resolves the newest version carrying the tag.
    run_pact(
        "broker",
        "create-version-tag",
        "-b",
        broker.url,
        "--pacticipant",
        "Foo",
        "--version",
        "1.0.0",
        "--tag",
        "rc",
    )
    run_pact(
        "broker",
        "create-version-tag",
        "-b",
        broker.url,
        "--pacticipant",
        "Foo",
        "--version",
        "2.0.0",
        "--tag",
        "rc",
    )
    latest_rc = can_i_deploy(
        broker, "--pacticipant", "Foo", "--latest", "rc", "--to-environment", "prod", "-o", "json"
    )
    assert latest_rc.returncode == 0, latest_rc.stdout + latest_rc.stderr
    rows = json.loads(latest_rc.stdout)["matrix"]
    assert {row["consumer"]["version"]["number"] for row in rows} == {"2.0.0"}

    # Releases, version descriptions and pacticipant listings.
    run_pact("broker", "create-environment", "-b", broker.url, "--name", "app-store")
    run_pact(
        "broker",
        "record-release",
        "-b",
        broker.url,
        "--pacticipant",
        "Foo",
        "--version",
        "2.0.0",
        "--environment",
        "app-store",
    )
    described = run_pact(
        "broker",
        "describe-version",
        "-b",
        broker.url,
        "--pacticipant",
        "Foo",
        "--version",
        "2.0.0",
        "-o",
        "json",
    )
    assert json.loads(described.stdout)["number"] == "2.0.0"
    listed_pacticipants = run_pact("broker", "list-pacticipants", "-b", broker.url)
    assert "Foo" in listed_pacticipants.stdout and "Bar" in listed_pacticipants.stdout
