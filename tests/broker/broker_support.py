"""Helpers for broker tests: a live broker handle and the official Pact CLI runner."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx

from broker.db import Database


@dataclass
class LiveBroker:
    url: str
    db: Database
    client: httpx.Client


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
