"""Operators' settings under the Pact Broker's names: the broker's own URLs, the database
pool and statement timeout."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from pact_pipeline.broker.db import Database, PoolOptions
from pact_pipeline.broker.settings import Settings
from tests.broker.broker_support import (
    POSTGRES_SKIP_REASON,
    InProcessFactory,
    fresh_postgres_database,
    postgres_url,
)


def self_href(body: dict[str, object]) -> str:
    links = body["_links"]
    assert isinstance(links, dict)
    href = links["self"]["href"]
    assert isinstance(href, str)
    return href


def test_links_use_the_configured_url_of_the_host_asked(
    in_process_broker: InProcessFactory,
) -> None:
    broker = in_process_broker(base_urls="https://a.example https://b.example/broker")
    first = broker.client.get("/pacticipants").json()
    second = broker.client.get("/pacticipants", headers={"host": "b.example"}).json()
    assert self_href(first) == "https://a.example/pacticipants"
    assert self_href(second) == "https://b.example/broker/pacticipants"


def test_the_pact_brokers_variables_name_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACT_BROKER_BASE_URL", "https://broker.example/")
    monkeypatch.setenv("PACT_BROKER_DATABASE_MAX_CONNECTIONS", "4")
    monkeypatch.setenv("PACT_BROKER_DATABASE_STATEMENT_TIMEOUT", "2.5")
    settings = Settings()
    assert settings.own_base_urls == ("https://broker.example",)
    assert settings.pool_options == PoolOptions(4, 5.0, 2.5)
    monkeypatch.setenv("PACT_BROKER_PUBLIC_BASE_URL", "https://public.example")
    assert Settings().own_base_urls == ("https://public.example",)


def test_without_configured_urls_links_follow_the_request(
    in_process_broker: InProcessFactory,
) -> None:
    broker = in_process_broker()
    body = broker.client.get("/pacticipants", headers={"host": "c.example:8080"}).json()
    assert self_href(body) == "http://c.example:8080/pacticipants"


@pytest.mark.postgres
def test_postgres_cancels_a_runaway_statement_and_bounds_the_pool() -> None:
    server = postgres_url()
    if server is None:
        pytest.skip(POSTGRES_SKIP_REASON)
    with fresh_postgres_database(server) as url:
        db = Database(url, PoolOptions(max_connections=2, pool_timeout=0.5, statement_timeout=0.5))
        try:
            with (
                db.engine.connect() as connection,
                pytest.raises(OperationalError, match="statement timeout"),
            ):
                connection.execute(text("SELECT pg_sleep(3)"))
            held = [db.engine.connect(), db.engine.connect()]
            with pytest.raises(PoolTimeout):
                db.engine.connect()
            for connection in held:
                connection.close()
        finally:
            db.dispose()
