"""Operators' settings under the Pact Broker's names: the broker's own URLs, the database
pool and statement timeout."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from pact_pipeline.broker.db import Database, PoolOptions
from pact_pipeline.broker.settings import Settings
from tests.broker.broker_support import (
    POSTGRES_SKIP_REASON,
    InProcessFactory,
    broker_process,
    database_url,
    fresh_postgres_database,
    postgres_url,
    publish_body,
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


@pytest.mark.parametrize("log_format", ["json", "logfmt"])
def test_a_serving_broker_logs_in_the_format_asked(tmp_path: Path, log_format: str) -> None:
    log = tmp_path / "broker.log"
    env = {"PACT_BROKER_LOG_FORMAT": log_format.upper()}
    with broker_process(database_url(tmp_path), log, env=env, log_level="info") as broker:
        assert httpx.get(broker.url + "/pacticipants", timeout=10).status_code == 200
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    assert lines
    for line in lines:
        if log_format == "json":
            record = json.loads(line)
            assert {"time", "level", "logger", "message"} <= record.keys()
        else:
            assert line.startswith("time=") and " level=" in line and " message=" in line
    assert any("/pacticipants" in line for line in lines)  # uvicorn's access log too


def test_a_new_name_like_an_existing_one_is_refused_with_advice(
    in_process_broker: InProcessFactory,
) -> None:
    broker = in_process_broker()
    first = broker.client.post("/contracts/publish", json=publish_body("Foo", "Bar", "1"))
    assert first.status_code == 200, first.text
    misspelt = broker.client.post("/contracts/publish", json=publish_body("foo-api", "Bar", "2"))
    assert misspelt.status_code == 409
    body = misspelt.json()
    assert (
        'The name "foo-api" is very similar to the following existing pacticipants'
        in (body["notices"][0]["text"])
    )
    assert 'create-or-update-pacticipant --name "foo-api"' in body["errors"]["contracts"][0]
    assert broker.client.get("/pacticipants/foo-api").status_code == 404  # nothing stored
    put = broker.client.put(
        "/pacts/provider/BarService/consumer/Foo/version/3",
        json={"consumer": {"name": "Foo"}, "provider": {"name": "BarService"}, "interactions": []},
    )
    assert put.status_code == 409 and "BarService" in put.json()["error"]
    # Created on purpose first, the name is welcome; and the check can be switched off.
    assert broker.client.post("/pacticipants", json={"name": "foo-api"}).status_code == 201
    assert (
        broker.client.post(
            "/contracts/publish", json=publish_body("foo-api", "Bar", "2")
        ).status_code
        == 200
    )
    relaxed = in_process_broker(check_for_potential_duplicate_pacticipant_names=False)
    assert (
        relaxed.client.post("/contracts/publish", json=publish_body("foos", "Bar", "1")).status_code
        == 200
    )


def test_a_versions_first_tag_becomes_its_branch_while_it_is_new(
    in_process_broker: InProcessFactory,
) -> None:
    broker = in_process_broker()
    tagged = broker.client.put("/pacticipants/Foo/versions/1/tags/feat-x", json={})
    assert tagged.status_code == 201
    again = broker.client.put("/pacticipants/Foo/versions/1/tags/prod", json={})
    assert again.status_code == 201
    branches = broker.client.get("/pacticipants/Foo/branches").json()
    names = [b["name"] for b in branches["_embedded"]["branches"]]
    assert names == ["feat-x"]  # the first tag only
    published = broker.client.post(
        "/contracts/publish", json=publish_body("Web", "Bar", "7", tags=("main",))
    )
    assert published.status_code == 200
    version = broker.client.get("/pacticipants/Web/versions/7").json()
    assert [b["name"] for b in version["_embedded"]["branchVersions"]] == ["main"]
    legacy = in_process_broker(use_first_tag_as_branch=False)
    legacy.client.put("/pacticipants/Old/versions/1/tags/feat-x", json={})
    listing = legacy.client.get("/pacticipants/Old/branches").json()
    assert listing["_embedded"]["branches"] == []
