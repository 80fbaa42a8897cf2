"""Fixtures for broker tests: a live broker on a free port over a fresh database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from broker_support import BrokerFactory, LiveBroker, database_url

from broker.app import create_app
from broker.db import Database
from broker.settings import Settings
from broker.testing import reset_database
from provider.verification import serve


@pytest.fixture
def broker_factory(tmp_path: Path) -> Iterator[BrokerFactory]:
    """Start live brokers with chosen settings (``start(allow_public_read=True, ...)``).

    Every broker started by one test shares that test's database, emptied once at the start
    when it is a shared PostgreSQL database.
    """
    url = database_url(tmp_path)
    with ExitStack() as stack:
        db = Database(url)
        stack.callback(db.dispose)
        if url.startswith("postgresql"):
            reset_database(db)  # a shared server database: start every test empty

        def start(**overrides: Any) -> LiveBroker:
            app = create_app(
                Settings(database_url=url, **overrides), database=db, webhooks_enabled=False
            )
            base_url = stack.enter_context(serve(app))
            client = stack.enter_context(httpx.Client(base_url=base_url, timeout=30))
            return LiveBroker(base_url, db, client)

        yield start


@pytest.fixture
def live_broker(broker_factory: BrokerFactory) -> LiveBroker:
    """A live broker with default settings (no authentication)."""
    return broker_factory()
