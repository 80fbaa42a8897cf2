"""Fixtures for broker tests: a live broker on a free port over a fresh database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from broker_support import LiveBroker, database_url

from broker.app import create_app
from broker.db import Database
from broker.settings import Settings
from broker.testing import reset_database
from provider.verification import serve


@pytest.fixture
def live_broker(tmp_path: Path) -> Iterator[LiveBroker]:
    url = database_url(tmp_path)
    db = Database(url)
    app = create_app(Settings(database_url=url), database=db, webhooks_enabled=False)
    if url.startswith("postgresql"):
        reset_database(db)  # a shared server database: start every test empty
    with serve(app) as base_url, httpx.Client(base_url=base_url, timeout=30) as client:
        yield LiveBroker(base_url, db, client)
    db.dispose()
