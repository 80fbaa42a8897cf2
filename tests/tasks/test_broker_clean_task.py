"""`invoke broker-clean`: the clean-up of the embedded broker's database, run as a user would."""

from __future__ import annotations

from pathlib import Path

import pytest

from pact_pipeline.broker import migrate
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.testing import TestData
from tests.helpers import copy_repository, invoke_environment, run_invoke

KEEP_HEADS = '{"branch": true, "latest": true}'


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_repository(tmp_path / "repo")


def _seed(root: Path) -> Database:
    db = Database(f"sqlite:///{root / '.pact-broker' / 'broker.sqlite'}")
    migrate.upgrade(db.engine)
    data = TestData(db).create_consumer("Foo").create_provider("Bar")
    for number in ("1", "2", "3"):
        data.create_consumer_version(number, branch="main").create_pact()
    return db


def test_broker_clean_dry_run_then_clean(repo: Path) -> None:
    db = _seed(repo)
    environment = invoke_environment()
    dry = run_invoke(
        repo, "broker-clean", "--dry-run", "--keep", KEEP_HEADS, environment=environment
    )
    assert dry.returncode == 0, dry.stderr
    assert "[DRY RUN] versions" in dry.stdout
    real = run_invoke(repo, "broker-clean", "--keep", KEEP_HEADS, environment=environment)
    assert real.returncode == 0, real.stderr
    lines = [line.split() for line in real.stdout.splitlines()]
    assert ["versions", "3", "2", "1"] in lines
    db.dispose()


def test_broker_clean_without_a_database_or_with_a_bad_selector(repo: Path) -> None:
    environment = invoke_environment()
    missing = run_invoke(repo, "broker-clean", environment=environment)
    assert missing.returncode == 1
    assert missing.stderr.strip().startswith("error: no embedded Pact Broker database at")
    _seed(repo).dispose()
    bad = run_invoke(repo, "broker-clean", "--keep", "{oops", environment=environment)
    assert bad.returncode == 2
    assert "error: keep selectors are not valid JSON" in bad.stderr
