"""The database clean-up (``python -m pact_pipeline.broker clean``), as the Pact Broker's."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from pact_pipeline.broker import migrate
from pact_pipeline.broker.__main__ import main
from pact_pipeline.broker.app import create_app
from pact_pipeline.broker.clean_selectors import SelectorError, parse_selectors
from pact_pipeline.broker.db import Database
from pact_pipeline.broker.models import TriggeredWebhook, WebhookExecution, new_uuid
from pact_pipeline.broker.services import clean_schedule
from pact_pipeline.broker.services.cleanup import CleanOptions, run_clean
from pact_pipeline.broker.services.provider_contracts import (
    ProviderContractCommand,
    SelfVerification,
    publish_provider_contract,
)
from pact_pipeline.broker.settings import Settings
from pact_pipeline.broker.testing import TestData, simple_pact
from pact_pipeline.serving import serve_app
from tests.broker.broker_support import fresh_postgres_database, postgres_url

BRANCH_HEADS = '[{"branch": true, "latest": true}]'


def _sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'broker.sqlite'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield _sqlite_url(tmp_path)
        return
    server = postgres_url()
    if server is None:
        pytest.skip("needs PACT_BROKER_TEST_POSTGRES_URL")
    with fresh_postgres_database(server) as database:
        yield database


@pytest.fixture
def db(url: str) -> Iterator[Database]:
    database = Database(url)
    migrate.upgrade(database.engine)
    yield database
    database.dispose()


def seed(db: Database) -> TestData:
    """Foo 1-6 (main: 1 2 3 6, feat-x: 4 5), Bar p1-p3 (main); Foo 2 and Bar p1 in prod."""
    data = TestData(db).create_environment("prod", production=True).create_environment("test")
    data.create_consumer("Foo").create_provider("Bar").create_webhook()
    for number, branch in (("1", "main"), ("2", "main"), ("3", "main")):
        data.create_consumer_version(number, branch=branch, tags=(f"t{number}",))
        data.create_pact(simple_pact("Foo", "Bar", f"request {number}"))
        data.create_verification(f"p{number}", branch="main")
    data.deploy("Foo", "2", "prod").deploy("Bar", "p1", "prod").release("Bar", "p1", "test")
    for number in ("4", "5"):
        data.create_consumer_version(number, branch="feat-x")
        data.create_pact(simple_pact("Foo", "Bar", f"request {number}"))
    data.create_consumer_version("6", branch="main", tags=("prod",))
    data.create_pact(simple_pact("Foo", "Bar", "request 2"))  # the same content as Foo 2
    data.create_verification("p3", branch="main")
    _deliver_a_webhook_per_publication(db)
    return data


def _deliver_a_webhook_per_publication(db: Database) -> None:
    """A delivered webhook (and its execution) per publication (TestData triggers none)."""
    with db.write() as session:
        webhook_id = session.execute(text("SELECT id FROM webhooks")).scalar_one()
        rows = session.execute(text("SELECT id, consumer_id, provider_id FROM pact_publications"))
        for publication_id, consumer_id, provider_id in rows.all():
            triggered = TriggeredWebhook(
                trigger_uuid=new_uuid(), trigger_type="pact_publication", webhook_id=webhook_id,
                event_name="contract_content_changed", consumer_id=consumer_id,
                provider_id=provider_id, pact_publication_id=publication_id, event_context={},
                status="success",
            )  # fmt: skip
            session.add(triggered)
            session.flush()
            session.add(
                WebhookExecution(
                    webhook_id=webhook_id,
                    triggered_webhook_id=triggered.id,
                    event_name="contract_content_changed",
                    success=True,
                    logs="ok",
                )
            )


def versions(db: Database) -> set[tuple[str, str]]:
    query = "SELECT p.name, v.number FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id"
    with db.read() as session:
        return {(str(a), str(b)) for a, b in session.execute(text(query))}


def count(db: Database, table: str) -> int:
    with db.read() as session:
        return int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608


def clean(db: Database, keep: str = BRANCH_HEADS, *, limit: int = 500, dry_run: bool = False):  # type: ignore[no-untyped-def]
    return run_clean(db, CleanOptions(parse_selectors(keep), limit, dry_run))


KEPT = {("Foo", "2"), ("Foo", "5"), ("Foo", "6"), ("Bar", "p1"), ("Bar", "p3")}


def test_clean_deletes_what_no_selector_keeps(db: Database) -> None:
    seed(db)
    pact_versions_before = count(db, "pact_versions")
    report = clean(db)
    assert versions(db) == KEPT
    # Foo 2, 5 and 6 keep their pacts (2 and 6 share content); 1, 3 and 4's content is gone.
    assert count(db, "pact_publications") == 3
    assert count(db, "pact_versions") == pact_versions_before - 3 == 2
    # p1 verified Foo 1's (deleted) content and p2 is deleted: only p3's verification of Foo 6's
    # pact (Foo 2's content) remains.
    assert count(db, "verifications") == 1
    assert count(db, "tags") == 2  # Foo 2's t2 and Foo 6's prod
    assert count(db, "triggered_webhooks") == count(db, "webhook_executions") == 3
    assert report.deleted["versions"] == 4
    assert report.after["versions"] == 5
    assert report.before["versions"] == 9
    kept = {json.dumps(s.to_json(), sort_keys=True): n for s, n in report.kept_by_selector}
    assert kept == {'{"branch": true, "latest": true}': 3, '{"deployed": true}': 2,
                    '{"released": true}': 1}  # fmt: skip


def test_deployed_released_branch_heads_and_latest_are_never_deleted(db: Database) -> None:
    seed(db)
    clean(db, '{"pacticipant": "Nobody", "latest": true}')
    assert versions(db) == KEPT
    assert count(db, "branches") == 3  # Foo main, Foo feat-x, Bar main


def test_a_tag_selector_keeps_the_latest_tagged_version(db: Database) -> None:
    seed(db)
    clean(db, '[{"tag": true, "latest": true}]')
    assert ("Foo", "1") in versions(db)  # the only (so latest) version tagged t1
    clean(db, '[{"tag": "t1"}, {"max_age": 0}]')
    assert versions(db) == KEPT | {("Foo", "1")}


def test_a_dry_run_deletes_nothing_and_reports_what_the_real_run_deletes(db: Database) -> None:
    seed(db)
    before = versions(db)
    dry = clean(db, dry_run=True)
    assert versions(db) == before
    real = clean(db)
    assert dry.deleted == real.deleted
    assert dry.after == real.after
    assert any(dry.deleted.values())


def test_each_transaction_deletes_at_most_the_deletion_limit(db: Database) -> None:
    seed(db)
    report = clean(db, limit=1)
    assert [b.versions for b in report.batches] == [1, 1, 1, 1]
    assert "4 transactions, at most 1 versions each (limit 1)" in report.lines()


def test_a_second_clean_skips_while_one_holds_the_lease(db: Database) -> None:
    from pact_pipeline.broker.services import cleanup

    assert cleanup._claim(db, "someone")
    report = clean(db)
    assert report.skipped == "another clean is in progress"
    cleanup._release(db, "someone")
    assert clean(db).skipped is None


def _answers(client: httpx.Client | TestClient) -> list[bytes]:
    selectors = [{"mainBranch": True}, {"deployedOrReleased": True}, {"branch": "feat-x"}]
    body = {"consumerVersionSelectors": selectors, "providerVersionBranch": "main"}
    return [
        client.get("/can-i-deploy?pacticipant=Foo&version=2&environment=prod").content,
        client.get("/can-i-deploy?pacticipant=Foo&version=6&environment=prod").content,
        client.get("/can-i-deploy?pacticipant=Bar&version=p3&environment=prod").content,
        client.post("/pacts/provider/Bar/for-verification", json=body).content,
    ]


def test_answers_for_kept_versions_are_byte_identical_after_a_clean(db: Database) -> None:
    seed(db)
    with TestClient(create_app(Settings(database_url=db.url), database=db)) as client:
        before = _answers(client)
        clean(db)
        assert _answers(client) == before


def test_the_broker_keeps_answering_while_it_is_cleaned(db: Database) -> None:
    seed(db)
    for number in range(7, 40):
        TestData(db).create_consumer("Foo").create_consumer_version(str(number), branch="main")
    app = create_app(Settings(database_url=db.url), database=db, webhooks_enabled=False)
    statuses: list[int] = []
    done = threading.Event()
    with serve_app(app) as base, httpx.Client(base_url=base, timeout=30) as client:

        def ask() -> None:
            while not done.is_set():
                r = client.get("/can-i-deploy?pacticipant=Foo&version=2&environment=prod")
                statuses.append(r.status_code)

        askers = [threading.Thread(target=ask) for _ in range(3)]
        for asker in askers:
            asker.start()
        time.sleep(0.1)
        report = clean(db, limit=5)
        done.set()
        for asker in askers:
            asker.join()
    assert report.deleted["versions"] == 4 + 32
    assert statuses and set(statuses) == {200}


def test_the_command_line(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    seed(db)
    assert main(["clean", "--database-url", db.url, "--keep", BRANCH_HEADS, "--dry-run"]) == 0
    assert "[DRY RUN] versions" in capsys.readouterr().out
    args = ["clean", "--database-url", db.url, "--keep", BRANCH_HEADS, "--json"]
    assert main([*args, "--deletion-limit", "2"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["deleted"]["versions"] == 4
    assert [b["versions"] for b in report["batches"]] == [2, 2]
    assert versions(db) == KEPT


@pytest.mark.parametrize(
    ("keep", "message"),
    [
        ("{not json", "error: keep selectors are not valid JSON"),
        ('{"colour": "red"}', "unknown criterion 'colour'"),
        ('{"max_age": "old"}', "max_age must be a whole number of days"),
        ("[]", "no keep selectors given"),
        ("{}", "has no criterion"),
    ],
)
def test_bad_selectors_are_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], keep: str, message: str
) -> None:
    assert main(["clean", "--database-url", _sqlite_url(tmp_path), "--keep", keep]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_selectors_read_camel_case_and_aliases() -> None:
    (selector,) = parse_selectors('{"mainBranch": true, "pacticipant": "Foo", "maxAge": 3}')
    assert selector.to_json() == {"main_branch": True, "pacticipant_name": "Foo", "max_age": 3}
    with pytest.raises(SelectorError):
        parse_selectors('{"latest": false}')


def test_serve_runs_the_clean_on_schedule_when_enabled(db: Database) -> None:
    seed(db)
    settings = Settings(
        database_url=db.url,
        database_clean_enabled=True,
        database_clean_frequency_seconds=0.05,
        database_clean_keep_version_selectors=BRANCH_HEADS,
    )
    scheduler = clean_schedule.start(db, settings)
    assert isinstance(scheduler, clean_schedule.CleanScheduler)
    deadline = time.monotonic() + 10
    while scheduler.runs < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    scheduler.stop()
    assert versions(db) == KEPT
    disabled = clean_schedule.start(db, Settings(database_url=db.url))
    assert not isinstance(disabled, clean_schedule.CleanScheduler)


def _publish_contract(db: Database, version: str, path: str) -> None:
    document = {
        "openapi": "3.0.3",
        "info": {"title": "Bar", "version": "1"},
        "paths": {path: {"get": {"responses": {"200": {"description": "ok"}}}}},
    }
    command = ProviderContractCommand(
        "Bar", version, json.dumps(document), "application/json", "oas",
        SelfVerification(True, {}),
    )  # fmt: skip
    publish_provider_contract(db, command, lambda outcome: outcome)


def test_provider_contracts_go_with_their_versions(db: Database) -> None:
    seed(db)
    _publish_contract(db, "p2", "/only-p2")  # p2 is cleaned: its contract content goes too
    _publish_contract(db, "p3", "/kept")
    assert count(db, "provider_contract_versions") == 2
    assert count(db, "contract_comparisons") > 0
    report = clean(db)
    assert versions(db) == KEPT
    assert count(db, "provider_contract_publications") == 1
    assert count(db, "provider_contract_versions") == 1
    assert report.deleted["provider_contract_publications"] == 1
    assert report.deleted["provider_contract_versions"] == 1
    with db.read() as session:
        left = session.execute(
            text(
                "SELECT count(*) FROM contract_comparisons c LEFT JOIN pact_versions p "
                "ON p.id = c.pact_version_id LEFT JOIN provider_contract_versions v "
                "ON v.id = c.provider_contract_version_id WHERE p.id IS NULL OR v.id IS NULL"
            )
        ).scalar_one()
    assert left == 0
