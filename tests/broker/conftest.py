"""Fixtures for broker tests: a live broker on a free port over a fresh database."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from broker.app import create_app
from broker.db import Database
from broker.settings import Settings
from provider.verification import serve


@dataclass
class LiveBroker:
    url: str
    db: Database
    client: httpx.Client


def database_url(tmp_path: Path) -> str:
    override = os.environ.get("PACT_BROKER_TEST_DATABASE_URL")
    return override or f"sqlite:///{tmp_path / 'broker.sqlite'}"


@pytest.fixture
def live_broker(tmp_path: Path) -> Iterator[LiveBroker]:
    url = database_url(tmp_path)
    db = Database(url)
    if url.startswith("postgresql"):
        from broker.testing import reset_database

        reset_database(db)
    app = create_app(Settings(database_url=url), database=db, webhooks_enabled=False)
    with serve(app) as base_url, httpx.Client(base_url=base_url, timeout=30) as client:
        yield LiveBroker(base_url, db, client)
    db.dispose()


PACT_BIN = shutil.which("pact") or str(Path(sys.executable).parent / "pact")


def run_pact(*args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the official Rust Pact CLI (from pact-python-cli)."""
    env = {**os.environ, "PACT_DO_NOT_TRACK": "true", "NO_COLOR": "1"}
    result = subprocess.run(
        [PACT_BIN, *args], capture_output=True, text=True, timeout=timeout, env=env, check=False
    )
    if check and result.returncode != 0:
        msg = f"pact {' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
        raise AssertionError(msg)
    return result
