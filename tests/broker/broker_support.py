"""Helpers for broker tests: a live broker handle and the official Pact CLI runner."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from pact_pipeline.broker import migrate
from pact_pipeline.broker.app import create_app
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.settings import Settings
from pact_pipeline.broker.testing import reset_database, simple_pact
from pact_pipeline.launcher import BrokerProcess, broker_command, start_broker
from pact_pipeline.serving import free_port, serve_app


@dataclass
class LiveBroker:
    url: str
    db: Database
    client: httpx.Client


#: Settings that let webhooks call the tests' receivers (plain HTTP on the loopback), as the
#: embedded broker's environment does on a laptop.
LOOPBACK_WEBHOOKS: dict[str, Any] = {
    "webhook_scheme_whitelist": ["http", "https"],
    "webhook_http_method_whitelist": ["POST", "GET", "PUT", "PATCH", "DELETE"],
    "webhook_host_whitelist": ["127.0.0.1", "localhost", "::1"],
}
#: The same as ``PACT_BROKER_*`` environment variables (for ``serve`` subprocesses).
LOOPBACK_WEBHOOKS_ENV = {
    f"PACT_BROKER_{name.upper()}": " ".join(value) for name, value in LOOPBACK_WEBHOOKS.items()
}

BrokerFactory = Callable[..., LiveBroker]
"""Starts a live broker with settings overrides: ``start(allow_public_read=True)``."""


def database_url(tmp_path: Path) -> str:
    """SQLite in the test's folder, or the server database CI names."""
    override = os.environ.get("PACT_BROKER_TEST_DATABASE_URL")
    return override or f"sqlite:///{tmp_path / 'broker.sqlite'}"


PACT_BIN = shutil.which("pact") or str(Path(sys.executable).parent / "pact")


def run_pact(
    *args: str, check: bool = True, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the official Rust Pact CLI (from pact-python-cli)."""
    env = {**os.environ, "PACT_DO_NOT_TRACK": "true", "NO_COLOR": "1"}
    result = subprocess.run(
        [PACT_BIN, *args], capture_output=True, text=True, timeout=timeout, env=env, check=False
    )
    if check and result.returncode != 0:
        msg = f"pact {' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
        raise AssertionError(msg)
    return result


# --- PostgreSQL -----------------------------------------------------------------------------------

POSTGRES_SKIP_REASON = (
    "needs a PostgreSQL server: set PACT_BROKER_TEST_POSTGRES_URL "
    "(e.g. postgresql+psycopg://broker:broker@127.0.0.1:5432/broker_test; .ci/postgres.sh "
    "starts one and prints its URL)"
)


def postgres_url() -> str | None:
    """The PostgreSQL server for PostgreSQL-only tests.

    ``PACT_BROKER_TEST_POSTGRES_URL`` names it; a PostgreSQL ``PACT_BROKER_TEST_DATABASE_URL``
    (the whole broker suite on PostgreSQL) counts too, so either CI step runs these tests.
    """
    for name in ("PACT_BROKER_TEST_POSTGRES_URL", "PACT_BROKER_TEST_DATABASE_URL"):
        value = os.environ.get(name, "")
        if value.startswith("postgresql"):
            return value
    return None


@contextmanager
def fresh_postgres_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server of ``server_url``, dropped afterwards.

    Tests that migrate, drop tables or run several broker processes get a database of their own,
    so they can neither disturb nor be disturbed by other suites using the shared one.
    """
    url = make_url(server_url)
    name = f"broker_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


# --- broker subprocesses --------------------------------------------------------------------------


def start_broker_process(
    database: str,
    log: Path,
    *,
    workers: int = 1,
    env: dict[str, str] | None = None,
    log_level: str = "warning",
    startup_timeout: float = 60,
) -> BrokerProcess:
    """Start ``python -m pact_pipeline.broker serve`` on a free port and wait for its heartbeat.

    No ``PACT_BROKER_*`` setting leaks in from the caller's environment; ``env`` adds some.
    """
    port = free_port()
    command = broker_command(port=port, database_url=database, workers=workers, log_level=log_level)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PACT_BROKER_")}
    url = f"http://127.0.0.1:{port}"
    return start_broker(
        command, url=url, log=log, env={**clean, **(env or {})}, timeout=startup_timeout
    )


@contextmanager
def broker_process(database: str, log: Path, **options: Any) -> Iterator[BrokerProcess]:
    """:func:`start_broker_process`, stopped on exit whatever happened."""
    broker = start_broker_process(database, log, **options)
    try:
        yield broker
    finally:
        broker.stop()


# --- request bodies -------------------------------------------------------------------------------


def publish_body(
    consumer: str,
    provider: str,
    version: str,
    *,
    branch: str | None = None,
    tags: tuple[str, ...] = (),
    description: str = "a request",
) -> dict[str, Any]:
    """A ``POST /contracts/publish`` body with one pact, as the Pact CLI sends it."""
    pact = simple_pact(consumer, provider, description)
    body: dict[str, Any] = {
        "pacticipantName": consumer,
        "pacticipantVersionNumber": version,
        "tags": list(tags),
        "contracts": [
            {
                "consumerName": consumer,
                "providerName": provider,
                "specification": "pact",
                "contentType": "application/json",
                "content": base64.b64encode(json.dumps(pact).encode()).decode(),
            }
        ],
    }
    if branch is not None:
        body["branch"] = branch
    return body


# --- concurrent publishing ------------------------------------------------------------------------


@dataclass(frozen=True)
class Publish:
    """One ``POST /contracts/publish`` a writer sent."""

    consumer: str
    provider: str
    version: str
    branch: str
    tag: str
    description: str

    def body(self) -> dict[str, Any]:
        return publish_body(
            self.consumer,
            self.provider,
            self.version,
            branch=self.branch,
            tags=(self.tag,),
            description=self.description,
        )


@dataclass
class HammerResult:
    """What concurrent writers sent and what the broker acknowledged."""

    acknowledged: list[Publish] = field(default_factory=list)
    # Sent but never answered (the server died mid-request): either stored whole or not at all.
    in_flight: list[Publish] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def rate(self) -> float:
        """Acknowledged publishes per second."""
        return len(self.acknowledged) / self.elapsed if self.elapsed else 0.0


def hammer(
    base_url: str,
    *,
    writers: int,
    per_writer: int,
    prefix: str = "",
    consumers: int = 3,
    providers: int = 2,
    headers: dict[str, str] | None = None,
) -> HammerResult:
    """``writers`` threads each publishing ``per_writer`` pacts as fast as they can.

    Consumer and provider names are shared between writers, so the first publishes race to
    create the same pacticipants and branches. A writer stops at its first transport error
    (the server was killed); anything but a 200 is a failure.
    """
    result = HammerResult()
    lock = threading.Lock()
    start = threading.Barrier(writers)

    def writer(index: int) -> None:
        with httpx.Client(base_url=base_url, timeout=60, headers=headers) as client:
            start.wait()
            for n in range(per_writer):
                publish = Publish(
                    consumer=f"Consumer {(index + n) % consumers}",
                    provider=f"Provider/{n % providers}",
                    version=f"{prefix}{index}.{n}",
                    branch=f"branch-{index % 2}",
                    tag=f"tag-{n % 3}",
                    description=f"request {prefix}{index}.{n}",
                )
                try:
                    response = client.post("/contracts/publish", json=publish.body())
                except httpx.TransportError:
                    with lock:
                        result.in_flight.append(publish)
                    return
                with lock:
                    if response.status_code == 200:
                        result.acknowledged.append(publish)
                    else:
                        result.failures.append(
                            f"{publish.version}: {response.status_code} {response.text[:300]}"
                        )

    began = time.monotonic()
    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.elapsed = time.monotonic() - began
    return result


def pact_path(publish: Publish) -> str:
    q = urllib.parse.quote
    return (
        f"/pacts/provider/{q(publish.provider, safe='')}/consumer/{q(publish.consumer, safe='')}"
        f"/version/{q(publish.version, safe='')}"
    )


def stored(client: httpx.Client, publish: Publish) -> str:
    """``"whole"``, ``"absent"`` or what is wrong with how one publish was stored."""
    q = urllib.parse.quote
    pact = client.get(pact_path(publish))
    version = client.get(
        f"/pacticipants/{q(publish.consumer, safe='')}/versions/{q(publish.version, safe='')}"
    )
    if pact.status_code == 404 and version.status_code == 404:
        return "absent"
    if pact.status_code != 200 or version.status_code != 200:
        return f"pact {pact.status_code}, version {version.status_code}"
    descriptions = [i["description"] for i in pact.json()["interactions"]]
    tags = [t["name"] for t in version.json()["_embedded"]["tags"]]
    branches = [b["name"] for b in version.json()["_embedded"]["branchVersions"]]
    if descriptions != [publish.description] or tags != [publish.tag]:
        return f"content {descriptions} tags {tags}"
    if branches != [publish.branch]:
        return f"branches {branches}"
    return "whole"


def lost_writes(base_url: str, result: HammerResult) -> tuple[list[str], list[str]]:
    """Acknowledged publishes that did not read back whole, and in-flight ones stored partly."""
    with httpx.Client(base_url=base_url, timeout=60) as client:
        lost = [
            f"{p.version}: {state}"
            for p in result.acknowledged
            if (state := stored(client, p)) != "whole"
        ]
        partial = [
            f"{p.version}: {state}"
            for p in result.in_flight
            if (state := stored(client, p)) not in ("whole", "absent")
        ]
    return lost, partial


def _test_database(stack: ExitStack, tmp_path: Path) -> tuple[str, Database]:
    """The test's database (SQLite in its folder, or the shared server CI names), empty."""
    url = database_url(tmp_path)
    db = Database(url)
    stack.callback(db.dispose)
    if url.startswith("postgresql"):
        # A shared server database: start every test empty. Migrate first: on a new
        # database the first test finds no tables to empty.
        migrate.upgrade(db.engine)
        reset_database(db)
    return url, db


@pytest.fixture
def broker_factory(tmp_path: Path) -> Iterator[BrokerFactory]:
    """Start live brokers with chosen settings (``start(allow_public_read=True, ...)``).

    Every broker started by one test shares that test's database, emptied once at the start
    when it is a shared PostgreSQL database.
    """
    with ExitStack() as stack:
        url, db = _test_database(stack, tmp_path)

        def start(**overrides: Any) -> LiveBroker:
            app = create_app(
                Settings(database_url=url, **overrides), database=db, webhooks_enabled=False
            )
            base_url = stack.enter_context(serve_app(app))
            client = stack.enter_context(httpx.Client(base_url=base_url, timeout=30))
            return LiveBroker(base_url, db, client)

        yield start


@dataclass
class InProcessBroker:
    """A broker app and a client that calls it in-process (no server, no socket)."""

    db: Database
    client: TestClient


InProcessFactory = Callable[..., InProcessBroker]
"""Builds a broker app with settings overrides: ``start(allow_public_read=True)``."""


@pytest.fixture
def in_process_broker(tmp_path: Path) -> Iterator[InProcessFactory]:
    """Brokers called in-process, without a server or a socket (``start(**settings)``): for
    the API's resources and tables of thousands of requests, where only the app's answers
    matter (encoding, streaming and the official clients are tested against live servers)."""
    with ExitStack() as stack:
        url, db = _test_database(stack, tmp_path)

        def start(**overrides: Any) -> InProcessBroker:
            app = create_app(
                Settings(database_url=url, **overrides), database=db, webhooks_enabled=False
            )
            client = stack.enter_context(TestClient(app, base_url="http://broker.test"))
            return InProcessBroker(db, client)

        yield start


@pytest.fixture
def api(in_process_broker: InProcessFactory) -> InProcessBroker:
    """An in-process broker with default settings (no authentication)."""
    return in_process_broker()


@pytest.fixture
def live_broker(broker_factory: BrokerFactory) -> LiveBroker:
    """A live broker with default settings (no authentication)."""
    return broker_factory()
