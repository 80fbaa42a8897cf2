"""Durability and concurrency: one transaction per write, concurrent writers that all succeed,
and no acknowledged publish lost when the server is SIGKILLed mid-load.

The quick tests run in the default suite on the suite's database; the SIGKILL and load tests
run real ``python -m pact_pipeline.broker serve`` subprocesses and are marked ``slow``.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from pact_pipeline.broker.db import Database, make_engine
from pact_pipeline.broker.testing import simple_pact
from tests.broker.broker_support import (
    POSTGRES_SKIP_REASON,
    HammerResult,
    LiveBroker,
    broker_process,
    fresh_postgres_database,
    hammer,
    lost_writes,
    postgres_url,
    publish_body,
    start_broker_process,
)


def report(name: str, result: HammerResult) -> None:
    print(
        f"{name}: {len(result.acknowledged)} acknowledged, {len(result.failures)} failed, "
        f"{len(result.acknowledged) / max(result.elapsed, 1e-9):.1f} publishes/s"
    )


# --- one transaction per write ----------------------------------------------------------------


def test_a_publish_that_fails_part_way_leaves_nothing_behind(live_broker: LiveBroker) -> None:
    """The second contract conflicts with a stored pact, after the version, branch, tag and
    first pact were written in the same transaction: all of it rolls back."""
    client = live_broker.client
    first = client.post("/contracts/publish", json=publish_body("Foo", "Bar", "1"))
    assert first.status_code == 200, first.text
    body = publish_body("Foo", "Baz", "1", branch="feat/x", tags=("new-tag",))
    changed = simple_pact("Foo", "Bar", "changed content")
    body["contracts"].append(
        {
            **body["contracts"][0],
            "providerName": "Bar",
            "content": base64.b64encode(json.dumps(changed).encode()).decode(),
        }
    )
    response = client.post("/contracts/publish", json=body)
    assert response.status_code == 409, response.text
    assert client.get("/pacts/provider/Baz/consumer/Foo/version/1").status_code == 404
    assert client.get("/pacticipants/Baz").status_code == 404
    assert client.get("/pacticipants/Foo/versions/1/tags/new-tag").status_code == 404
    assert client.get("/pacticipants/Foo/branches/feat%2Fx").status_code == 404
    bar = client.get("/pacts/provider/Bar/consumer/Foo/version/1").json()
    assert [i["description"] for i in bar["interactions"]] == ["a request"]


def test_sqlite_runs_in_wal_mode_with_full_sync(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'wal.sqlite'}")
    try:
        with db.read() as session:
            assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            # 2 = FULL: the WAL is synced at every commit, so an acknowledged write survives
            # a crash of the process and of the machine.
            assert session.execute(text("PRAGMA synchronous")).scalar() == 2
            assert session.execute(text("PRAGMA busy_timeout")).scalar() == 30_000
            assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        db.dispose()


def test_twelve_concurrent_writers_all_succeed(live_broker: LiveBroker) -> None:
    """Writers race to create the same pacticipants and branches; none sees an error (such
    as "database is locked" on SQLite or a unique violation on PostgreSQL)."""
    result = hammer(live_broker.url, writers=12, per_writer=6)
    report("12 in-process writers", result)
    assert result.failures == []
    assert len(result.acknowledged) == 72
    lost, partial = lost_writes(live_broker.url, result)
    assert lost == [] and partial == []


# --- real servers, killed -------------------------------------------------------------------


def kill_during_publishes(database: str, tmp_path: Path, rounds: int) -> tuple[int, int, int]:
    """Publish from 8 writers, SIGKILL the server mid-load, restart it on the same database and
    read every acknowledged publish back; ``rounds`` times. Returns (acknowledged, lost,
    partly stored in-flight)."""
    acknowledged = lost_total = partial_total = 0
    for round_number in range(rounds):
        log = tmp_path / f"broker-{round_number}.log"
        broker = start_broker_process(database, log)
        outcome: list[HammerResult] = []
        load = threading.Thread(
            target=lambda url, prefix, into: into.append(
                hammer(url, writers=8, per_writer=10_000, prefix=prefix)
            ),
            args=(broker.url, f"r{round_number}-", outcome),
        )
        load.start()
        # Kill at a different point of the load each round.
        time.sleep(1.5 + round_number * 0.7)
        broker.kill()
        load.join(timeout=120)
        result = outcome[0]
        assert result.failures == [], result.failures[:5]
        assert len(result.acknowledged) > 0
        assert len(result.in_flight) == 8  # every writer was cut off mid-request
        with broker_process(database, tmp_path / f"restarted-{round_number}.log") as restarted:
            lost, partial = lost_writes(restarted.url, result)
        print(
            f"SIGKILL round {round_number}: {len(result.acknowledged)} acknowledged, "
            f"{len(lost)} lost, {len(partial)} of {len(result.in_flight)} in-flight stored partly"
        )
        acknowledged += len(result.acknowledged)
        lost_total += len(lost)
        partial_total += len(partial)
        assert lost == [], lost[:10]
        assert partial == [], partial[:10]
    return acknowledged, lost_total, partial_total


@pytest.mark.slow
def test_sigkill_during_publishes_loses_no_acknowledged_write_on_sqlite(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'broker.sqlite'}"
    acknowledged, lost, partial = kill_during_publishes(database, tmp_path, rounds=3)
    print(f"SIGKILL on SQLite: {acknowledged} acknowledged, {lost} lost, {partial} partial")
    engine = make_engine(database)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    finally:
        engine.dispose()


@pytest.mark.slow
@pytest.mark.postgres
def test_sigkill_during_publishes_loses_no_acknowledged_write_on_postgres(
    tmp_path: Path,
) -> None:
    server = postgres_url()
    if server is None:
        pytest.skip(POSTGRES_SKIP_REASON)
    with fresh_postgres_database(server) as database:
        acknowledged, lost, partial = kill_during_publishes(database, tmp_path, rounds=2)
    print(f"SIGKILL on PostgreSQL: {acknowledged} acknowledged, {lost} lost, {partial} partial")


@pytest.mark.slow
def test_sixteen_writers_on_a_real_sqlite_server(tmp_path: Path) -> None:
    """One server process: its write lock queues the writers, WAL keeps readers going."""
    with broker_process(f"sqlite:///{tmp_path / 'b.sqlite'}", tmp_path / "b.log") as broker:
        result = hammer(broker.url, writers=16, per_writer=20)
        report("16 writers, SQLite, 1 process", result)
        assert result.failures == []
        lost, _ = lost_writes(broker.url, result)
        assert "database is locked" not in broker.output()
    assert lost == []
    assert len(result.acknowledged) == 320


@pytest.mark.slow
def test_sixteen_writers_on_three_sqlite_worker_processes(tmp_path: Path) -> None:
    """Three processes on one SQLite file: BEGIN IMMEDIATE and the busy timeout queue them
    across processes, so no writer sees "database is locked"."""
    database = f"sqlite:///{tmp_path / 'b.sqlite'}"
    with broker_process(database, tmp_path / "b.log", workers=3) as broker:
        result = hammer(broker.url, writers=16, per_writer=15)
        report("16 writers, SQLite, 3 worker processes", result)
        assert result.failures == []
        lost, _ = lost_writes(broker.url, result)
        assert "database is locked" not in broker.output()
    assert lost == []


def test_heartbeat_answers_while_writers_hold_the_database(live_broker: LiveBroker) -> None:
    """Reads do not queue behind writes (WAL on SQLite, MVCC on PostgreSQL)."""
    done = threading.Event()
    times: list[float] = []

    def read() -> None:
        with httpx.Client(base_url=live_broker.url, timeout=30) as client:
            while not done.is_set():
                began = time.monotonic()
                assert client.get("/pacticipants").status_code == 200
                times.append(time.monotonic() - began)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        result = hammer(live_broker.url, writers=8, per_writer=4)
    finally:
        done.set()
        reader.join()
    assert result.failures == []
    assert times and max(times) < 10
